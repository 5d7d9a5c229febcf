"""python -m compat_tests measure CELL [--limit SECONDS] [--fixtures-dir DIR]

Run one cell with a time limit far above the matrix's, once, and print what matrix.yaml's `measured` of a slow
path records: the outcome, the seconds it took and the versions it ran with. A reader that reads a dataset
correctly but slower than the cell limit (the classic raster API mapping MNIST's 60,000 images to 60,000
bands) is a finding of its own, measured like this once, not a timeout on every variant of that dataset at
every run (matrix.yaml, outcome slow).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(cell: str, fixtures_dir: Path, limit: float) -> tuple[str, str, float, dict]:
    from zipstore_compat.compat_tests.cells import Describer, run_cell
    from zipstore_compat.compat_tests.readers import all_readers
    from zipstore_compat.compat_tests.workers import WorkerPool

    reader_id, sep, fixture = cell.partition("--")
    readers = all_readers()
    if not sep or reader_id not in readers:
        raise SystemExit(f"error: {cell!r} is not a cell id <reader>--<fixture> of a known reader")
    archive_manifest = fixtures_dir / f"{fixture}.manifest.json"
    if not archive_manifest.exists():
        raise SystemExit(f"error: no fixture {fixture!r} in {fixtures_dir} (build them first: ./run fixtures build)")
    import json

    archive = fixtures_dir / (json.loads(archive_manifest.read_text(encoding="utf-8")).get("archive") or f"{fixture}.zip")
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
    return result.outcome, result.message, seconds, ({key: versions.get(key)} if key in versions else {})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m compat_tests measure", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cell")
    parser.add_argument("--limit", type=float, default=1800.0, help="seconds the cell may take (default 1800)")
    parser.add_argument("--fixtures-dir", type=Path, default=ROOT / "build" / "fixtures")
    args = parser.parse_args(argv)
    outcome, message, seconds, versions = measure(args.cell, args.fixtures_dir, args.limit)
    print(f"{args.cell}: {outcome} in {seconds:.1f} s (limit {args.limit:g} s){': ' + message[:300] if message else ''}")
    if outcome in ("pass", "partial"):
        shown = ", ".join(f"{k}: \"{v}\"" for k, v in versions.items())
        print(f"    measured: {{cell: {args.cell}, seconds: {seconds:.0f}, outcome: {outcome}, date: \"{time.strftime('%Y-%m-%d')}\", "
              f"versions: {{{shown}}}}}")
        return 0
    print("not a slow path: it does not read correctly even with time to spare", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
