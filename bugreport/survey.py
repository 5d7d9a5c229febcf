"""report-bug over every non-pass cell of a results file: the figures of the README.

    python -m compat_tests report-bug --survey RESULTS [--sample] [--check | --check-per-reader] [--limit N] [--out DIR]

Affordable on two cores: the cells are shrunk in lockstep, a stage at a
time. Each stage builds every cell's next candidate archive at once (equal
candidates, as the readers of one fixture try them, are built once and kept
in the tiny-archive cache), with one writer process per writer environment,
then runs each cell's try in its reader's worker: one worker per
environment for the whole survey, in two lanes of environments side by
side. Each cell's tries are bounded in time (`budget` seconds of running
tries; one try's limit is the cell's own for a timeout, else TRY_TIMEOUT).

Cells that cannot be reported are classified without running anything,
with a short reason (another project's archive, a hand-made hostile
archive, fixture-error, not-installed...). Writes DIR/survey.json (one row
per cell, the summary) and DIR/survey.md, and DIR/<cell>/ for each report.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from zipstore_compat.bugreport.command import REPORTABLE, Prepared, ReportError, not_reportable, prepare, try_limit, write_report
from zipstore_compat.bugreport.shrink import HeavyLock, Shrinker, ShrinkResult, signature
from zipstore_compat.bugreport.tiny import TinyBuildError, build_many, tiny_key
from zipstore_compat.compat_tests.cells import Describer, run_cell
from zipstore_compat.repro.run import sample_cells
from zipstore_compat.compat_tests.workers import WorkerPool

BUDGET = 120.0      # seconds of running tries per cell


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def group_of(record: dict, why: str) -> str:
    """The short reason group of a cell that was not reported."""
    fixture = record.get("fixture") or record["cell"].split("--", 1)[-1]
    if record.get("outcome") not in REPORTABLE:
        return f"{record.get('outcome')}: not a library's bug"
    if "cannot state what to expect" in why:
        return "a crash or a hang on an array a correct reader must refuse (hostile-*: a 10^12-element shape): no values to expect"
    if "may or must refuse" in why:
        return "the failure is about an array a correct reader may or must refuse (hostile-*): a script that prints values cannot show it"
    if "reference reading cannot" in why:
        return ("the independent reference reading itself cannot read the archive or the array the failure is about "
                "(hostile-*: truncated, fake end record...): no expected values for a script")
    return why.split(":", 1)[0][:80]


def survey(results: Path, out: Path, sample: bool = False, check: bool = False, limit: int | None = None, only: list[str] | None = None,
           check_per_reader: bool = False, budget: float = BUDGET, lanes: int = 2) -> dict:
    started = time.perf_counter()
    cells = [c for c in json.loads(Path(results).read_text(encoding="utf-8"))["cells"] if c["outcome"] != "pass"]
    if sample:
        cells = sample_cells(cells)
    if only:
        cells = [c for c in cells if c["cell"] in only]
    cells = sorted(cells, key=lambda c: c["cell"])[:limit] if limit else sorted(cells, key=lambda c: c["cell"])
    out.mkdir(parents=True, exist_ok=True)
    rows: dict[str, dict] = {}
    prepared: dict[str, Prepared] = {}
    with HeavyLock() as lock:
        for record in cells:
            why = not_reportable(record)
            try:
                if why:
                    raise ReportError(why)
                prepared[record["cell"]] = prepare(record["cell"], results, record, lock)
            except ReportError as exc:
                rows[record["cell"]] = _row(record, reported=False, why=str(exc), group=group_of(record, str(exc)))
            except Exception as exc:  # one cell's failure is recorded, the survey goes on
                rows[record["cell"]] = _row(record, reported=False, why=f"{type(exc).__name__}: {exc}"[:300], group=type(exc).__name__)
        _log(f"{len(cells)} non-pass cells: {len(prepared)} to shrink, {len(rows)} classified without running")
        shrinkers = {cell: Shrinker(p.start, p.focus, p.target, budget) for cell, p in prepared.items() if p.start is not None}
        descriptions = _shrink_all(prepared, shrinkers, lock, lanes)
        _log(f"shrinking done in {time.perf_counter() - started:.0f} s; writing reports")
        checked_cells = set(prepared) if check else _one_per_reader(prepared, shrinkers) if check_per_reader else set()
        for cell, prep in prepared.items():
            shrinker = shrinkers.get(cell)
            shrunk = shrinker.result if shrinker else ShrinkResult(prep.target, None, None, None)
            shrunk.stopped = shrinker.stopped if shrinker else None
            try:
                report = write_report(prep, shrunk, out / cell, descriptions.get(prep.reader.id), run_check=cell in checked_cells,
                                      log=_log, lock=lock)
            except Exception as exc:
                rows[cell] = _row(prep.record, reported=False, why=f"{type(exc).__name__}: {exc}"[:300], group="report not written")
                continue
            rows[cell] = _row(prep.record, reported=True, report=report, stopped=shrunk.stopped)
    ordered = [rows[c["cell"]] for c in cells]
    result = {"results": str(results), "seconds": round(time.perf_counter() - started), "budget_seconds": budget,
              "rows": ordered, "summary": summarise(ordered)}
    (out / "survey.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    (out / "survey.md").write_text(markdown(result), encoding="utf-8")
    return result


def _row(record: dict, reported: bool, report: dict | None = None, why: str = "", group: str = "", stopped: str | None = None) -> dict:
    row = {"cell": record["cell"], "reader": record.get("reader") or record["cell"].split("--")[0], "outcome": record.get("outcome"),
           "reported": reported}
    if not reported:
        return dict(row, why=why, group=group)
    check = report["check"] or {}
    return dict(row, shrank=report["shrank"], external=bool(report.get("external")), hostile=row["cell"].split("--", 1)[1].startswith("hostile-"), archive_bytes=report["archive_bytes"], original_bytes=report["original_bytes"],
                script_lines=report["script_lines"], script_language=report["script_language"], tries=len(report["steps"]), stopped=stopped,
                scripts_checked={w["file"]: (w["check"] or {}).get("outcome") for w in report["scripts"] if w["check"]},
                seconds=round(sum(s["seconds"] for s in report["steps"]), 2), target=report["target"],
                check=check.get("outcome"), wanted=report["script_outcome_wanted"], same_standalone=report["same_outcome_standalone"],
                check_notes=check.get("notes"))


def _shrink_all(prepared: dict[str, Prepared], shrinkers: dict[str, Shrinker], lock: HeavyLock, lanes: int) -> dict[str, dict]:
    """Run every shrinker to its end, a stage at a time; returns each reader's description (versions) from its worker."""
    envs: dict[str, int] = {}
    for prep in prepared.values():
        envs[prep.reader.env] = envs.get(prep.reader.env, 0) + 1
    lane_of, load = {}, [0] * lanes
    for env, n in sorted(envs.items(), key=lambda kv: -kv[1]):   # the busiest environments spread over the lanes
        lane = load.index(min(load))
        lane_of[env], load[lane] = lane, load[lane] + n
    pools = [WorkerPool() for _ in range(lanes)]
    describers = [Describer(pool) for pool in pools]
    stage = 0
    try:
        while True:
            pending = {cell: s.pending for cell, s in shrinkers.items() if s.pending is not None}
            if not pending:
                break
            stage += 1
            lock.take()
            t0 = time.perf_counter()
            built = build_many([t.candidate for t in pending.values()])
            t1 = time.perf_counter()
            by_lane: list[list[str]] = [[] for _ in range(lanes)]
            for cell in pending:
                by_lane[lane_of[prepared[cell].reader.env]].append(cell)

            def run_lane(lane: int) -> None:
                for cell in sorted(by_lane[lane], key=lambda c: prepared[c].reader.env):
                    prep, shrinker, t = prepared[cell], shrinkers[cell], pending[cell]
                    got = built[tiny_key(t.candidate)]
                    if isinstance(got, TinyBuildError):
                        shrinker.tell(None, None, None, not_built=str(got))
                        continue
                    archive, manifest = got
                    began = time.perf_counter()
                    try:
                        result = run_cell(prep.reader, "tiny", archive, manifest, pools[lane], describers[lane], timeout=try_limit(prep.target))
                    except Exception as exc:  # a harness failure on one try: recorded as not run, the cell goes on
                        shrinker.tell(None, None, None, seconds=time.perf_counter() - began, not_built=f"not run: {type(exc).__name__}: {exc}")
                        continue
                    shrinker.tell(archive, manifest, signature(result, t.focus, prep.expected.outcome), result.message,
                                  seconds=time.perf_counter() - began)

            with ThreadPoolExecutor(lanes) as executor:
                list(executor.map(run_lane, range(lanes)))
            kept = sum(1 for cell in pending if shrinkers[cell].result.steps[-1].kept)
            _log(f"stage {stage}: {len(pending)} tries ({len(set(tiny_key(t.candidate) for t in pending.values()))} distinct archives, "
                 f"built or cached in {t1 - t0:.0f} s), {kept} kept, run in {time.perf_counter() - t1:.0f} s")
        for prep in prepared.values():   # versions for the issue text, from a worker that may not have run a try
            describers[lane_of[prep.reader.env]](prep.reader)
    finally:
        for pool in pools:
            pool.close()
    out = {}
    for describer in describers:
        out.update(describer.cache)
    return out


