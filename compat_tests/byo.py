"""Archives without a manifest (yours, --archive; other projects', external/): the reference reading in a capped worker.

For each archive the orchestrator only checks that it is a ZIP at all
(compat_tests.bounded, a few KiB read); the reference reading runs in a
worker with the readers' time limit and memory cap (fixtures/reference_worker.py).
When the reference cannot read an archive that is a ZIP, its manifest is
*unjudged*: every reader still runs and its cell says what the reader did.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from zipstore_compat.compat_tests.bounded import TooLarge, read_json, zip_signature
from zipstore_compat.compat_tests.cells import time_limit
from zipstore_compat.compat_tests.checks import unjudgeable
from zipstore_compat.compat_tests.workers import DEFAULT_TIMEOUT, WorkerPool
from zipstore_compat.fixtures.reference_worker import unjudged_manifest

BYO_TAG = "kind:byo"


def slug(path: Path) -> str:
    stem = path.name[: -len(".zip")] if path.name.endswith(".zip") else path.name
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "archive"


def reference_reading(pool: WorkerPool, archive: Path, fixture_id: str, source: str, out: Path,
                      timeout: float = DEFAULT_TIMEOUT, claimed_entries: int = 0) -> dict:
    """The manifest of `archive` by the reference reading, in the pool's capped reference worker.

    Always returns a manifest, written to `out`: judged, or with "unjudged" saying why not
    (the reference raised, crashed, reached the memory cap or ran out of time).
    """
    limit = time_limit(timeout, {"zip": {"entries": min(claimed_entries, 200_000)}})
    reply = pool.reference().request({"archive": str(archive), "fixture_id": fixture_id, "source": source, "out": str(out)},
                                     timeout=limit)
    if reply.status == "ok":
        try:
            manifest = read_json(out)
        except (OSError, ValueError, TooLarge) as exc:
            manifest = unjudged_manifest(archive, fixture_id, source, f"the reference's manifest could not be read: {exc}")
        else:
            why = unjudgeable(manifest)
            if why and not manifest.get("unjudged"):
                manifest["unjudged"] = why
    else:
        what = {"timeout": "ran out of time", "crash": "died"}.get(reply.status, reply.status)
        manifest = unjudged_manifest(archive, fixture_id, source, f"the reference reading {what}: {reply.error}"[:1000],
                                     entries=claimed_entries)
    return manifest


@dataclass
class Prepared:
    ids: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)     # one line each: archives that are not run at all
    notices: list[str] = field(default_factory=list)      # one line each: archives run unjudged


def prepare(raw_paths: list[str], folder: Path, timeout: float = DEFAULT_TIMEOUT) -> Prepared:
    """Manifests for the user's archives in `folder` (archives linked beside them); ids byo-<name>[-N]."""
    import json

    out = Prepared()
    folder.mkdir(parents=True, exist_ok=True)
    pool = WorkerPool()
    try:
        for raw in raw_paths:
            path = Path(raw).expanduser().absolute()
            signature = zip_signature(path)
            if not signature.is_zip:
                out.problems.append(f"--archive {raw}: {signature.why}")
                continue
            base = "byo-" + slug(path)
            fixture_id, n = base, 1
            while fixture_id in out.ids:  # equal file names from different folders
                n += 1
                fixture_id = f"{base}-{n}"
            manifest = reference_reading(pool, path, fixture_id, str(path), folder / f"{fixture_id}.manifest.json",
                                         timeout=timeout, claimed_entries=signature.claimed_entries)
            manifest["tags"] = [BYO_TAG, *(t for t in manifest.get("tags", []) if not t.startswith("kind:"))]
            manifest["byo_path"] = str(path)
            (folder / f"{fixture_id}.manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
            link = folder / f"{fixture_id}.zip"
            if link.exists() or link.is_symlink():
                link.unlink()
            os.symlink(path, link)
            if manifest.get("unjudged"):
                out.notices.append(f"--archive {raw}: the reference cannot judge it ({manifest['unjudged'][:300]}); "
                                   "every reader still runs, its cell says what the reader did (unjudged)")
            out.ids.append(fixture_id)
    finally:
        pool.close()
    return out


class CappedReference:
    """fixtures.external.place_external's reference, run in a capped worker; raises ExternalArchiveError when unjudged."""

    def __enter__(self):
        self.pool, self.scratch = WorkerPool(), Path(tempfile.mkdtemp(prefix="zipcompat-ref-"))
        return self

    def __exit__(self, *exc):
        import shutil

        self.pool.close()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def __call__(self, archive: Path, fixture_id: str, source: str) -> dict:
        from zipstore_compat.fixtures.external import ExternalArchiveError

        signature = zip_signature(archive)
        if not signature.is_zip:
            raise ExternalArchiveError(f"{archive}: {signature.why}")
        manifest = reference_reading(self.pool, Path(archive), fixture_id, source, self.scratch / f"{fixture_id}.manifest.json",
                                     claimed_entries=signature.claimed_entries)
        if manifest.get("unjudged") and not manifest.get("reference_skipped"):  # the reference itself failed
            raise ExternalArchiveError(f"{archive}: {manifest['unjudged']}")
        manifest.pop("unjudged", None)  # external archives keep today's rule: decoded nothing -> fixture-error (checks.unjudgeable)
        return manifest
