"""Reader habits measured as cells of their own: what a reader does on every archive, whatever its properties.

`<reader>--habit-concurrency`: the reader reads a fixed set of archives (stored, deflated, sharded) many
times, each read exactly as the matrix's cell on that archive reads it (the default call, or the documented
option the cell needs), at the concurrency its library uses by default, and every read is judged against the
manifest. A read that fails, or returns values that differ, is counted: "fails k of N", "WRONG DATA k of N".
A race (zarr-python's FsspecStore over fsspec's ZipFileSystem) shows here, once, with its rate, instead of
deciding archive-property cells by luck. The outcome: pass when every read is right, wrong-data when any read
returned wrong values, error when reads failed. The number of reads, and the time they may take, are fixed:
SCREEN reads of each probe, REPEATS of a probe where one went wrong (a rare wrong value among failures is then
seen on every run, not on some), within BUDGET_SECONDS; the message says how many ran.

The slow-path habit is matrix.yaml's outcome `slow` (compat_tests/measure.py); CF decoding is judged by the
checks (core/cf.py) and shown by the summary.
"""

from __future__ import annotations

import time
from pathlib import Path

from zipstore_compat.compat_tests.attempts import plan
from zipstore_compat.compat_tests.bounded import read_json
from zipstore_compat.compat_tests.cells import CellResult, cell_id, run_cell
from zipstore_compat.compat_tests.checks import judge

CONCURRENCY = "habit-concurrency"
# stored, deflated and sharded; a real grid (every reader that reads Zarr reads it) and the synthetic tree (many small
# arrays read at once: where a race shows most; zipped by the zip command, whose local extra fields are skipped by a
# relative seek in CPython 3.12's zipfile)
PROBES = ("coads-v3-stored", "coads-v3-deflate", "coads-v3-stored-sharded", "synthetic-v3-stored-zipcli", "synthetic-v3-stored-sharded")
SCREEN = 20               # reads of each probe archive
REPEATS = 120             # reads of a probe on which a read failed or was wrong: enough to tell a rare wrong value from none
BUDGET_SECONDS = 300.0    # at most, for all the reads of one reader (a slow reader does fewer: the message says how many)


def habit_ids() -> list[str]:
    return [CONCURRENCY]


def write_habit_manifests(fixtures_dir: Path) -> list[str]:
    """Each habit's manifest in the fixtures folder: what it reads (the probes' digests, so that the result cache
    runs it again when a probe changes), how often, and its tags. The manifest is the habit cell's "archive" too."""
    import hashlib
    import json

    digests = {}
    for probe in PROBES:
        parts = [fixtures_dir / f"{probe}.zip", fixtures_dir / f"{probe}.manifest.json"]
        digests[probe] = hashlib.sha256(b"".join(p.read_bytes() for p in parts if p.exists())).hexdigest()
    manifest = {"manifest_schema": 1, "id": CONCURRENCY, "archive": f"{CONCURRENCY}.manifest.json", "habit": "concurrency",
                "tags": ["kind:habit", "habit:concurrency"], "probes": digests, "screen": SCREEN, "repeats": REPEATS, "budget_seconds": BUDGET_SECONDS,
                "arrays": [], "zip": {"entries": 0}}
    path = fixtures_dir / f"{CONCURRENCY}.manifest.json"
    text = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return [CONCURRENCY]


def is_habit(fixture_id: str) -> bool:
    return fixture_id in habit_ids()


def run_habit(reader, fixture_id: str, fixtures_dir: Path, pool, describe, timeout: float) -> CellResult:
    cell = cell_id(reader.id, fixture_id)
    description = describe(reader)
    if description.get("status") == "not-installed":
        return CellResult(cell, reader.id, fixture_id, "not-installed", description["unavailable"])
    started = time.perf_counter()
    counts, notes, skipped = [], [], []
    for probe in PROBES:
        manifest_path = fixtures_dir / f"{probe}.manifest.json"
        archive = fixtures_dir / f"{probe}.zip"
        if not manifest_path.exists() or not archive.exists():
            skipped.append(f"{probe}: not built")
            continue
        manifest = read_json(manifest_path)
        first = run_cell(reader, probe, archive.resolve(), manifest_path.resolve(), pool, describe, timeout=timeout)
        if first.outcome not in ("pass", "partial") or (first.outcome == "partial" and first.option is None):
            skipped.append(f"{probe}: the reader does not read it ({first.outcome})")
            continue
        options = _options_of(first.option, description.get("fallbacks", []), manifest)
        request = {"adapter": reader.adapter, "archive": str(archive.resolve()), "manifest": str(manifest_path.resolve()), "options": options}
        good, failed, wrong, seen = 1, 0, 0, []
        for number in range(2, REPEATS + 1):
            if time.perf_counter() - started > BUDGET_SECONDS or (number > SCREEN and not (failed or wrong)):
                break
            reply = pool.for_reader(reader).request(request, timeout=timeout)
            verdict = judge(manifest, reply.result, reader.decodes_cf).outcome if reply.status == "ok" else reply.status
            if verdict in ("wrong-data", "silent-missing"):
                wrong += 1
                seen.append(f"{verdict}: {judge(manifest, reply.result, reader.decodes_cf).message[:200]}")
            elif verdict in ("pass", "partial"):
                good += 1
            else:
                failed += 1
                seen.append(f"{verdict}: {(reply.error or '')[:200]}")
        counts.append((probe, good + failed + wrong, failed, wrong))
        notes.append(f"{probe}{' with ' + first.option if first.option else ''}: {good + failed + wrong} reads, "
                     f"{failed} failed, {wrong} wrong" + (f"; first: {seen[0]}" if seen else ""))
    reads = sum(n for _, n, _, _ in counts)
    failed, wrong = sum(f for _, _, f, _ in counts), sum(w for _, _, _, w in counts)
    notes += [f"not measured on {s}" for s in skipped]
    if not counts:
        outcome, message = "unsupported", "reads none of the probe archives: " + "; ".join(skipped)
    elif wrong:
        outcome, message = "wrong-data", f"WRONG DATA {wrong} of {reads} reads" + (f", fails {failed} of {reads}" if failed else "")
    elif failed:
        outcome, message = "error", f"fails {failed} of {reads} reads"
    else:
        outcome, message = "pass", f"every one of {reads} reads right"
    message += " (" + ", ".join(f"{p}: {n}" for p, n, _, _ in counts) + ")" if counts else ""
    result = CellResult(cell, reader.id, fixture_id, outcome, message, notes=notes)
    result.seconds = result.wall_seconds = time.perf_counter() - started
    return result


def _options_of(label: str | None, fallbacks: list, manifest: dict) -> dict:
    """The options of the documented option set a cell named (its label), as the attempts plan makes them."""
    if not label:
        return {}
    for option_set in plan(fallbacks, manifest):
        if option_set.label == label:
            return dict(option_set.options)
    return {}