def _one_per_reader(prepared: dict[str, Prepared], shrinkers: dict[str, Shrinker]) -> set[str]:
    """One cell per reader to check standalone: a shrunk one if any, the rarest outcome first."""
    counts: dict[str, int] = {}
    for prep in prepared.values():
        counts[prep.record["outcome"]] = counts.get(prep.record["outcome"], 0) + 1
    picked: dict[str, str] = {}
    for cell in sorted(prepared, key=lambda c: (c not in shrinkers or shrinkers[c].result.mini is None, counts[prepared[c].record["outcome"]], c)):
        picked.setdefault(prepared[cell].reader.id, cell)
    return set(picked.values())


def summarise(rows: list[dict]) -> dict:
    done = [r for r in rows if r["reported"]]
    shrank = [r for r in done if r["shrank"]]
    checked = [r for r in done if r.get("check")]
    median = lambda xs: statistics.median(xs) if xs else None
    not_reported: dict[str, int] = {}
    for r in rows:
        if not r["reported"]:
            not_reported[r["group"]] = not_reported.get(r["group"], 0) + 1
    original_kept: dict[str, int] = {}
    for r in done:
        if not r["shrank"]:
            why = ("another project's archive (ext-*), as published: downloaded by its address, checked by its sha256" if r.get("external")
                   else "a hand-made hostile archive (hostile-*), as it is (already one small store)" if r.get("hostile")
                   else "timeout: a small archive answers in time" if r["outcome"] == "timeout" else "no smaller archive fails the same way")
            original_kept[why] = original_kept.get(why, 0) + 1
    return {
        "cells": len(rows), "reported": len(done), "not reported": len(rows) - len(done),
        "not reported, by reason": dict(sorted(not_reported.items(), key=lambda kv: -kv[1])),
        "shrank": len(shrank), "original archive kept": dict(sorted(original_kept.items(), key=lambda kv: -kv[1])),
        "stopped by the time bound": sum(bool(r.get("stopped")) for r in done),
        "median archive bytes": median([r["archive_bytes"] for r in done]),
        "median archive bytes (our fixtures)": median([r["archive_bytes"] for r in done if not r.get("external") and not r.get("hostile")]),
        "median archive bytes (shrunk)": median([r["archive_bytes"] for r in shrank]),
        "largest archive bytes (shrunk)": max([r["archive_bytes"] for r in shrank], default=None),
        "median original bytes (shrunk)": median([r["original_bytes"] for r in shrank]),
        "under 10 KB": sum(r["archive_bytes"] < 10240 for r in done),
        "median script lines": median([r["script_lines"] for r in done]),
        "median script lines (our fixtures)": median([r["script_lines"] for r in done if not r.get("external") and not r.get("hostile")]),
        "median script lines by language": {lang: median([r["script_lines"] for r in done if r["script_language"] == lang])
                                            for lang in sorted({r["script_language"] for r in done})},
        "script lines range": [min((r["script_lines"] for r in done), default=None), max((r["script_lines"] for r in done), default=None)],
        "median tries": median([r["tries"] for r in done]),
        "outcomes reported": {o: sum(r["outcome"] == o for r in done) for o in REPORTABLE},
        "outcomes shrunk": {o: sum(r["outcome"] == o for r in shrank) for o in REPORTABLE},
        "checked": len(checked), "same outcome standalone": sum(bool(r["same_standalone"]) for r in checked),
        "different standalone": [f"{r['cell']}: scripts {r['scripts_checked']}, cell {r['wanted']}" + (f" ({r['check_notes']})" if r.get("check_notes") else "")
                                 for r in checked if not r["same_standalone"]],
    }


