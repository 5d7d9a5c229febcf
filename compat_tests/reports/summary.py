"""The summary of a run: archive properties x reader families, in words.

The one definition of the summary rules, used by results.json (its `summary`
section), matrix.md and matrix.html alike. What is written here by hand is
which fixtures show a property (by their tags, never by their names) and the
order of the families; every summary cell is derived from the detailed cells
of the run and lists them.

Rules, from the detailed cells up:
1. a cell's verdict: pass -> reads; partial with a named option -> reads with
   option X; other partial -> reads partly; wrong-data -> WRONG DATA;
   error, crash, timeout, unsupported -> fails; not-installed, fixture-error
   or no cell -> not tested.
2. a reader's verdict on a property, over the property's fixtures (untested
   ones left out): WRONG DATA if any cell is; the common verdict if all agree
   (reads with option X if some need the option and the rest read); otherwise
   "reads N of M", naming a fixture it fails on.
3. a family's verdict: the best verdict of its readers, naming the readers
   that reach it when they do not all agree; a WRONG DATA of any reader is
   always shown beside it.
4. versions: a reader id `name@version` (or a cell's `lane` field) is one
   tested version of reader `name`; the verdict is the newest version's, and
   "since N" is the oldest version from which every newer tested one reads.
5. what a property changes: a property row compares each reader with its own
   result (same release) on the archive the property departs from: the same
   dataset and variant with the row's own axes set back to the baseline's
   (`reference_of`; the writer and layout too where no such archive exists).
   A fixture the reader fails exactly as it fails its reference is set aside
   ("as on the baseline": the baseline row says it once); one it reads as it
   reads its reference counts as reading, whatever option both need; the
   rest are judged as in rule 2, and a failure the reference does not have
   says "only with this property". WRONG DATA is never set aside. The
   baseline row, the synthetic baseline and other projects' archives are
   judged absolutely.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zipstore_compat.compat_tests.reports.since import unsettled
from zipstore_compat.compat_tests.reports.writers import archive_cell, writer_records
from zipstore_compat.fixtures.axes import REAL_DATA  # archive properties are judged on real data; the synthetic set has its own rows

# The summary's column groups, ordered by how many people read Zarr with each library (our
# estimate): zarr-python itself, then what is built on it (xarray, dask, fsspec), then the
# independent implementations, TensorFlow pipelines, and the h5py negative control last.
# Which readers a group holds is each reader's own declaration (`group`, `rank`: compat_tests/readers.py).
GROUPS: list[tuple[str, str]] = [
    ("zarr-python", "zarr-python"),
    ("xarray", "xarray"),
    ("dask", "dask"),
    ("fsspec", "fsspec"),
    ("gdal", "GDAL"),
    ("rasterio", "rasterio (its own GDAL)"),
    ("netcdf", "netCDF"),
    ("tensorstore", "tensorstore"),
    ("zarrs", "zarrs (Rust)"),
    ("zarrita", "zarrita.js"),
    ("tensorflow", "TensorFlow"),
    ("h5py", "h5py (control)"),
]



@dataclass(frozen=True)
class Property:
    """A row of the summary: the fixtures that show one archive property.

    A fixture shows it when it has every tag in `tags`, its dataset kind is in
    `kinds`, and (unless `axes` is None) it departs from the baseline along
    exactly `axes`, so that nothing else explains the outcome.
    """
    id: str
    group: str
    label: str
    tags: tuple[str, ...]
    axes: tuple[str, ...] | None = ()
    kinds: tuple[str, ...] = REAL_DATA
    fixture: str | None = None     # a row for one archive (your own)
    own: tuple[str, ...] = ()      # the axes whose effect the row shows (rule 5); () : judged absolutely
    habit: str = ""                # a reader habit's row (compat_tests/habits.py): concurrency, slow
    remote: bool = False           # a row of remote cells (tag "remote"); the other rows never count them

    def shown_by(self, fixture: str, tags: list[str]) -> bool:
        if ("remote" in tags) != self.remote:
            return False
        if self.fixture is not None:
            return fixture == self.fixture
        kind = next((t[len("kind:"):] for t in tags if t.startswith("kind:")), "")
        return kind in self.kinds and set(self.tags) <= set(tags) and self._axes_match(tags)

    def _axes_match(self, tags: list[str]) -> bool:
        return self.axes is None or {t[len("axis:"):] for t in tags if t.startswith("axis:")} == set(self.axes)


def axis_properties() -> list[Property]:
    """The rows the axes declare (fixtures/axes.py `rows`; the writer axis: one per declared writer), in their groups' order."""
    from zipstore_compat.fixtures.axes import axis_rows

    return [Property(r.id, r.group, r.label, r.tags, r.axes, r.kinds, own=r.own) for r in axis_rows()]


