"""python -m compat_tests determinism [--runs N] [--out DIR] [matrix options ...]

Luck decides nothing: run the matrix N times (default 3) with --rerun (every cell runs, nothing from the
cache), each into DIR/run-K/results.json, and list every cell whose outcome class changed between runs,
with its outcomes run by run. Outcome classes are core.outcomes.outcome_class: the time limit and the
memory cap are one class. Exit status 0 when every cell agrees on every run, 1 otherwise; each run's own
exit status is printed as well. Writes DIR/determinism.md. Options other than --runs and --out are passed
to each run (e.g. --readers fsspec-zip,xarray-open_zarr).

`--compare A/results.json B/results.json ...` runs nothing: it compares runs made elsewhere (fresh clones, other
machines) the same way.

`--record RESULTS --out FILE.classes.json.gz [--commit C] [--exit-status N] [--minutes M]` keeps what a comparison
needs of one run: each cell's outcome and outcome class, the run's commit, exit status and length, in a small file
that is the same bytes for the same run (docs/findings/runs/ keeps those of the runs the README cites, so runs made
on different days of one commit can be compared). `--compare` takes records and results files alike.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import time
from pathlib import Path

from zipstore_compat.core import locations
from zipstore_compat.core.processes import child_environ

RECORD_SCHEMA = 1
RECORD_SUFFIX = ".classes.json.gz"


def changes(runs: list[dict]) -> list[tuple[str, list[str]]]:
    """(cell, its outcome in each run) for every cell whose outcome class is not the same in all runs that have it."""
    from zipstore_compat.core.outcomes import outcome_class

    by_cell: dict[str, list[tuple[str, str]]] = {}
    for index, payload in enumerate(runs):
        for cell in payload["cells"]:
            known = cell.get("class") or outcome_class(cell["outcome"], cell.get("message") or "")   # a record holds its class
            by_cell.setdefault(cell["cell"], [("-", "-")] * len(runs))[index] = (cell["outcome"], known)
    out = []
    for cell, seen in sorted(by_cell.items()):
        classes = {known for o, known in seen if o != "-"}
        if len(classes) > 1:
            out.append((cell, [o for o, _ in seen]))
    return out


def markdown(runs: list[dict], statuses: list[int], changed: list[tuple[str, list[str]]], seconds: list[float]) -> str:
    lines = ["# Determinism check", "",
             f"{len(runs)} runs of the matrix; cells per run: {', '.join(str(len(r['cells'])) for r in runs)}; "
             f"exit statuses: {', '.join(map(str, statuses))}; minutes: {', '.join('?' if s is None else f'{s / 60:.1f}' for s in seconds)}"
             + (f"; commits: {', '.join(r.get('commit') or '?' for r in runs)}" if any(r.get("commit") for r in runs) else "") + ".", ""]
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
    parser.add_argument("--compare", type=Path, nargs="+", metavar="RESULTS", help="compare these results.json files or records; run nothing")
    parser.add_argument("--record", type=Path, metavar="RESULTS", help=f"write one run's record (to --out, a *{RECORD_SUFFIX} file)")
    parser.add_argument("--commit", default="", help="with --record: the commit the run ran (default: this checkout's)")
    parser.add_argument("--exit-status", type=int, help="with --record: the run's exit status")
    parser.add_argument("--minutes", type=float, help="with --record: how long the run took")
    args, rest = parser.parse_known_args(argv)
    from zipstore_compat.compat_tests.reports.results import ResultsError, load

    if args.record:
        if args.compare or rest:
            parser.error("--record writes one run's record: it takes no --compare and no matrix options")
        if not str(args.out).endswith(RECORD_SUFFIX):
            parser.error(f"--record needs --out FILE{RECORD_SUFFIX}")
        try:
            payload = load(args.record)
        except ResultsError as exc:
            print(f"determinism: {exc}", file=sys.stderr)
            return 2
        write_record(args.out, record(payload, args.commit or _checkout_commit(), args.exit_status, args.minutes))
        print(f"determinism: {len(payload['cells'])} cells of {args.record} -> {args.out}", file=sys.stderr)
        return 0
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


def record(payload: dict, commit: str, exit_status: int | None, minutes: float | None) -> dict:
    """What a comparison needs of one run: its cells' outcomes and classes (core.outcomes.outcome_class), and the run."""
    from zipstore_compat.core.outcomes import outcome_class

    run = payload.get("run") or {}
    cells = sorted((c["cell"], c["outcome"], outcome_class(c["outcome"], c.get("message") or "")) for c in payload["cells"])
    return {"record_schema": RECORD_SCHEMA, "commit": commit, "started": run.get("started"), "exit_status": exit_status,
            "minutes": minutes, "partial": bool(run.get("partial") or run.get("interrupted")),
            "controller_peak_rss_mib": (run.get("orchestrator_peak_rss_mib") or {}).get("main"), "cells": [list(c) for c in cells]}


def write_record(path: Path, data: dict) -> None:
    """A gzip file with no name or time in its header: the same record is the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = (json.dumps(data, separators=(",", ":")) + "\n").encode()
    with open(path, "wb") as handle, gzip.GzipFile(filename="", mode="wb", fileobj=handle, mtime=0) as out:
        out.write(raw)


def load_run(path: Path) -> dict:
    """A results.json, or a record as `changes` reads a run (cells with their outcome and class)."""
    from zipstore_compat.compat_tests.reports.results import ResultsError, load

    if not str(path).endswith(RECORD_SUFFIX):
        return load(path)
    try:
        data = json.loads(gzip.decompress(Path(path).read_bytes()))
    except OSError as exc:
        raise ResultsError(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
    except ValueError as exc:
        raise ResultsError(f"{path}: not a gzip'd JSON record ({exc})") from None
    if not isinstance(data, dict) or data.get("record_schema") != RECORD_SCHEMA or not isinstance(data.get("cells"), list):
        raise ResultsError(f"{path}: not a determinism record (record_schema {RECORD_SCHEMA})")
    return dict(data, cells=[{"cell": c, "outcome": o, "class": k} for c, o, k in data["cells"]])


def _checkout_commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=locations.work_root(), capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else ""


def _write(out: Path, report: str, statuses: list, seconds: list, changed) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "determinism.md").write_text(report, encoding="utf-8")
    (out / "determinism.json").write_text(json.dumps({"runs": len(seconds), "exit_statuses": statuses, "seconds": seconds,
                                                      "changed": [{"cell": c, "outcomes": o} for c, o in changed]}, indent=1) + "\n")
    print(report)


def _compare(paths: list[Path], out: Path, rest: list[str], parser: argparse.ArgumentParser) -> int:
    """The same comparison over results.json files or records of runs made elsewhere."""
    from zipstore_compat.compat_tests.reports.results import ResultsError

    if rest:
        parser.error(f"--compare runs nothing, so it takes no matrix options: {' '.join(rest)}")
    if len(paths) < 2:
        parser.error("--compare needs 2 or more results.json files")
    runs = []
    for path in paths:
        try:
            runs.append(load_run(path))
        except ResultsError as exc:
            print(f"determinism: {exc}", file=sys.stderr)
            return 2
    # a results.json says neither its exit status nor how long it took; a record says both when it was told them
    statuses = ["?" if r.get("exit_status") is None else r["exit_status"] for r in runs]
    seconds = [None if r.get("minutes") is None else r["minutes"] * 60 for r in runs]
    changed = changes(runs)
    _write(out, markdown(runs, statuses, changed, seconds), statuses, seconds, changed)
    return 0 if not changed else 1


if __name__ == "__main__":
    sys.exit(main())
