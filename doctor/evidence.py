"""Which readers an archive property breaks, from a results payload: the one comparison with the baseline.

The rule: for a property P, take the fixtures that show it (a predicate over
fixture id and tags, as the summary's Property.shown_by is); for each reader,
compare its cell on each such fixture with its own cell on the baseline
archive of the same dataset (the fixture tagged `baseline` and the same
`dataset:` tag; for the hostile set, `hostile-baseline`). A reader breaks on P
when it reads the baseline and does not read the P fixture. A reader that
does not read the baseline either says nothing about P ("baseline-fails");
no cell, or a cell the harness could not run, is "not-tested".

Plain data in, plain data out (results.json's `cells`, docs/results-schema.md):
no import of ours but core, so that the matrix summary can share it.
"""

from __future__ import annotations

from zipstore_compat.core.outcomes import NOT_TESTED, PASS

BASELINE_TAG = "baseline"
HOSTILE_BASELINE_TAG = "hostile:baseline"
# per (reader, fixture): what the pair of cells says, best first as a reader's verdict prefers them
PAIR_VERDICTS = ("breaks", "reads-with-option", "reads", "baseline-fails", "not-tested")


def reads(cell: dict) -> bool:
    """The reader read the archive: every check held, by default or with a named non-default option."""
    return cell["outcome"] == PASS or (cell["outcome"] == "partial" and bool(cell.get("option")))


def tested(cell: dict | None) -> bool:
    return cell is not None and cell["outcome"] not in NOT_TESTED and cell["outcome"] != "unjudged"


def tested_version(cell: dict) -> str:
    """The release a cell ran: its `version`, else the `@release` of a versions-lane reader id, else the first library the
    adapter reports."""
    _, _, version = cell["reader"].partition("@")
    return str(cell.get("version") or version or next(iter((cell.get("versions") or {}).values()), ""))


def baselines(cells: list[dict]) -> dict[str, str]:
    """dataset key -> the baseline fixture of that dataset."""
    out = {}
    for cell in cells:
        tags = cell.get("tags") or []
        if BASELINE_TAG in tags or HOSTILE_BASELINE_TAG in tags:
            out.setdefault(dataset_key(tags), cell["fixture"])
    return out


def dataset_key(tags: list[str]) -> str:
    """Which baseline a fixture is compared with: its dataset, or for the hostile set the hostile control."""
    for tag in tags:
        if tag.startswith("dataset:"):
            return tag
    return "kind:hostile" if "kind:hostile" in tags else ""


def compare_with_baseline(payload: dict, shown_by, readers: list[str] | None = None) -> dict:
    """Per reader, what the fixtures that show a property do to it, compared with the baseline of their dataset.

    shown_by(fixture_id, tags) -> bool picks the property's fixtures. Returns
    {"fixtures": [...], "breaks": [reader ids], "readers": {reader: {"verdict": one of PAIR_VERDICTS, "version": ...,
     "pairs": [{"cell", "outcome", "baseline_cell", "baseline_outcome", "verdict", "option"?}], "wrong_data": bool}}};
    "fixtures" is empty when the results have no cell for the property.
    """
    cells = payload.get("cells") or []
    tags_of = {c["fixture"]: c.get("tags") or [] for c in cells}
    fixtures = sorted(f for f, tags in tags_of.items() if shown_by(f, tags) and BASELINE_TAG not in tags)
    baseline_of = baselines(cells)
    by_pair = {(c["reader"], c["fixture"]): c for c in cells}
    wanted = list(readers) if readers is not None else sorted({c["reader"] for c in cells if c["fixture"] in fixtures})
    out = {}
    for reader in wanted:
        pairs = []
        for fixture in fixtures:
            cell = by_pair.get((reader, fixture))
            base_id = baseline_of.get(dataset_key(tags_of[fixture]))
            base = by_pair.get((reader, base_id)) if base_id else None
            pairs.append(_pair(cell, base, reader, fixture, base_id))
        verdict = min((p["verdict"] for p in pairs), key=PAIR_VERDICTS.index, default="not-tested")
        seen = next((by_pair[(reader, f)] for f in fixtures if (reader, f) in by_pair), None)
        out[reader] = {"verdict": verdict, "version": tested_version(seen) if seen else "", "pairs": pairs,
                       "wrong_data": any(p["outcome"] in ("wrong-data", "silent-missing") for p in pairs)}
    return {"fixtures": fixtures, "breaks": [r for r, v in out.items() if v["verdict"] == "breaks"], "readers": out}


def _pair(cell: dict | None, base: dict | None, reader: str, fixture: str, base_id: str | None) -> dict:
    pair = {"cell": cell["cell"] if cell else f"{reader}--{fixture}", "outcome": cell["outcome"] if cell else None,
            "baseline_cell": base["cell"] if base else (f"{reader}--{base_id}" if base_id else None),
            "baseline_outcome": base["outcome"] if base else None}
    if not tested(cell) or not tested(base):
        pair["verdict"] = "not-tested"
    elif not reads(base):
        pair["verdict"] = "baseline-fails"
    elif not reads(cell):
        pair["verdict"] = "breaks"
    elif cell["outcome"] != PASS:
        pair.update(verdict="reads-with-option", option=cell.get("option"))
    else:
        pair["verdict"] = "reads"
    if pair["verdict"] == "breaks":
        pair["why"] = _first_line(cell.get("reason")) or _first_line(cell.get("message"))
    return pair


def _first_line(text: str | None) -> str:
    """matrix.yaml's reason or the cell's message, its first line."""
    text = (text or "").strip()
    return text.splitlines()[0].strip()[:300] if text else ""