PROPERTIES: list[Property] = [
    Property("baseline", "Baseline", "the baseline: Zarr 3, stored members, entries at the root, zarr-python 3 ZipStore", ("baseline",)),
    *axis_properties(),   # each axis' rows, from its declaration (fixtures/axes.py): values, writers, archive layers
    Property("dtypes-v3", "Data types", "every data type of the synthetic set, Zarr 3", ("baseline",), (), ("synthetic",)),
    Property("dtypes-v2", "Data types", "every data type of the synthetic set, Zarr 2", ("format:v2",), ("zarr_format",), ("synthetic",), own=("zarr_format",)),
    # reader habits: what a reader does on every archive, measured once, never charged to an archive property
    Property("habit-concurrency", "Reader habits", "concurrent reads: the same archives (stored, deflate, sharded) read many times",
             ("habit:concurrency",), None, ("habit",), habit="concurrency"),
    Property("habit-slow", "Reader habits", "slow path: answers, but slower than the cell limit (measured once)",
             (), None, (*REAL_DATA, "synthetic", "entries"), habit="slow"),
    Property("habit-cf", "Reader habits", "CF decoding by default: values equal to a fill value masked as NaN, times as dates",
             (), None, (*REAL_DATA, "synthetic", "external"), habit="cf"),
]

VERDICT_BY_OUTCOME = {
    "pass": "reads", "wrong-data": "wrong-data", "silent-missing": "wrong-data",  # data gone without an error: as loud
    "error": "fails", "crash": "fails", "timeout": "fails", "unsupported": "fails",
    "not-installed": "not-tested", "fixture-error": "not-tested", "unjudged": "not-tested",
    "slow": "not-tested",   # a reader habit (the slow-path row), never charged to an archive property
}  # partial: "reads-with-option" or "reads-partly", by whether an option is named
# best first: a family shows its best reader's verdict; "as-baseline" (rule 5) after every verdict the property causes,
# so that a family shows what the property changes for one of its readers before what it changes for none
VERDICTS = ("reads", "reads-with-option", "reads-some", "reads-partly", "fails", "wrong-data", "as-baseline", "not-tested")
READING = ("reads", "reads-with-option")
LEGEND = {
    "reads": "every check holds with the default call",
    "reads-with-option": "reads correctly only when the named non-default option is passed",
    "reads-some": "reads some of the archives that have this property, not all",
    "reads-partly": "opens, but some checks fail (which: in the details)",
    "fails": "raises, crashes, times out, or refuses by design",
    "wrong-data": "opens and returns values that differ from what was written",
    "as-baseline": "fails on these archives exactly as on the archive without the property: the property changes nothing",
    "not-tested": "no cell ran (environment not buildable here, or no such archive)",
}


