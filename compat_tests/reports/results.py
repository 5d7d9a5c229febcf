"""results.json: read, validate, merge and diff results of matrix runs.

Schema (results_schema 1), documented in docs/results-schema.md:
    {"results_schema": 1,
     "run": {"started", "python", "platform", "machine", "ci", "strict",
             "readers": {reader: {library: version, ...}}, "cache": {...}, "merged_from": [run, ...]?},
     "cells": [{"cell", "reader", "fixture", "tags", "outcome", "expected",
                "as_expected", "message", "details", "notes", "option", "reason",
                "link", "library", "call", "versions", "seconds",
                "wall_seconds", "repro", "cached", "ran"}],
     "summary": {"families", "rows"}}   derived from the cells (compat_tests/reports/summary.py)

While a run goes on, each finished cell is appended to results.jsonl beside
results.json (a first line {"results_schema", "run"}, then one cell record
per line, written and flushed as the cell finishes). results.json replaces
it at the end; after a killed run, load() reads the .jsonl as it is (a cut
last line is dropped), so `report render results.jsonl` shows every
finished cell.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from zipstore_compat.core.outcomes import OUTCOMES, RANK
from zipstore_compat.compat_tests.reports.summary import summarize

SCHEMA_VERSION = 1


class ResultsError(ValueError):
    pass


def interrupted_text(run: dict) -> str:
    """What a run stopped early says wherever its results are shown ("" for a complete run)."""
    stopped = run.get("interrupted")
    if not stopped:
        return ""
    return (f"INTERRUPTED after {stopped['after']} of {stopped['of']} cells: this table holds the cells that finished, "
            "not a complete run of a smaller selection")


def lines_path(results: Path) -> Path:
    return Path(results).with_suffix(".jsonl")


class LinesWriter:
    """Appends cell records to results.jsonl as they finish."""

    def __init__(self, path: Path, run: dict):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(path, "w", encoding="utf-8")
        self._write({"results_schema": SCHEMA_VERSION, "run": run})

    def _write(self, record: dict) -> None:
        self.handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def append(self, cell: dict) -> None:
        self._write(cell)

    def finish(self) -> None:
        """results.json holds everything now: the lines are no longer needed."""
        self.handle.close()
        self.path.unlink(missing_ok=True)


def start_lines(results: Path, run: dict) -> LinesWriter:
    return LinesWriter(lines_path(results), run)


def _load_lines(text: str) -> dict:
    """A results.jsonl: its first line is the run, every other line a cell; a cut last line is dropped."""
    rows = []
    for line in text.splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:
            continue  # the line being written when the run was killed
    if not rows or not isinstance(rows[0], dict) or "run" not in rows[0]:
        return {}
    cells = {}
    readers = {}
    for cell in rows[1:]:
        if isinstance(cell, dict) and "cell" in cell:
            cells[cell["cell"]] = cell
            readers.setdefault(cell.get("reader"), cell.get("versions") or {})
    run = dict(rows[0]["run"], readers=readers, partial=True)
    return {"results_schema": rows[0].get("results_schema"), "run": run, "cells": sorted(cells.values(), key=lambda c: c["cell"])}


def load(path: Path) -> dict:
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = _load_lines(text) if str(path).endswith(".jsonl") else json.loads(text)
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
    from zipstore_compat.compat_tests.reports.since import since

    # each part's cache facts stay in merged_from; the merged table counts its cached cells from the cells
    run = {**{k: v for k, v in first.items() if k not in ("readers", "cache")}, "readers": readers, "merged_from": runs}
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
