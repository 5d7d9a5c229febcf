"""The writers of a run's archives: a record per archive (results.json `writers`), and the summary's archive column.

Every generated archive is checked when it is built (fixtures/writer_check.py): its members' CRC-32 and sizes, and
the reference reading of every array against what the writer was given. A cell records its archive's writer and
that check (`writer`, docs/reference/results-schema.md); this module gathers them: one record per archive, and for
a summary row the archive column ("intact", or "CORRUPT: the writer produced a corrupt archive" with why). A broken
archive is the writer's finding, never the readers': it is said once, in that column, beside the readers' verdicts.
"""

from __future__ import annotations

CORRUPT = "the writer produced a corrupt archive"


def writer_records(cells: list[dict]) -> list[dict]:
    """One record per archive that a writer of ours made (generated fixtures), from its cells, by fixture id."""
    seen: dict[str, dict] = {}
    for cell in cells:
        writer = cell.get("writer")
        if not writer or cell["fixture"] in seen or "remote" in cell.get("tags", []):
            continue
        seen[cell["fixture"]] = {"fixture": cell["fixture"], "writer": writer["id"], "intact": writer["intact"],
                                 "problems": list(writer.get("problems") or []), "nondeterministic": bool(writer.get("nondeterministic"))}
    return [seen[f] for f in sorted(seen)]


def archive_cell(fixtures: list[str], records: dict[str, dict]) -> dict:
    """The summary's archive column for a row's fixtures: intact, or which of them are corrupt and why."""
    checked = [records[f] for f in fixtures if f in records]
    if not checked:
        return {"verdict": "not-checked", "text": "not checked", "fixtures": []}
    broken = [r for r in checked if not r["intact"]]
    if not broken:
        return {"verdict": "intact", "text": "intact" if len(checked) == 1 else f"intact ({len(checked)} archives)",
                "fixtures": [r["fixture"] for r in checked]}
    first = broken[0]
    count = "" if len(broken) == len(checked) == 1 else f" ({len(broken)} of {len(checked)} archives)"
    return {"verdict": "corrupt", "text": f"CORRUPT: {CORRUPT}{count}", "reason": f"{first['fixture']}: {first['problems'][0] if first['problems'] else ''}",
            "fixtures": [r["fixture"] for r in broken]}