def _external_properties(cells: list[dict]) -> list[Property]:
    """Archives made by other projects, by Zarr format (their tags say no more: the rest is in each archive's panel),
    and one row per archive of your own."""
    rows = [Property(f"external-v{n}", "Archives from other projects", f"made by other projects (external/), Zarr {n}",
                     ("kind:external", f"format:v{n}"), None, ("external",)) for n in (2, 3)]
    own = sorted({c["fixture"] for c in cells if "kind:byo" in c.get("tags", [])})
    rows += [Property(f"byo-{_slug(f)}", "Your archives", f, (), None, ("byo",), fixture=f) for f in own]
    return rows


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def reader_and_version(cell: dict) -> tuple[str, str]:
    """(reader, tested version): the release the cell records (`version`, the entry its reader names with version_key:
    GDAL's for rasterio), else the `@release` of a versions-lane reader id, else the library the adapter names first."""
    reader, _, version = cell["reader"].partition("@")
    return reader, cell.get("version") or version or main_version(cell.get("versions") or {})[1]


def main_version(versions: dict) -> tuple[str, str]:
    """(library, version) of the library under test: adapters name it first in versions()."""
    for name, value in versions.items():
        return name, str(value)
    return "", ""


def version_library(cell: dict) -> str:
    """The library whose release the cell's `version` is: the versions entry that says it (GDAL's for rasterio, netCDF-C's
    for netCDF4 built on it), so that a version is never shown under another library's name; else the adapter's first."""
    versions = cell.get("versions") or {}
    if cell.get("version"):
        for name, value in versions.items():
            if str(value) == str(cell["version"]):
                return name
    return main_version(versions)[0]


def version_key(version: str) -> tuple:
    """Orders 2.18.7 < 3.0.0 < 3.1.6 < 3.10; text parts after numbers (rc, post) sort as text."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.+-]", version))


def _declared() -> dict:
    from zipstore_compat.compat_tests.readers import readers

    return readers()


def family_of(reader: str) -> str:
    """The reader's declared group; a reader no declaration knows (an old results file) is a group of its own."""
    declared = _declared().get(reader)
    return declared.group if declared else reader


def reader_order(readers) -> list[str]:
    """Readers in group order (then by their rank in the group), unknown ones last by name; versions newest first."""
    group_index = {group: i for i, (group, _) in enumerate(GROUPS)}
    declared = _declared()

    def key(reader_id: str):
        base, _, version = reader_id.partition("@")
        known = declared.get(base)
        place = (group_index.get(known.group, len(GROUPS)), known.rank) if known else (len(GROUPS) + 1, 0)
        return (*place, base, tuple(-x[1] if x[0] == 0 else 0 for x in version_key(version)) if version else ())
    return sorted(set(readers), key=key)


def cell_verdict(cell: dict) -> str:
    if cell["outcome"] == "partial":
        return "reads-with-option" if cell.get("option") else "reads-partly"
    return VERDICT_BY_OUTCOME[cell["outcome"]]


def first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0].strip() if (text or "").strip() else ""


def why(cell: dict) -> str:
    """The one-line reason of a cell that does not simply read: matrix.yaml's reason, else the message."""
    return first_line(cell.get("reason")) or first_line(cell.get("message"))


def _reader_verdict(cells: list[dict], refs: dict[str, dict | None] | None = None) -> dict:
    """Rule 2 (and rule 5 where `refs` gives each cell the reference cell it is compared with): one reader (one
    version) over the fixtures of a property."""
    refs = refs or {}
    ids = [c["cell"] for c in cells]
    kept, set_aside, broken, fixed, as_before = [], [], [], [], []
    for c in cells:
        relation = relation_to(c, refs.get(c["cell"]))
        if relation == "same-failing":
            set_aside.append(c)
            continue
        kept.append(c)
        if relation == "same-reading" and cell_verdict(c) != "reads":   # it needs the option its reference needs
            as_before.append(c["cell"])
        elif relation == "breaks":
            broken.append(c["cell"])
        elif relation == "fixes":
            fixed.append(c["cell"])
    if set_aside and not [c for c in kept if cell_verdict(c) != "not-tested"]:
        return {"verdict": "as-baseline", "reason": f"{set_aside[0]['fixture']}: {why(set_aside[0])}", "cells": ids,
                "absolute": cell_verdict(set_aside[0])}
    out = _absolute_verdict(kept, as_before)
    out["cells"] = ids
    if out["verdict"] not in READING and broken:
        out["only"] = True          # its reference reads: the property is what fails
    if out["verdict"] in READING and fixed and not as_before:
        out["baseline_fails"] = True
    if as_before and out["verdict"] in READING:
        out["as_baseline"] = True
    if set_aside:
        out["set_aside"] = [c["cell"] for c in set_aside]
    return out


