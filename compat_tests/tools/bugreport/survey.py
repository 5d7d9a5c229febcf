"""report-bug over many cells: the figures of the README (how many shrank, archive sizes, script lines, --check results).

    python -m compat_tests report-bug --survey RESULTS [--sample] [--check] [--limit N] [--out DIR]

Writes DIR/survey.json: one line per cell (or why it could not be reported) and the medians.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

from compat_tests.tools.bugreport.command import REPORTABLE, ReportError, make_report
from compat_tests.tools.bugreport.shrink import HeavyLock
from compat_tests.tools.repro import sample_cells


def survey(results: Path, out: Path, sample: bool = True, check: bool = False, limit: int | None = None, only: list[str] | None = None) -> dict:
    cells = [c for c in json.loads(Path(results).read_text(encoding="utf-8"))["cells"] if c["outcome"] != "pass"]
    if sample:
        cells = sample_cells(cells)
    if only:
        cells = [c for c in cells if c["cell"] in only] or [{"cell": c} for c in only]
    cells = _interleaved(cells)
    cells = cells[:limit] if limit else cells
    rows = []
    with HeavyLock() as lock:  # held across cells, given up every few minutes
        for i, record in enumerate(cells, 1):
            _one(i, record, cells, rows, out, results, check, lock)
    return {"rows": rows, "summary": summarise(rows)}


def _one(i: int, record: dict, cells: list[dict], rows: list[dict], out: Path, results: Path, check: bool, lock: HeavyLock) -> None:
    cell = record["cell"]
    print(f"[{i}/{len(cells)}] {cell}", file=sys.stderr, flush=True)
    try:
        report = make_report(cell, out / cell, results, run_check=check, log=lambda m: print(m, file=sys.stderr, flush=True), lock=lock)
    except ReportError as exc:
        rows.append({"cell": cell, "outcome": record.get("outcome"), "reported": False, "why": str(exc)})
    except Exception as exc:  # one cell's failure is recorded, the survey goes on
        rows.append({"cell": cell, "outcome": record.get("outcome"), "reported": False, "why": f"{type(exc).__name__}: {exc}"[:300]})
    else:
        rows.append({"cell": cell, "outcome": record.get("outcome"), "reported": True, "shrank": report["shrank"],
                     "archive_bytes": report["archive_bytes"], "original_bytes": report["original_bytes"],
                     "script_lines": report["script_lines"], "tries": len(report["steps"]),
                     "check": (report["check"] or {}).get("outcome"), "wanted": report["script_outcome_wanted"],
                     "same_standalone": report["same_outcome_standalone"], "check_notes": (report["check"] or {}).get("notes")})
    (out / "survey.json").write_text(json.dumps({"rows": rows, "summary": summarise(rows)}, indent=1) + "\n", encoding="utf-8")


def _interleaved(cells: list[dict]) -> list[dict]:
    """Round-robin over readers (each reader and outcome early), timeouts last (each try waits out its limit)."""
    by_reader: dict[str, list[dict]] = {}
    for cell in sorted(cells, key=lambda c: (c["outcome"] == "timeout", c["cell"])):
        by_reader.setdefault(cell.get("reader", ""), []).append(cell)
    out = []
    while any(by_reader.values()):
        for queue in by_reader.values():
            if queue:
                out.append(queue.pop(0))
    return sorted(out, key=lambda c: c["outcome"] == "timeout")


def summarise(rows: list[dict]) -> dict:
    done = [r for r in rows if r["reported"]]
    checked = [r for r in done if r.get("check")]
    median = lambda xs: statistics.median(xs) if xs else None
    return {
        "cells": len(rows), "reported": len(done), "not reported": len(rows) - len(done),
        "shrank": sum(r["shrank"] for r in done),
        "median archive bytes": median([r["archive_bytes"] for r in done]),
        "median archive bytes (shrunk)": median([r["archive_bytes"] for r in done if r["shrank"]]),
        "under 10 KB": sum(r["archive_bytes"] < 10240 for r in done),
        "median script lines": median([r["script_lines"] for r in done]),
        "checked": len(checked), "same outcome standalone": sum(bool(r["same_standalone"]) for r in checked),
        "different standalone": [f"{r['cell']}: script {r['check']}, cell {r['wanted']}" for r in checked if not r["same_standalone"]],
        "outcomes": {o: sum(r["outcome"] == o for r in done) for o in REPORTABLE},
    }
