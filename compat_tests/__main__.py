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
  bench-remote [--results PATH] [--archives X,Y]
                                              the remote readers' requests and bytes on MNIST and the 70,014-entry
                                              archive against the minimum, from a results file:
                                              reports/bench-remote.json, .md, .html, .png
  measure CELL [--limit S]                    run one cell with time to spare: a slow path's matrix.yaml `measured`
  determinism [--runs N] [matrix options]     run the matrix N times with --rerun; list cells whose outcome class changed
  released make RESULTS [--out FILE] [--readers A,B]
                                              the released column (release/results.json) from a full run's results file
  ci-workflow [--check]                       write (or check) .github/workflows/matrix.yml from the reader declarations
  reader-table [--check]                      write (or check) the README's table of readers from the declarations

run, report, measure, determinism and released are the harness's own; the other commands are products of their own, forwarded by name
(python -m repro, bugreport, bench, bench.readers, bench.remote, repofiles.ci_workflow, repofiles.reader_table: docs/reference/products.md)
"""

from __future__ import annotations

import argparse
import runpy
import sys
from pathlib import Path

from zipstore_compat.core import locations

ROOT = locations.CODE
# command -> the module that runs it: each product is a package of its own that the harness never imports; its
# command line is forwarded by name, as `python -m MODULE ARGS` would run it
PRODUCTS = {
    "repro": "zipstore_compat.repro",
    "report-bug": "zipstore_compat.bugreport",
    "bench": "zipstore_compat.bench",
    "bench-readers": "zipstore_compat.bench.readers",
    "bench-remote": "zipstore_compat.bench.remote",
    "reader-table": "zipstore_compat.repofiles.reader_table",
    "ci-workflow": "zipstore_compat.repofiles.ci_workflow",
}


def forward(command: str, args: list[str]) -> int:
    """Run a product's command in this process, as `python -m MODULE ARGS`; its usage lines keep the hub's words
    (sys.argv[0], core.commands.program_name). Returns its exit status."""
    saved = sys.argv
    sys.argv = [f"python -m compat_tests {command}", *args]
    try:
        runpy.run_module(PRODUCTS[command], run_name="__main__", alter_sys=False)
    except SystemExit as exc:  # how a command ends: sys.exit(status), or a message (status 1, as the interpreter does)
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(exc.code, file=sys.stderr)
        return 1
    finally:
        sys.argv = saved
    return 0


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
    from zipstore_compat.compat_tests.reports import results
    from zipstore_compat.compat_tests.reports.markdown import write_markdown
    from zipstore_compat.compat_tests.reports.html import write_html

    try:
        if args.action == "diff":
            if len(args.files) != 2:
                print("report diff takes two results files: OLD.json NEW.json", file=sys.stderr)
                return 2
            old, new = (results.load(f) for f in args.files)
            print(results.diff_markdown(results.diff(old, new), args.files[0], args.files[1]))
            return 0
        if args.action == "reliability":
            from zipstore_compat.compat_tests.reports.reliability import table

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


def _released(argv: list[str]) -> int:
    """released make RESULTS: the compact released column of a full run (compat_tests/released.py)."""
    from zipstore_compat import __version__
    from zipstore_compat.compat_tests import released
    from zipstore_compat.compat_tests.reports import results

    parser = argparse.ArgumentParser(prog="python -m compat_tests released", description="the released column from a full run's results file")
    parser.add_argument("action", choices=["make"])
    parser.add_argument("results", type=Path)
    parser.add_argument("--out", type=Path, default=released.RELEASED_FILE, help="default: release/results.json (its readers are replaced, the others kept)")
    parser.add_argument("--readers", default="", help="comma-separated reader ids or families (default: every reader of RESULTS)")
    parser.add_argument("--suite", default=__version__, help=f"the suite's release the column is of (default: {__version__})")
    args = parser.parse_args(argv)
    try:
        payload = results.load(args.results)
    except results.ResultsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    from zipstore_compat.compat_tests.corpus import CorpusError, load_index

    try:
        corpus = load_index()["suite"]
    except CorpusError:
        corpus = None
    column = released.make(payload, args.suite, [r for r in args.readers.split(",") if r] or None, corpus)
    if not column["readers"]:
        print(f"error: {args.results} has no cell of {args.readers or 'any reader'}", file=sys.stderr)
        return 1
    old = released.load(args.out) if args.out.exists() else None
    released.write(released.merge(old, column), args.out)
    print(f"wrote {args.out}: " + ", ".join(f"{r} ({len(c['cells'])} cells, {c['library']} {c['version']})" for r, c in column["readers"].items()),
          file=sys.stderr)
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
    report.add_argument("--out", default=str(locations.reports()), help="output folder for render/merge (default: reports/)")
    sub.add_parser("repro", help="write a standalone bundle that reproduces one cell")
    sub.add_parser("report-bug", help="a bug report for one non-pass cell: minimal archive, script, issue text")
    sub.add_parser("bench", help="the store benchmark (options: --quick, --out DIR)")
    sub.add_parser("bench-readers", help="every reader's full read of the same archives against the floor (options: see bench-readers --help)")
    sub.add_parser("bench-remote", help="the remote readers' requests and bytes against the minimum, from a results file (options: see bench-remote --help)")
    sub.add_parser("reader-table", help="write (or --check) the README's table of readers from the declarations")
    sub.add_parser("ci-workflow", help="write (or --check) the CI workflow from the reader declarations and environments")
    sub.add_parser("measure", help="run one cell with time to spare (a slow path's measurement)")
    sub.add_parser("determinism", help="run the matrix several times with --rerun and list cells whose outcome class changed")
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["measure"]:  # harness commands with their own options
        from zipstore_compat.compat_tests.measure import main as measure_main

        return measure_main(argv[1:])
    if argv[:1] == ["released"]:
        return _released(argv[1:])
    if argv[:1] == ["determinism"]:
        from zipstore_compat.compat_tests.determinism import main as determinism_main

        return determinism_main(argv[1:])
    if argv[:1] and argv[0] in PRODUCTS:  # a product's command: its own options, parsed by the product
        return forward(argv[0], argv[1:])
    args, rest = parser.parse_known_args(argv)
    if args.command == "run":
        return _run(args, rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    return _report(args)


if __name__ == "__main__":
    sys.exit(main())