def relation_to(cell: dict, ref: dict | None) -> str:
    """How a cell's verdict compares with its reference's (rule 5): same-reading, same-failing, breaks, fixes, differs,
    or absolute (no reference, or one of the two not tested). WRONG DATA is never same-failing: it is never set aside."""
    if ref is None:
        return "absolute"
    mine, theirs = cell_verdict(cell), cell_verdict(ref)
    if "not-tested" in (mine, theirs):
        return "absolute"
    if mine in READING and theirs in READING:
        return "same-reading" if (mine, cell.get("option")) == (theirs, ref.get("option")) else "differs"
    if mine == theirs and mine != "wrong-data":
        return "same-failing"
    if theirs in READING:
        return "breaks"
    if mine in READING:
        return "fixes"
    return "differs"


def _absolute_verdict(cells: list[dict], as_before: list[str] = ()) -> dict:
    """Rule 2 over the cells kept; a cell that reads as its reference reads counts as reading (rule 5)."""
    tested = [c for c in cells if cell_verdict(c) != "not-tested"]
    if not tested:
        return {"verdict": "not-tested", "reason": why(cells[0]) if cells else ""}

    def verdict(c):
        return "reads" if c["cell"] in as_before else cell_verdict(c)
    verdicts = [verdict(c) for c in tested]
    wrong = [c for c in tested if verdict(c) == "wrong-data"]
    if wrong:
        return {"verdict": "wrong-data", "reason": f"{wrong[0]['fixture']}: {why(wrong[0])}"}
    if all(v in READING for v in verdicts):
        optioned = [c for c in tested if verdict(c) == "reads-with-option"]
        if optioned:
            return {"verdict": "reads-with-option", "option": optioned[0]["option"]}
        return {"verdict": "reads"}
    if len(set(verdicts)) == 1:
        return {"verdict": verdicts[0], "reason": why(tested[0])}
    reading = [c for c in tested if verdict(c) in READING]
    if not reading:  # reads partly here, fails there
        worst = max(tested, key=lambda c: VERDICTS.index(verdict(c)))
        return {"verdict": "reads-partly" if "reads-partly" in verdicts else "fails", "reason": f"{worst['fixture']}: {why(worst)}"}
    failing = next(c for c in tested if verdict(c) not in READING)
    return {"verdict": "reads-some", "read": len(reading), "of": len(tested), "reason": f"{failing['fixture']}: {why(failing)}"}


def reference_of(cell: dict, own: tuple[str, ...], cells_by_variant: dict) -> dict | None:
    """Rule 5: the same reader's cell (same release) on the archive this cell's archive departs from along `own`:
    the same dataset and variant with `own` set back to the baseline's; where no such archive was run, also the
    writer and the layout (a zipped folder of Zarr 2 has no root twin: its twin is zarr-python's own archive)."""
    variant, dataset = cell.get("variant"), _dataset(cell)
    if not own or not variant or not dataset:
        return None
    from zipstore_compat.fixtures.variants import BASELINE

    base = BASELINE.to_dict()
    wanted = dict(variant, **{axis: base[axis] for axis in own})
    for candidate in (wanted, dict(wanted, writer=base["writer"], layout=base["layout"])):
        found = cells_by_variant.get((cell["reader"], dataset, _frozen(candidate)))
        if found is not None and found["cell"] != cell["cell"]:
            return found
    return None


