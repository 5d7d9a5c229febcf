"""The suite's independent reference reading of an archive, in a capped process, and what it says of the values.

The reference (fixtures/reference_reader.py) inflates and decodes every
array: an archive from strangers may be a bomb, so it runs where the suite
runs it, in `python -m fixtures.reference_worker` (its JSON-lines protocol is
in that module's docstring), under the workers' memory cap and time limit
(core.limits), never in this process.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from zipstore_compat.core.limits import cell_time_limit, default_memory_gib
from zipstore_compat.core.processes import ROOT, child_environ


class ReferenceError(RuntimeError):
    pass


@dataclass
class Reading:
    judged: bool
    why: str                       # when not judged: the reference's one line
    arrays: dict[str, dict]        # path in the archive -> {"sha256", "shape", "dtype_class", "attributes", "dimension_names"}
    groups: dict[str, dict]        # path in the archive -> attributes
    skipped: dict[str, str]        # arrays the reference could not decode (path in the archive), and why

    def under(self, prefix: str) -> "Reading":
        """The same reading with paths relative to the store at `prefix` (what lies outside it left out)."""
        def strip(items: dict) -> dict:
            return {k[len(prefix):].strip("/"): v for k, v in items.items() if k.startswith(prefix) or k + "/" == prefix}
        return Reading(self.judged, self.why, strip(self.arrays), strip(self.groups), strip(self.skipped))


def read(archive: Path, entries: int, memory_gib: float | None = None) -> Reading:
    memory = int((memory_gib or default_memory_gib()) * 2**30)

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    with tempfile.TemporaryDirectory(prefix="zipcompat-doctor-ref-") as scratch:
        out = Path(scratch) / "manifest.json"
        request = {"archive": str(Path(archive).resolve()), "fixture_id": "doctor", "source": str(archive), "out": str(out)}
        try:
            proc = subprocess.run([sys.executable, "-m", "zipstore_compat.fixtures.reference_worker"], input=json.dumps(request) + "\n",
                                  capture_output=True, text=True, cwd=str(ROOT), env=child_environ({"PYTHONUNBUFFERED": "1"}),
                                  preexec_fn=cap, timeout=cell_time_limit(entries))
        except subprocess.TimeoutExpired:
            raise ReferenceError(f"the reference reading ran out of time ({cell_time_limit(entries):g} s)") from None
        lines = [line for line in proc.stdout.splitlines() if line.strip()]
        if proc.returncode != 0 or not lines:
            tail = " | ".join(proc.stderr.strip().splitlines()[-2:])
            raise ReferenceError(f"the reference reading died (exit {proc.returncode}){': ' + tail if tail else ''}")
        answer = json.loads(lines[-1])
        if not answer.get("ok"):
            raise ReferenceError(f"the reference reading failed: {answer.get('error', '')[:300]}")
        manifest = json.loads(out.read_text(encoding="utf-8"))
    result = answer["result"]
    if not result.get("judged"):
        return Reading(False, result.get("why", manifest.get("unjudged", "")), {}, {}, {})
    keys = ("sha256", "shape", "dtype_class", "attributes", "dimension_names")
    prefix = manifest.get("store_prefix") or ""

    def full(path: str) -> str:   # the reference's paths are relative to the store it found
        return (prefix + path).rstrip("/") if path else prefix.rstrip("/")
    return Reading(True, "", {full(a["path"]): {k: a.get(k) for k in keys} for a in manifest["arrays"]},
                   {full(g): v for g, v in (manifest.get("groups") or {}).items()},
                   {full(p): why for p, why in (manifest.get("reference_skipped") or {}).items()})


def differences(before: Reading, after: Reading) -> list[str]:
    """What differs between two readings (nothing, when the values are the same)."""
    out = []
    for path in sorted(set(before.arrays) | set(after.arrays)):
        a, b = before.arrays.get(path), after.arrays.get(path)
        if a is None or b is None:
            out.append(f"array {path}: {'gone' if b is None else 'new'} after repacking")
        elif a != b:
            out.append(f"array {path}: " + ", ".join(k for k in a if a[k] != b[k]) + " differ")
    if before.groups != after.groups:
        out.append("group attributes differ")
    if set(before.skipped) != set(after.skipped):
        out.append(f"arrays the reference could not decode differ: {sorted(before.skipped)} before, {sorted(after.skipped)} after")
    return out
