""""Since which version": per reader family and fixture, from the cells of every tested release.

In the manner of browser-compat-data: what the newest tested release does
with the archive, the oldest release from which every newer tested one does
the same, the last release before it that does not, and the releases
tested. Derived from the cells' recorded outcomes and versions only (never
typed by hand); a family tested at one release has no "since".

A release reads an archive when its cell passes, or is partial with a named
option (every value reads with a documented non-default option: a store
under a folder needs the folder passed, whatever the release). A partial
without an option reads partly; every other outcome fails. Cells that say
nothing about the release are left out, as missing coverage is not failure:
not-installed, fixture-error, unjudged, and a cell whose outcome matrix.yaml
accepts only as one of the other outcomes of a non-deterministic cause
(`also`: a race gives pass on one run and error on the next), listed as
`unsettled`. On a hostile archive, "reads" means "does what a correct reader
does" (compat_tests/outcomes.py), so the words are "handled correctly".
"""

from __future__ import annotations

from collections import defaultdict

from packaging.version import InvalidVersion, Version

UNTESTED = ("not-installed", "fixture-error", "unjudged")
LEVELS = ("fails", "reads-partly", "reads-with-option", "reads")   # worst to best
GROUP = {"fails": 0, "reads-partly": 1, "reads-with-option": 2, "reads": 2}  # with or without an option, it reads


def _key(version: str):
    try:
        return (0, Version(version.split("+")[0]))
    except InvalidVersion:
        return (1, version)


def level(cell: dict) -> str:
    outcome = cell["outcome"]
    if outcome == "pass":
        return "reads"
    if outcome == "partial":
        return "reads-with-option" if cell.get("option") else "reads-partly"
    return "fails"


def unsettled(cell: dict) -> bool:
    """The outcome is not the expected one but one matrix.yaml allows besides it (`also`): it says nothing settled."""
    return bool(cell.get("as_expected")) and cell.get("expected") not in (None, cell["outcome"])


def changed(payload: dict) -> list[dict]:
    """The records whose outcome depends on the release (the "Since which version" tables of matrix.md and matrix.html)."""
    return [s for s in payload.get("since") or [] if s["last_fail"] and (s["first_pass"] or s.get("last_read"))]


def since(cells: list[dict]) -> list[dict]:
    """One record per (family, fixture) tested at two or more releases."""
    groups: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
    skipped: dict[tuple[str, str], list[str]] = defaultdict(list)
    hostile: set[str] = set()
    for cell in cells:
        version = cell.get("version")
        if "kind:hostile" in (cell.get("tags") or []):
            hostile.add(cell["fixture"])
        key = (cell.get("family") or cell["reader"], cell["fixture"])
        if not version or cell["outcome"] in UNTESTED:
            continue
        if unsettled(cell):
            skipped[key].append(version)
            continue
        groups[key][version] = cell
    out = []
    for (family, fixture), by_version in sorted(groups.items()):
        if len(by_version) < 2:
            continue
        ordered = sorted(by_version, key=_key)
        levels = {v: level(by_version[v]) for v in ordered}
        out.append({
            "family": family, "fixture": fixture,
            "tested": [{"version": v, "outcome": by_version[v]["outcome"], "level": levels[v], "cell": by_version[v]["cell"]}
                       for v in ordered],
            "unsettled": sorted(skipped.get((family, fixture), []), key=_key),
            **verdict(ordered, levels, hostile=fixture in hostile),
        })
    return out


# What a release does with an archive, in words: [reads fully or with an option, reads partly, fails, read (past)].
# On a hostile archive "reading" it is doing what a correct reader does (compat_tests/outcomes.py).
WORDS = {False: ("reads", "reads partly", "fails", "read"),
         True: ("handled correctly", "handled partly correctly", "mishandled", "handled correctly")}


def verdict(ordered: list[str], levels: dict[str, str], hostile: bool = False) -> dict:
    """The newest release's level, since when every newer release keeps it, and what older releases did.

    first_pass: the oldest release from which every tested release reads (at least partly, when the
    newest reads partly); last_fail: the newest release that does not (the one before first_pass, or
    the newest release itself when it fails); last_read: when the newest release fails, the newest
    older release that read it (a regression).
    """
    reads, partly, fails, read = WORDS[hostile]
    newest = ordered[-1]
    group = GROUP[levels[newest]]
    record = {"level": levels[newest], "first_pass": None, "last_fail": None, "last_read": None}
    span = f"tested {', '.join(ordered)}"
    if group == 0:
        record["last_fail"] = newest
        reading = [v for v in ordered if GROUP[levels[v]] > 0]
        if not reading:
            record["text"] = f"{fails} in every tested release ({span})"
            return record
        last_read = reading[-1]
        record["last_read"] = last_read
        what = partly if GROUP[levels[last_read]] == 1 else reads
        record["text"] = f"no longer {what} since {ordered[ordered.index(last_read) + 1]} ({read} on {last_read}; {span})"
        return record
    first = newest
    for version in reversed(ordered[:-1]):
        if GROUP[levels[version]] < group:
            break
        first = version
    record["first_pass"] = first
    word = partly if group == 1 else reads
    how = ", with a non-default option" if levels[newest] == "reads-with-option" else ""
    if first == ordered[0]:
        record["text"] = f"{word} in every tested release{how} ({span})"
        return record
    last_fail = ordered[ordered.index(first) - 1]
    record["last_fail"] = last_fail
    before = fails if GROUP[levels[last_fail]] == 0 else f"only {partly}"
    earlier = [v for v in ordered[:ordered.index(last_fail)] if GROUP[levels[v]] >= group]
    history = ""
    if earlier:  # it read before, broke, and reads again
        history = f"; {read} on {', '.join(earlier)}, not from {ordered[ordered.index(earlier[-1]) + 1]}"
    prefix = "since" if (group == 2 and not hostile) else f"{word} since"
    record["text"] = f"{prefix} {first}{how} ({before} on {last_fail}{history}; {span})"
    return record