def _dataset(cell: dict) -> str:
    return next((t[len("dataset:"):] for t in cell.get("tags", []) if t.startswith("dataset:")), "")


def _frozen(variant: dict) -> tuple:
    return tuple(sorted(variant.items()))


def _since(by_version: dict[str, dict], settled: dict[str, dict] | None = None) -> dict:
    """Rule 4: the newest version's verdict, and since when it holds when older versions were tested.

    `settled`: the verdicts without the cells whose outcome matrix.yaml accepts only as another outcome of a
    non-deterministic cause (`also`, compat_tests/reports/since.py); "since" compares those, so that a race on one
    run does not become a release that reads. A version without settled cells is skipped.
    """
    settled = by_version if settled is None else settled
    order = sorted(by_version, key=version_key)
    newest = by_version[order[-1]]
    out = dict(newest, version=order[-1], versions=order)
    if len(order) > 1:
        known = [v for v in order[:-1] if v in settled and settled[v]["verdict"] != "not-tested"]
        level = _reading_level(settled.get(order[-1], newest)["verdict"])
        first, before = order[-1], None
        for version in reversed(known):
            if _reading_level(settled[version]["verdict"]) != level:
                before = _reading_level(settled[version]["verdict"])
                break
            first = version
        # "since": every newer version reads (at the newest's level) and an older one read less, or the
        # newest fails and an older one read; not when an older version read more than a newest that reads some
        if before is not None and (level == 0 or before < level):
            out["since"] = first
        out["cells"] = [c for v in order for c in by_version[v]["cells"]]
        out["by_version"] = {v: by_version[v]["verdict"] for v in order}
    return out


def _reading_level(verdict: str) -> int:
    """2: reads (with or without an option); 1: reads some archives, or partly; 0: fails, wrong data, as on the baseline."""
    return 2 if verdict in READING else 1 if verdict in ("reads-some", "reads-partly") else 0


def words(verdict: dict) -> str:
    """A verdict in words, the same in Markdown and HTML (reason and versions apart)."""
    v = verdict["verdict"]
    text = {"reads": "reads", "reads-partly": "reads partly", "fails": "fails", "wrong-data": "WRONG DATA",
            "not-tested": "not tested", "as-baseline": "as on the baseline"}.get(v)
    if v == "reads-with-option":
        text = f"reads with option {verdict['option']}"
    elif v == "reads-some":
        text = f"reads {verdict['read']} of {verdict['of']} archives"
    if verdict.get("only"):
        text += " only with this property"
    elif verdict.get("as_baseline"):
        text += ", as on the baseline"
    elif verdict.get("baseline_fails"):
        text += " (the baseline fails)"
    if verdict.get("since"):
        text += f" since {verdict['since']}" if _reading_level(v) else f" (no longer reads since {verdict['since']})"
    return text


def _family_cell(reader_verdicts: dict[str, dict], members: list[str]) -> dict:
    """Rule 3: the best verdict of a family's readers, and who reaches it."""
    ranked = sorted(reader_verdicts, key=lambda r: (VERDICTS.index(reader_verdicts[r]["verdict"]), members.index(r)))
    best = reader_verdicts[ranked[0]]
    by = [r for r in ranked if reader_verdicts[r]["verdict"] == best["verdict"]]
    out = {k: v for k, v in best.items() if k not in ("cells", "versions", "version", "by_version", "set_aside")}
    out["readers"] = by if len(by) < len(reader_verdicts) else []
    out["tested"] = {r: reader_verdicts[r].get("versions") or [reader_verdicts[r]["version"]] for r in members if r in reader_verdicts}
    wrong = [r for r in ranked if reader_verdicts[r]["verdict"] == "wrong-data" and r not in by]
    if wrong:
        out["warning"] = f"WRONG DATA with {', '.join(wrong)}: {reader_verdicts[wrong[0]]['reason']}"
    out["text"] = words(best)
    out["per_reader"] = {r: {**reader_verdicts[r], "text": words(reader_verdicts[r])} for r in members if r in reader_verdicts}
    out["versions"] = tested_versions(out)
    return out


