"""A maintainer's run in a few lines: what changed against the released column, for a terminal and a GitHub job summary.

summary_markdown(payload, released) is the Markdown written beside results.json (summary.md), to --summary FILE and
to $GITHUB_STEP_SUMMARY: what was tested (each reader's library and version, the interpreter, the corpus, the
release compared with), the counts, then the cells that are NEWLY FAILING (regressions), return WRONG DATA, are newly
passing (with the matrix.yaml entry that can go), changed, or could not be tested. terminal_lines(changes) is the
same, short, for pytest's terminal summary.
"""

from __future__ import annotations

from collections import Counter

from zipstore_compat.core.outcomes import LOUD

KINDS = ("regression", "fixed", "changed", "new", "as-expected", "not-tested")
WORDS = {"regression": "NEWLY FAILING", "fixed": "fixed", "changed": "changed", "new": "new", "as-expected": "as released",
         "not-tested": "not tested"}
ROWS = 40   # cells listed per section at most (a job summary has a size limit; results.json has every cell)


def _md(text) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def _entry_text(index: int | None, entries: list[dict]) -> str:
    if index is None or not (0 <= index < len(entries)):
        return "(no matrix.yaml entry)"
    entry = entries[index]
    return f"entry {index + 1}: cells {', '.join(entry['cells'][:3])}{' ...' if len(entry['cells']) > 3 else ''} ({entry['outcome']}: {entry['link']})"


def summary_markdown(payload: dict, released: dict, wrong_data_fails: bool = True, entries: list[dict] | None = None) -> str:
    from zipstore_compat.compat_tests import expectations

    cells = payload.get("cells") or []
    changes = [c["released"] for c in cells if c.get("released")]
    by_cell = {c["cell"]: c for c in cells}
    entries = entries if entries is not None else expectations.load()
    counts = Counter(c["kind"] for c in changes)
    wrong = [c for c in changes if c["outcome"] in LOUD]
    failing = counts["regression"] or (wrong and wrong_data_fails) or any(c["outcome"] == "not-installed" for c in changes)
    run = payload.get("run", {})
    lines = [f"## zipstore-compat: {'FAILED' if failing else 'passed'} against the released column of zipstore-compat {released.get('suite')}", ""]
    readers = {}
    for cell in cells:
        readers.setdefault(cell["reader"], cell)
    for reader, cell in readers.items():
        versions = ", ".join(f"{k} {v}" for k, v in (cell.get("versions") or {}).items() if k != "tools") or "versions not reported"
        baseline = next((c["baseline"] for c in changes if c["cell"].startswith(reader + "--") and c.get("baseline")), None)
        lines.append(f"- **{_md(reader)}** ({_md(cell.get('library'))}): {_md(versions)[:300]}; compared with {_md(baseline or 'no released column')}")
    lines.append(f"- interpreter: `{run.get('current_env') or 'the suite environments'}`; corpus: `{run.get('corpus') or 'built here'}`")
    if run.get("not_tested"):
        lines.append(f"- not tested: {len(run['not_tested'])} fixture(s) not in this corpus (other projects' archives)")
    lines += ["", "| " + " | ".join(WORDS[k] for k in KINDS) + " | wrong or missing data |", "|" + "---|" * (len(KINDS) + 1),
              "| " + " | ".join(str(counts[k]) for k in KINDS) + f" | {len(wrong)} |", ""]

    def section(title: str, rows: list[dict], with_entry: bool = False) -> None:
        if not rows:
            return
        lines.extend([f"### {title} ({len(rows)})", "", "| cell | now | released | message |" + (" matrix.yaml |" if with_entry else ""),
                      "|---|---|---|---|" + ("---|" if with_entry else "")])
        for change in rows[:ROWS]:
            entry = f" {_md(_entry_text(change.get('matrix_entry'), entries))} |" if with_entry else ""
            lines.append(f"| `{change['cell']}` | {change['outcome']} | {change['released'] or '-'} | {_md(change['message'])[:200]} |{entry}")
        if len(rows) > ROWS:
            lines.append(f"| ... {len(rows) - ROWS} more in results.json | | | |" + (" |" if with_entry else ""))
        lines.append("")

    section("NEWLY FAILING against the released version (regressions)", [c for c in changes if c["kind"] == "regression"])
    section("WRONG DATA or data missing (values differ, or arrays absent, no error)" + ("" if wrong_data_fails else ": reported, not failing (--known-wrong-data report)"), wrong)
    section("Newly passing: the matrix.yaml entry to remove (or narrow to the releases that still fail)",
            [c for c in changes if c.get("newly_passing")], with_entry=True)
    section("Better than released, not passing yet", [c for c in changes if c["kind"] == "fixed" and not c.get("newly_passing")])
    section("Changed (another outcome of the same rank)", [c for c in changes if c["kind"] == "changed"])
    section("New cells (not in the released column)", [c for c in changes if c["kind"] == "new"])
    section("Not tested", [c for c in changes if c["kind"] == "not-tested"])
    repro = next((by_cell[c["cell"]].get("repro") for c in changes if c["kind"] == "regression" and by_cell.get(c["cell"])), None)
    if repro:
        lines += [f"Reproduce a cell from a checkout of the suite: `{repro}`", ""]
    return "\n".join(lines).rstrip() + "\n"


def terminal_lines(changes: list[dict], released: dict) -> list[tuple[str, dict]]:
    """(line, colour) for pytest's terminal summary."""
    counts = Counter(c["kind"] for c in changes)
    out = [(f"against the released column of zipstore-compat {released.get('suite')}: "
            + ", ".join(f"{WORDS[k]} {counts[k]}" for k in KINDS if counts[k]), {"bold": True})]
    for change in changes:
        if change["kind"] == "regression":
            out.append((f"NEWLY FAILING  {change['cell']}: {change['outcome']} (released: {change['released']}): {change['message'][:160]}",
                        {"red": True, "bold": True}))
    for change in changes:
        if change.get("newly_passing"):
            out.append((f"newly passing  {change['cell']}: was {change['released']}; its matrix.yaml entry can go "
                        f"(entry {change['matrix_entry'] + 1 if change.get('matrix_entry') is not None else '?'})", {"green": True}))
    for change in changes:
        if change["kind"] == "not-tested" and change["outcome"] == "not-installed":
            out.append((f"NOT INSTALLED  {change['cell'].split('--')[0]}: {change['message'][:200]}", {"yellow": True, "bold": True}))
            break
    return out
