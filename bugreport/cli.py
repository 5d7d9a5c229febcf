"""The report-bug command line: python -m bugreport CELL-ID [--out DIR] [--check], or --survey RESULTS.

The same command as `python -m compat_tests report-bug ...`, which forwards here.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from zipstore_compat.core.commands import program_name

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"


def parser() -> argparse.ArgumentParser:
    bug = argparse.ArgumentParser(prog=program_name("bugreport"))
    bug.add_argument("cell", nargs="?", help="a cell id, <reader>--<fixture>")
    bug.add_argument("--survey", metavar="RESULTS", help="report one cell per (reader, outcome, matrix.yaml entry) of RESULTS; the figures")
    bug.add_argument("--all", action="store_true", help="with --survey: every non-pass cell, not a sample")
    bug.add_argument("--limit", type=int, help="with --survey: at most this many cells")
    bug.add_argument("--only", nargs="+", metavar="CELL", help="with --survey: only these cells")
    bug.add_argument("--budget", type=float, default=120.0, help="with --survey: seconds of running tries per cell (default 120)")
    bug.add_argument("--check-per-reader", action="store_true", help="with --survey: --check one reported cell per reader")
    bug.add_argument("--out", help="report folder (default: reports/bug/<cell>)")
    bug.add_argument("--results", help="results file the cell's outcome comes from (default: reports/results.json)")
    bug.add_argument("--check", action="store_true", help="run the script in a fresh environment made from its install line")
    return bug


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.survey:
        from zipstore_compat.bugreport.survey import survey

        out = Path(args.out) if args.out else REPORTS / "bug-survey"
        result = survey(Path(args.survey), out, sample=not args.all, check=args.check, limit=args.limit,
                        check_per_reader=args.check_per_reader, budget=args.budget, only=args.only)
        print(json.dumps(result["summary"], indent=1))
        return 0
    if not args.cell:
        print("report-bug needs a cell id (or --survey RESULTS.json)", file=sys.stderr)
        return 2
    from zipstore_compat.bugreport.command import RESULTS, ReportError, make_report

    try:
        report = make_report(args.cell, Path(args.out) if args.out else None, Path(args.results) if args.results else RESULTS,
                             run_check=args.check, log=lambda m: print(m, file=sys.stderr, flush=True))
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"report written: {report['folder']} ({'shrunk to' if report['shrank'] else 'not shrunk:'} {report['archive_bytes']:,} bytes, "
          f"script {report['script_lines']} lines)", file=sys.stderr)
    if args.check:
        return 0 if report["same_outcome_standalone"] else 1
    return 0