def remote_properties() -> list[Property]:
    """The "remote" rows: the remote cells by read and by server fault (compat_tests/remote/plan.py)."""
    from zipstore_compat.compat_tests.remote.plan import FAULTS

    group = "Over HTTP (nginx on 127.0.0.1; requests: the median per cell)"
    rows = [Property("remote-read", group, "whole read, well-behaved server", ("remote-kind:read", "server:nginx"), None, remote=True),
            Property("remote-one-chunk", group, "one chunk of one array, well-behaved server", ("remote-kind:one-chunk",), None, remote=True)]
    return rows + [Property(f"remote-{fault}", group, f"server fault: {text}", (f"server:{fault}",), None, remote=True)
                   for fault, (_, text) in FAULTS.items()]


def add_request_counts(row: dict, cells: list[dict]) -> None:
    """A remote row's family cells say how many requests their reader made (the median over the row's cells)."""
    import statistics

    by_id = {c["cell"]: c for c in cells}
    for family_cell in row["families"].values():
        for verdict in family_cell.get("per_reader", {}).values():
            counts = [by_id[c]["remote"]["requests"] for c in verdict.get("cells", []) if (by_id[c].get("remote") or {}).get("requests") is not None]
            if counts:
                verdict["requests"] = statistics.median(counts)
                verdict["text"] += f" ({verdict['requests']:g} requests)"
        shown = [family_cell["per_reader"][r] for r in (family_cell.get("readers") or list(family_cell.get("per_reader", {})))]
        if shown and "requests" in shown[0]:
            family_cell["requests"] = shown[0]["requests"]
            family_cell["text"] += f" ({shown[0]['requests']:g} requests)"


def properties_of(cells: list[dict]) -> list[Property]:
    return PROPERTIES + _external_properties(cells) + remote_properties()


def summarize(payload: dict) -> dict:
    """The `summary` section of results.json: families (columns), properties (rows) and one derived cell each."""
    cells = payload["cells"]
    tags_of = {c["fixture"]: c.get("tags", []) for c in cells}
    readers = reader_order(reader_and_version(c)[0] for c in cells)
    families: dict[str, list[str]] = {}
    for reader in readers:
        families.setdefault(family_of(reader), []).append(reader)
    labels = dict(GROUPS)
    by_reader_fixture: dict[tuple[str, str], list[dict]] = {}
    by_variant: dict[tuple, dict] = {}   # (reader id with its release, dataset, variant) -> cell: rule 5's references
    for cell in cells:
        by_reader_fixture.setdefault((reader_and_version(cell)[0], cell["fixture"]), []).append(cell)
        if cell.get("variant") and _dataset(cell):
            by_variant[(cell["reader"], _dataset(cell), _frozen(cell["variant"]))] = cell
    rows = []
    archives = {r["fixture"]: r for r in writer_records(cells)}   # each archive's writer check (compat_tests/reports/writers.py)
    for prop in properties_of(cells):
        fixtures = sorted(f for f, tags in tags_of.items() if prop.shown_by(f, tags))
        if not fixtures:
            continue
        row = {"id": prop.id, "group": prop.group, "label": prop.label, "fixtures": fixtures, "families": {}}
        if prop.habit in ("slow", "cf"):
            marked = (lambda c: c["outcome"] == "slow") if prop.habit == "slow" else (lambda c: bool(c.get("cf_effects")))
            fixtures = [f for f in fixtures if any(marked(c) for r in readers for c in by_reader_fixture.get((r, f), []))]
            if not fixtures:
                continue
            row["fixtures"] = fixtures
        row["archive"] = archive_cell(fixtures, archives)   # of the archives the row shows (a habit's: where it was seen)
        for family_id, members in families.items():
            if prop.habit in ("slow", "cf"):
                found = [c for r in members for f in fixtures for c in by_reader_fixture.get((r, f), [])]
                row["families"][family_id] = (_slow_cell if prop.habit == "slow" else _cf_cell)(found, members)
                continue
            reader_verdicts = {}
            for reader in members:
                found = [c for f in fixtures for c in by_reader_fixture.get((reader, f), [])]
                if not found:
                    continue
                by_version: dict[str, list[dict]] = {}
                for cell in found:
                    by_version.setdefault(reader_and_version(cell)[1], []).append(cell)
                refs = {c["cell"]: reference_of(c, prop.own, by_variant) for c in found}
                settled = {v: _reader_verdict(kept, refs) for v, cs in by_version.items() if (kept := [c for c in cs if not unsettled(c)])}
                reader_verdicts[reader] = _since({v: _reader_verdict(cs, refs) for v, cs in by_version.items()}, settled)
                reader_verdicts[reader]["library"] = version_library(found[0])
            row["families"][family_id] = _family_cell(reader_verdicts, members) if reader_verdicts else NOT_TESTED_CELL
            if prop.habit == "concurrency" and reader_verdicts:
                _say_counts(row["families"][family_id], by_reader_fixture, fixtures)
        if prop.remote:
            add_request_counts(row, cells)
        rows.append(row)
    return {
        "rules": "compat_tests/reports/summary.py",
        "families": [{"id": f, "label": labels.get(f, f), "readers": members} for f, members in families.items()],
        "rows": rows,
    }


