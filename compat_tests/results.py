"""results.json: read, validate, merge and diff results of matrix runs.

Schema (results_schema 1), documented in docs/results-schema.md:
    {"results_schema": 1,
     "run": {"started", "python", "platform", "machine", "ci", "strict",
             "readers": {reader: {library: version, ...}}, "merged_from": [run, ...]?},
     "cells": [{"cell", "reader", "fixture", "tags", "outcome", "expected",
                "as_expected", "message", "details", "notes", "option", "reason",
                "link", "library", "call", "versions", "seconds",
                "wall_seconds", "repro"}],
     "summary": {"families", "rows"}}   derived from the cells (compat_tests/summary.py)
"""

from __future__ import annotations

import json
from pathlib import Path

from compat_tests.cells import OUTCOMES
from compat_tests.summary import summarize

SCHEMA_VERSION = 1
# how good an outcome is, for "regressed" and "newly passing"
RANK = {"pass": 0, "partial": 1, "unsupported": 2, "not-installed": 2, "fixture-error": 2,
        "error": 3, "timeout": 3, "crash": 4, "wrong-data": 5, "silent-missing": 5}


class ResultsError(ValueError):
    pass


def load(path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ResultsError(f"{path}: cannot read ({exc.strerror})") from None
    except ValueError as exc:
        raise ResultsError(f"{path}: not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("results_schema") != SCHEMA_VERSION or not isinstance(data.get("cells"), list):
        raise ResultsError(f"{path}: not a zipstore-compat results file (results_schema {SCHEMA_VERSION})")
    for cell in data["cells"]:
        if not isinstance(cell, dict) or cell.get("outcome") not in OUTCOMES or not {"cell", "reader", "fixture"} <= cell.keys():
            raise ResultsError(f"{path}: a cell record without its ids (cell, reader, fixture) or a known outcome: {str(cell)[:120]}")
    return data


def merge(payloads: list[dict]) -> dict:
    """One table from several runs (CI jobs, library versions); a later file's cell replaces an earlier one."""
    cells: dict[str, dict] = {}
    readers: dict[str, dict] = {}
    runs = []
    for payload in payloads:
        runs.append({k: v for k, v in payload["run"].items() if k != "readers"})
        readers.update(payload["run"].get("readers", {}))
        for cell in payload["cells"]:
            cells[cell["cell"]] = cell
    first = payloads[0]["run"]
    from compat_tests.since import since

    run = {**{k: v for k, v in first.items() if k != "readers"}, "readers": readers, "merged_from": runs}
    merged = {"results_schema": SCHEMA_VERSION, "run": run, "cells": sorted(cells.values(), key=lambda c: c["cell"])}
    merged["since"] = since(merged["cells"])
    merged["summary"] = summarize(merged)  # derived from the merged cells, never carried over from the parts
    return merged


def diff(old: dict, new: dict) -> dict[str, list[tuple]]:
    before = {c["cell"]: c for c in old["cells"]}
    after = {c["cell"]: c for c in new["cells"]}
    out = {"newly passing": [], "regressed": [], "changed": [], "new cells": [], "gone": []}
    for cell, record in sorted(after.items()):
        if cell not in before:
            out["new cells"].append((cell, None, record["outcome"]))
            continue
        was, now = before[cell]["outcome"], record["outcome"]
        if was == now:
            continue
        if now == "pass":
            out["newly passing"].append((cell, was, now))
        elif RANK[now] > RANK[was]:
            out["regressed"].append((cell, was, now))
        else:
            out["changed"].append((cell, was, now))
    out["gone"] = [(cell, before[cell]["outcome"], None) for cell in sorted(set(before) - set(after))]
    return out


def diff_markdown(changes: dict[str, list[tuple]], old_name: str, new_name: str) -> str:
    lines = [f"# Matrix changes: {old_name} -> {new_name}", ""]
    for title, rows in changes.items():
        lines.append(f"## {title} ({len(rows)})")
        lines.append("")
        for cell, was, now in rows:
            lines.append(f"- `{cell}`: {was or '-'} -> {now or '-'}")
        if not rows:
            lines.append("none")
        lines.append("")
    return "\n".join(lines)
