"""python -m compat_tests COMMAND

  run [--strict] [--no-build] [pytest args]   build the fixtures, run the matrix, write reports/
  report render RESULTS [--out DIR]           matrix.md and matrix.html from a results file
  report merge A.json B.json ... [--out DIR]  one table from several runs
  report diff OLD.json NEW.json               newly passing, regressed and new cells (Markdown)
  report reliability RESULTS                  per reader, what it did with the hostile archives (Markdown)
  repro CELL-ID [--out DIR] [--run] [--archive PATH]   a standalone bundle that reproduces one cell
  report-bug CELL-ID [--out DIR] [--check]    a minimal archive, a script in the library's API and the issue text
  bench [--quick]                             the store benchmark: reports/bench.json and bench.html
  bench-readers [--readers A,B] [--fixtures X,Y] [--repeats N] [--read-limit S] [--cell-budget S]
                                              every reader's full read of the same archives as a ratio to the
                                              floor (raw read + inflate + decode + copy), values verified:
                                              reports/bench-readers.json, .md, .html, .png
  measure CELL [--limit S]                    run one cell with time to spare: a slow path's matrix.yaml `measured`
  determinism [--runs N] [matrix options]     run the matrix N times with --rerun; list cells whose outcome class changed
  ci-workflow [--check]                       write (or check) .github/workflows/matrix.yml from the reader declarations
  reader-table [--check]                      write (or check) the README's table of readers from the declarations
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"


def _run(args, rest) -> int:
    """A thin alias of `pytest compat_tests` (the plugin builds the fixtures and runs the cells)."""
    import pytest

    pytest_args = [str(ROOT / "compat_tests"), "-rN"]
    if args.strict:
        pytest_args.append("--strict-expectations")
    if args.no_build:
        pytest_args.append("--no-build")
    if not any(a == "-n" or a.startswith(("-n", "--numprocesses", "--dist")) or a == "no:xdist" for a in rest):
        pytest_args += ["-n", "auto"]  # one cell runner per core unless told otherwise
    return pytest.main(pytest_args + rest)


def _report(args) -> int:
    from compat_tests.reports import results
    from compat_tests.reports.markdown import write_markdown
    from compat_tests.reports.html import write_html

    try:
        if args.action == "diff":
            if len(args.files) != 2:
                print("report diff takes two results files: OLD.json NEW.json", file=sys.stderr)
                return 2
            old, new = (results.load(f) for f in args.files)
            print(results.diff_markdown(results.diff(old, new), args.files[0], args.files[1]))
            return 0
        if args.action == "reliability":
            from compat_tests.reports.reliability import table

            print(table(results.merge([results.load(f) for f in args.files])))
            return 0
        payloads = [results.load(f) for f in args.files]
    except results.ResultsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.action == "render" and len(payloads) != 1:
        print("report render takes one results file (use merge for several)", file=sys.stderr)
        return 2
    payload = payloads[0] if args.action == "render" else results.merge(payloads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.action == "merge":
        import json

        (out / "results.json").write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    write_markdown(payload, out / "matrix.md")
    write_html(payload, out / "matrix.html")
    print(f"wrote {out / 'matrix.md'} and {out / 'matrix.html'}" + (f" and {out / 'results.json'}" if args.action == "merge" else ""), file=sys.stderr)
    return 0


def _repro(args) -> int:
    from compat_tests.tools.repro import ReproError, make_bundle, run_bundle

    if args.verify:
        from compat_tests.tools.repro import verify_all

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


def _report_bug(args) -> int:
    from compat_tests.tools.bugreport.command import RESULTS, ReportError, make_report

    if args.survey:
        import json

        from compat_tests.tools.bugreport.survey import survey

        out = Path(args.out) if args.out else REPORTS / "bug-survey"
        result = survey(Path(args.survey), out, sample=not args.all, check=args.check, limit=args.limit,
                        check_per_reader=args.check_per_reader, budget=args.budget, only=args.only)
        print(json.dumps(result["summary"], indent=1))
        return 0
    if not args.cell:
        print("report-bug needs a cell id (or --survey RESULTS.json)", file=sys.stderr)
        return 2
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m compat_tests", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="build fixtures and run the matrix")
    run.add_argument("--strict", action="store_true", help="outcomes that differ from matrix.yaml fail (CI)")
    run.add_argument("--no-build", action="store_true", help="use the fixtures already built")
    report = sub.add_parser("report", help="render, merge or diff results files")
    report.add_argument("action", choices=["render", "merge", "diff", "reliability"])
    report.add_argument("files", nargs="+")
    report.add_argument("--out", default=str(REPORTS), help="output folder for render/merge (default: reports/)")
    repro = sub.add_parser("repro", help="write a standalone bundle that reproduces one cell")
    repro.add_argument("cell", nargs="?", help="a cell id, <reader>--<fixture>")
    repro.add_argument("--verify", metavar="RESULTS", help="bundle every non-pass cell of RESULTS and check each shows its outcome")
    repro.add_argument("--sample", action="store_true", help="with --verify: one cell per (reader, outcome, matrix.yaml entry)")
    repro.add_argument("--out", help="bundle folder (default: reports/repro/<cell>)")
    repro.add_argument("--run", action="store_true", help="run the bundle in a fresh environment")
    repro.add_argument("--archive", help="the archive of a cell of your own archive (byo-...), as the matrix printed it")
    bug = sub.add_parser("report-bug", help="a bug report for one non-pass cell: minimal archive, script, issue text")
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
    sub.add_parser("bench", help="the store benchmark (options: --quick, --out DIR)")
    sub.add_parser("bench-readers", help="every reader's full read of the same archives against the floor (options: see bench-readers --help)")
    sub.add_parser("reader-table", help="write (or --check) the README's table of readers from the declarations")
    sub.add_parser("ci-workflow", help="write (or --check) the CI workflow from the reader declarations and environments")
    sub.add_parser("measure", help="run one cell with time to spare (a slow path's measurement)")
    sub.add_parser("determinism", help="run the matrix several times with --rerun and list cells whose outcome class changed")
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["measure"]:  # harness commands with their own options
        from compat_tests.measure import main as measure_main

        return measure_main(argv[1:])
    if argv[:1] == ["determinism"]:
        from compat_tests.determinism import main as determinism_main

        return determinism_main(argv[1:])
    if argv[:1] == ["reader-table"]:
        from compat_tests.tools.reader_table import main as table_main

        return table_main(argv[1:])
    if argv[:1] == ["ci-workflow"]:
        from compat_tests.tools.ci_workflow import main as workflow_main

        return workflow_main(argv[1:])
    if argv[:1] == ["bench"]:  # its own options, parsed by compat_tests.tools.bench
        from compat_tests.tools.bench import main as bench_main

        return bench_main(argv[1:])
    if argv[:1] == ["bench-readers"]:  # its own options, parsed by compat_tests.tools.bench_readers
        from compat_tests.tools.bench_readers import main as bench_readers_main

        return bench_readers_main(argv[1:])
    args, rest = parser.parse_known_args(argv)
    if args.command == "run":
        return _run(args, rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "report":
        return _report(args)
    if args.command == "report-bug":
        return _report_bug(args)
    return _repro(args)


if __name__ == "__main__":
    sys.exit(main())