NOT_TESTED_CELL = {"verdict": "not-tested", "text": "not tested", "readers": [], "tested": {}, "per_reader": {}, "versions": ""}


def _say_counts(family_cell: dict, by_reader_fixture: dict, fixtures: list[str]) -> None:
    """A habit's row says what was counted ("fails 7 of 90 reads"), from the cell of the reader the family shows."""
    for reader in family_cell.get("readers") or list(family_cell["per_reader"]):
        cells = [c for f in fixtures for c in by_reader_fixture.get((reader, f), [])]
        newest = max(cells, key=lambda c: version_key(reader_and_version(c)[1]), default=None)
        if newest is not None and newest.get("message"):
            counted = newest["message"].split(" (", 1)[0]
            family_cell["text"] = counted if family_cell["verdict"] != "reads" else f"reads right every time: {counted}"
            return


def _slow_cell(cells: list[dict], members: list[str]) -> dict:
    """The slow-path row: the readers whose cells matrix.yaml says are slow, with the measured time; "none" otherwise."""
    slow = [c for c in cells if c["outcome"] == "slow"]
    if not slow:
        return dict(NOT_TESTED_CELL, text="none measured")
    by_reader = {}
    for c in slow:
        by_reader.setdefault(reader_and_version(c)[0], []).append(c)
    ranked = [r for r in members if r in by_reader]
    first = by_reader[ranked[0]][0]
    datasets = sorted({_dataset(c) or c["fixture"] for c in slow})
    text = f"slow on {', '.join(datasets)}: " + first["message"].split(":", 1)[0]
    return {"verdict": "reads-some", "text": text, "readers": ranked, "tested": {}, "reason": first["message"],
            "per_reader": {r: {"verdict": "reads-some", "text": by_reader[r][0]["message"].split(":", 1)[0], "cells": [c["cell"] for c in by_reader[r]]}
                           for r in ranked}, "versions": ""}


