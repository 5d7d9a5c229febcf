"""The support table from results.json: Markdown (GitHub-flavoured), the summary first, then every cell."""

from __future__ import annotations

from pathlib import Path

from zipstore_compat.compat_tests.reports import since, summary
from zipstore_compat.compat_tests.reports.results import interrupted_text
from zipstore_compat.compat_tests.result_cache import run_info_text

SYMBOL = {
    "pass": "✅", "partial": "🟡", "wrong-data": "❌ WRONG DATA", "silent-missing": "❌ DATA MISSING, NO ERROR", "error": "⛔", "crash": "💥",
    "timeout": "⏱", "slow": "🐢", "unsupported": "➖", "not-installed": "∅", "fixture-error": "🧱", "unjudged": "❔",
}


def write_markdown(payload: dict, path: Path) -> None:
    cells = payload["cells"]
    readers = summary.reader_order(c["reader"] for c in cells)
    fixtures = sorted({c["fixture"] for c in cells})
    by = {(c["reader"], c["fixture"]): c for c in cells}
    versions = payload["run"]["readers"]
    lines = ["# zipstore-compat support matrix", ""]
    lines.append(f"Run {payload['run']['started']} on Python {payload['run']['python']}, {payload['run']['platform']}.")
    lines.append("")
    lines.append(run_info_text(payload))  # which cells ran now and which came from the cache (compat_tests/result_cache.py)
    lines.append("")
    if interrupted_text(payload["run"]):
        lines += [f"**{interrupted_text(payload['run'])}.**", ""]
    for fixture_id, why in sorted((payload["run"].get("not_tested") or {}).items()):
        lines.append(f"- not tested: `{fixture_id}`: {why}")
    if payload["run"].get("not_tested"):
        lines.append("")
    lines.append("## Summary")
    lines.append("")
    lines.append("Who reads an archive with this property, derived from the cells below (rules: `compat_tests/reports/summary.py`): "
                 "a family's best reader counts, named when its readers disagree; the number of archives that show the property in brackets.")
    lines.append("")
    lines += summary.markdown_lines(summary.summarize(payload))
    lines.append("")
    lines.append("## Every cell")
    lines.append("")
    lines.append("Legend: " + ", ".join(f"{v} {k}" for k, v in SYMBOL.items()) + "; a trailing `!` marks an outcome matrix.yaml does not expect.")
    lines.append("")
    header = ["fixture"] + [f"{r}<br><sub>{', '.join(f'{k} {v}' for k, v in list((versions.get(r) or {}).items())[:2])}</sub>" for r in readers]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    notes = []
    for fixture in fixtures:
        row = [f"`{fixture}`"]
        for reader in readers:
            cell = by.get((reader, fixture))
            if cell is None:
                row.append("")
                continue
            mark = SYMBOL.get(cell["outcome"], cell["outcome"]) + ("" if cell["as_expected"] else " !")
            if cell.get("unchecked"):
                mark += " (not all checked)"
            if cell["outcome"] != "pass" or cell.get("unchecked"):
                notes.append(cell)
                mark += f" [{len(notes)}]"
            row.append(mark)
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    changed = since.changed(payload)  # the outcome depends on the release
    if changed:
        lines += ["## Since which version", "", "Where the outcome depends on the release (the versions lane):", "",
                  "| reader family | fixture | since |", "|---|---|---|"]
        lines += [f"| {s['family']} | `{s['fixture']}` | {s['text']} |" for s in changed]
        lines.append("")
    lines.append("## Notes")
    lines.append("")
    for number, cell in enumerate(notes, 1):
        link = f" ({cell['link']})" if cell.get("link") else ""
        cached = f" (from the cache: ran {cell['ran']})" if cell.get("cached") else ""
        lines.append(f"{number}. `{cell['cell']}`: **{cell['outcome']}**{link}{cached}: {cell['message'][:400]}  ")
        lines.append(f"   reproduce: `{cell['repro']}`")
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
