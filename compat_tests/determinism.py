"""python -m compat_tests determinism [--runs N] [--out DIR] [matrix options ...]

Luck decides nothing: run the matrix N times (default 3) with --rerun (every cell runs, nothing from the
cache), each into DIR/run-K/results.json, and list every cell whose outcome class changed between runs,
with its outcomes run by run. Outcome classes are core.outcomes.outcome_class: the time limit and the
memory cap are one class. Exit status 0 when every cell agrees on every run, 1 otherwise; each run's own
exit status is printed as well. Writes DIR/determinism.md. Options other than --runs and --out are passed
to each run (e.g. --readers fsspec-zip,xarray-open_zarr).

`--compare A/results.json B/results.json ...` runs nothing: it compares runs made elsewhere (fresh clones, other
machines) the same way.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from zipstore_compat.core import locations
from zipstore_compat.core.processes import child_environ



def changes(runs: list[dict]) -> list[tuple[str, list[str]]]:
    """(cell, its outcome in each run) for every cell whose outcome class is not the same in all runs that have it."""
    from zipstore_compat.core.outcomes import outcome_class

    by_cell: dict[str, list[tuple[str, str]]] = {}
    for index, payload in enumerate(runs):
        for cell in payload["cells"]:
            by_cell.setdefault(cell["cell"], [("-", "-")] * len(runs))[index] = (cell["outcome"], cell.get("message") or "")
    out = []
    for cell, seen in sorted(by_cell.items()):
        classes = {outcome_class(o, m) for o, m in seen if o != "-"}
        if len(classes) > 1:
            out.append((cell, [o for o, _ in seen]))
    return out


def markdown(runs: list[dict], statuses: list[int], changed: list[tuple[str, list[str]]], seconds: list[float]) -> str:
    lines = ["# Determinism check", "",
             f"{len(runs)} runs of the matrix; cells per run: {', '.join(str(len(r['cells'])) for r in runs)}; "
             f"exit statuses: {', '.join(map(str, statuses))}; minutes: {', '.join('?' if s is None else f'{s / 60:.1f}' for s in seconds)}.", ""]
    if not changed:
        lines.append("Every cell has the same outcome class in every run.")
    else:
        lines += [f"{len(changed)} cell(s) changed outcome class:", "", "| cell | " + " | ".join(f"run {i + 1}" for i in range(len(runs))) + " |",
                  "|---|" + "---|" * len(runs)]
        lines += [f"| `{cell}` | " + " | ".join(seen) + " |" for cell, seen in changed]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m compat_tests determinism", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=locations.reports() / "determinism")
    parser.add_argument("--compare", type=Path, nargs="+", metavar="RESULTS", help="compare these results.json files; run nothing")
    args, rest = parser.parse_known_args(argv)
    from zipstore_compat.compat_tests.reports.results import ResultsError, load

    if args.compare:
        return _compare(args.compare, args.out, rest, parser)
    if args.runs < 2:
        parser.error("--runs needs 2 or more runs to compare")

    runs, statuses, seconds = [], [], []
    for number in range(1, args.runs + 1):
        results = args.out / f"run-{number}" / "results.json"
        print(f"determinism: run {number} of {args.runs} -> {results}", file=sys.stderr, flush=True)
        started = time.monotonic()
        statuses.append(subprocess.run([sys.executable, "-m", "zipstore_compat.compat_tests", "run", "--rerun", "--results", str(results), *rest],
                                       cwd=locations.work_root(), env=child_environ()).returncode)
        seconds.append(time.monotonic() - started)
        try:
            runs.append(load(results))
        except ResultsError as exc:
            print(f"determinism: run {number} wrote no results ({exc}); stopping", file=sys.stderr)
            return 2
    changed = changes(runs)
    report = markdown(runs, statuses, changed, seconds)
    _write(args.out, report, statuses, seconds, changed)
    return 0 if not changed else 1


def _write(out: Path, report: str, statuses: list, seconds: list, changed) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "determinism.md").write_text(report, encoding="utf-8")
    (out / "determinism.json").write_text(json.dumps({"runs": len(seconds), "exit_statuses": statuses, "seconds": seconds,
                                                      "changed": [{"cell": c, "outcomes": o} for c, o in changed]}, indent=1) + "\n")
    print(report)


def _compare(paths: list[Path], out: Path, rest: list[str], parser: argparse.ArgumentParser) -> int:
    """The same comparison over results.json files of runs made elsewhere; their exit statuses are not known here."""
    from zipstore_compat.compat_tests.reports.results import ResultsError, load

    if rest:
        parser.error(f"--compare runs nothing, so it takes no matrix options: {' '.join(rest)}")
    if len(paths) < 2:
        parser.error("--compare needs 2 or more results.json files")
    runs = []
    for path in paths:
        try:
            runs.append(load(path))
        except ResultsError as exc:
            print(f"determinism: {exc}", file=sys.stderr)
            return 2
    statuses, seconds = ["?"] * len(runs), [None] * len(runs)   # a results.json says neither its exit status nor how long it took
    changed = changes(runs)
    _write(out, markdown(runs, statuses, changed, seconds), statuses, seconds, changed)
    return 0 if not changed else 1


if __name__ == "__main__":
    sys.exit(main())