def _cf_cell(cells: list[dict], members: list[str]) -> dict:
    """The CF-decoding row: what a reader's default decoding did to the values it read right as CF says (cf_effects of
    its newest release's cells): real values masked as NaN (the finding: data turned into missing data), times as
    dates, and the documented option that gives the stored values back."""
    decoded = [c for c in cells if c.get("cf_effects") and not c["reader"].count("@")]
    if not decoded:
        return dict(NOT_TESTED_CELL, text="decodes nothing (returns the stored values)" if cells else "not tested")
    by_reader: dict[str, list[dict]] = {}
    for c in decoded:
        by_reader.setdefault(c["reader"], []).append(c)
    per_reader = {}
    for reader, found in by_reader.items():
        effects = [e for c in found for e in c["cf_effects"].values()]
        real = sum(e.get("masked_real") or 0 for e in effects)
        times = sorted({e["times"] for e in effects if e.get("times")})
        avoid = next((e["avoid"] for e in effects if e.get("avoid")), None)
        parts = []
        if real:
            parts.append(f"masks {real:,} real values as NaN ({len({c['fixture'] for c in found})} archives)")
        if times:
            parts.append(f"times as dates ({', '.join(times)})")
        text = "; ".join(parts) or "decodes as CF says, masking no real value"
        if avoid and real:
            text += f"; the stored values with {avoid['label']}"
        per_reader[reader] = {"verdict": "wrong-data" if real else "reads", "text": text, "cells": [c["cell"] for c in found],
                              "option": avoid["label"] if avoid else None}
    ranked = [r for r in members if r in per_reader]
    first = per_reader[ranked[0]]
    out = {"verdict": "reads-partly" if first["verdict"] == "wrong-data" else "reads", "text": first["text"], "readers": ranked,
           "tested": {}, "per_reader": per_reader, "versions": ""}
    masking = [r for r in ranked if per_reader[r]["verdict"] == "wrong-data"]
    if masking:
        out["warning"] = f"real values masked as missing by {', '.join(masking)}"
    return out


def tested_versions(family_cell: dict) -> str:
    """The library versions behind a family's verdict: of the readers that reach it, or of all its readers."""
    per_reader = family_cell.get("per_reader", {})
    shown = []
    for reader in family_cell.get("readers") or list(per_reader):
        verdict = per_reader[reader]
        versions = verdict.get("versions") or []
        span = versions[0] if len(versions) == 1 else f"{versions[0]} to {versions[-1]} ({len(versions)} versions)" if versions else ""
        text = f"{verdict.get('library') or reader} {span}".strip() if span else f"{reader} (version not reported)"
        if text not in shown:
            shown.append(text)
    return ", ".join(shown)


def markdown_lines(summary: dict) -> list[str]:
    """The summary as a Markdown table: properties x families, in words."""
    families = summary["families"]
    lines = ["| archive property | the archive (writer check) | " + " | ".join(f["label"] for f in families) + " |",
             "|---|---|" + "---|" * len(families)]
    group = None
    for row in summary["rows"]:
        if row["group"] != group:
            group = row["group"]
            lines.append(f"| **{group}** | |" + " |" * len(families))
        archive = row.get("archive") or {"text": "not checked"}
        out = [f"{_md(row['label'])} <sub>({len(row['fixtures'])})</sub>",
               f"**{_md(archive['text'])}**" + (f": {_md(_clip(archive['reason'], 90))}" if archive.get("reason") else "")]
        for family in families:
            cell = row["families"][family["id"]]
            if cell.get("option"):  # the option as code, as users type it
                head, _, tail = cell["text"].partition(cell["option"])
                code = cell["option"].replace("|", "\\|")
                text = f"**{_md(head.strip())}** `{code}`{_md(tail)}"
            else:
                text = f"**{_md(cell['text'])}**"
            if cell.get("readers"):
                text += f" ({', '.join(cell['readers'])})"
            if cell.get("reason") and cell["verdict"] not in (*READING, "as-baseline"):   # the baseline row says why, once
                text += f": {_md(_clip(cell['reason'], 90))}"
            if cell.get("warning"):
                text += f"; **{_md(_clip(cell['warning'], 90))}**"
            if cell.get("versions"):
                text += f"<br><sub>{_md(cell['versions'])}</sub>"
            out.append(text)
        lines.append("| " + " | ".join(out) + " |")
    return lines


def _md(text: str) -> str:
    """Text safe in a Markdown table cell: no HTML tags made of `<top-level folder>`, no column breaks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
