"""python -m compat_tests measure CELL [--limit SECONDS] [--fixtures-dir DIR]

Run one cell with a time limit far above the matrix's, once, and print what matrix.yaml's `measured` of a slow
path records: the outcome, the seconds it took and the versions it ran with. A reader whose answer on a dataset
comes, alone, in more than half the cell limit (two cells run at once, so a run's load would decide between that
answer and a timeout) is a finding of its own, measured like this once, not a timeout on every variant of that
dataset at every run (matrix.yaml, outcome slow). The answer is a correct read (the classic raster API mapping
MNIST's 60,000 images to 60,000 bands), or a refusal that only comes that late (netCDF-C walking every key of a
Zarr 3 store with tens of thousands of entries before it says the file is no Zarr it knows).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from zipstore_compat.compat_tests.workers import DEFAULT_TIMEOUT
from zipstore_compat.core import locations
from zipstore_compat.core.outcomes import SLOW_ANSWERS


def measure(cell: str, fixtures_dir: Path, limit: float) -> tuple[str, str, float, dict, float]:
    """The cell's outcome, message, seconds and versions, and the limit the matrix gives that cell."""
    from zipstore_compat.compat_tests.cells import Describer, run_cell, time_limit
    from zipstore_compat.compat_tests.readers import all_readers
    from zipstore_compat.compat_tests.workers import WorkerPool

    reader_id, sep, fixture = cell.partition("--")
    readers = all_readers()
    if not sep or reader_id not in readers:
        raise SystemExit(f"error: {cell!r} is not a cell id <reader>--<fixture> of a known reader")
    archive_manifest = fixtures_dir / f"{fixture}.manifest.json"
    if not archive_manifest.exists():
        raise SystemExit(f"error: no fixture {fixture!r} in {fixtures_dir} (build them first: ./run fixtures build)")
    manifest = json.loads(archive_manifest.read_text(encoding="utf-8"))
    archive = fixtures_dir / (manifest.get("archive") or f"{fixture}.zip")
    pool = WorkerPool()
    try:
        describe = Describer(pool)
        started = time.perf_counter()
        result = run_cell(readers[reader_id], fixture, archive.resolve(), archive_manifest.resolve(), pool, describe, timeout=limit)
        seconds = time.perf_counter() - started
        versions = (describe(readers[reader_id]) or {}).get("versions") or {}
    finally:
        pool.close()
    key = readers[reader_id].version_key
    return (result.outcome, result.message, seconds, ({key: versions.get(key)} if key in versions else {}),
            time_limit(DEFAULT_TIMEOUT, manifest))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m compat_tests measure", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cell")
    parser.add_argument("--limit", type=float, default=1800.0, help="seconds the cell may take (default 1800)")
    parser.add_argument("--fixtures-dir", type=Path, default=locations.fixtures_dir())
    args = parser.parse_args(argv)
    outcome, message, seconds, versions, cell_limit = measure(args.cell, args.fixtures_dir, args.limit)
    print(f"{args.cell}: {outcome} in {seconds:.1f} s (limit {args.limit:g} s){': ' + message[:300] if message else ''}")
    if outcome not in SLOW_ANSWERS:
        print(f"not a slow path: {outcome} even with time to spare", file=sys.stderr)
        return 1
    if seconds <= cell_limit / 2:
        print(f"not a slow path: it fits in half the {cell_limit:g} s cell limit, so the matrix runs it", file=sys.stderr)
        return 1
    shown = ", ".join(f"{k}: \"{v}\"" for k, v in versions.items())
    said = "" if outcome in ("pass", "partial") else f", message: {json.dumps(message.splitlines()[0][:200] if message else outcome)}"
    print(f"    measured: {{cell: {args.cell}, seconds: {seconds:.0f}, outcome: {outcome}, date: \"{time.strftime('%Y-%m-%d')}\", "
          f"versions: {{{shown}}}{said}}}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