def markdown(result: dict) -> str:
    s = result["summary"]
    lines = [f"# report-bug survey of {result['results']}", "",
             f"{s['cells']} non-pass cells in {result['seconds']} s (each cell's tries bounded to {result['budget_seconds']:g} s).", "",
             "| figure | value |", "|---|---|"]
    for key, value in s.items():
        if key != "different standalone":
            lines.append(f"| {key} | {json.dumps(value) if isinstance(value, (dict, list)) else value} |")
    if s["different standalone"]:
        lines += ["", "## Scripts whose standalone outcome differs", "", *[f"- {d}" for d in s["different standalone"]]]
    lines += ["", "## Cells", "", "| cell | outcome | reported | archive bytes | script lines | tries | check | why not |", "|---|---|---|---|---|---|---|---|"]
    for r in result["rows"]:
        if r["reported"]:
            lines.append(f"| `{r['cell']}` | {r['outcome']} | {'shrunk' if r['shrank'] else 'original'}{' (stopped)' if r.get('stopped') else ''} | "
                         f"{r['archive_bytes']:,} | {r['script_lines']} | {r['tries']} | {' '.join(f'{k}: {v}' for k, v in r['scripts_checked'].items())} | |")
        else:
            lines.append(f"| `{r['cell']}` | {r['outcome']} | no | | | | | {r['why'][:160].replace('|', '/')} |")
    return "\n".join(lines) + "\n"
