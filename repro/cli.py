"""The repro command line: python -m repro CELL-ID [--out DIR] [--run] [--archive PATH], or --verify RESULTS.

The same command as `python -m compat_tests repro ...`, which forwards here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zipstore_compat.core.commands import program_name

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"


def parser() -> argparse.ArgumentParser:
    repro = argparse.ArgumentParser(prog=program_name("repro"))
    repro.add_argument("cell", nargs="?", help="a cell id, <reader>--<fixture>")
    repro.add_argument("--verify", metavar="RESULTS", help="bundle every non-pass cell of RESULTS and check each shows its outcome")
    repro.add_argument("--sample", action="store_true", help="with --verify: one cell per (reader, outcome, matrix.yaml entry)")
    repro.add_argument("--out", help="bundle folder (default: reports/repro/<cell>)")
    repro.add_argument("--run", action="store_true", help="run the bundle in a fresh environment")
    repro.add_argument("--archive", help="the archive of a cell of your own archive (byo-...), as the matrix printed it")
    return repro


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from zipstore_compat.repro.bundle import ReproError, make_bundle
    from zipstore_compat.repro.run import run_bundle, verify_all

    if args.verify:
        out = Path(args.out) if args.out else REPORTS / "repro-verify"
        report = verify_all(Path(args.verify), out, sample=args.sample)
        for kind, items in report.items():
            print(f"{kind}: {len(items)}")
            for item in items if kind != "same" else []:
                print(f"  {item}")
        return 0 if not report["different"] and not report["not bundled"] else 1
    if not args.cell:
        print("repro needs a cell id (or --verify RESULTS.json)", file=sys.stderr)
        return 2
    try:
        bundle = make_bundle(args.cell, Path(args.out) if args.out else None, archive_path=args.archive)
        print(f"bundle written to {bundle}", file=sys.stderr)
        if args.run:
            return run_bundle(bundle)
    except ReproError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
