"""matrix.yaml: the expectation of every non-pass cell, with a reason and a link.

Pass is the default. An entry names cells by shell-style patterns over cell
ids, and may hold only for some versions: `versions: {gdal: "<3.11"}` maps
a library, as the reader's worker names it in its versions, to a PEP 440
specifier. The first entry that matches a cell (and whose condition the
cell's versions meet) decides its expectation. The file is validated
against SCHEMA; an entry that matches no cell is an error, and so is a
condition that no tested version meets (checked on runs of every declared
release: pytest --versions all).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

import yaml

from zipstore_compat.compat_tests.readers import family_cell
from zipstore_compat.core import outcomes as core_outcomes
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

MATRIX_FILE = Path(__file__).resolve().parent.parent / "matrix.yaml"
NON_PASS = list(core_outcomes.NON_PASS)
SLOW_ANSWERS = core_outcomes.SLOW_ANSWERS
SCHEMA = {
    "type": "object",
    "required": ["expectations"],
    "additionalProperties": False,
    "properties": {
        "expectations": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["cells", "outcome", "reason", "link"],
                "additionalProperties": False,
                "properties": {
                    "cells": {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": r"^[A-Za-z0-9_.*?\[\]-]+--[A-Za-z0-9_.*?\[\]-]+$"}},
                    "outcome": {"enum": NON_PASS},
                    "also": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"enum": ["pass", *NON_PASS]}},
                    "reason": {"type": "string", "minLength": 10},
                    "link": {"type": "string", "pattern": r"^https://\S+$"},
                    "evidence": {"type": "string"},
                    "versions": {"type": "object", "minProperties": 1, "additionalProperties": {"type": "string", "minLength": 1}},
                    # outcome slow: what the one measurement found (./run python -m compat_tests measure CELL)
                    # (outcome error: the answer comes, but only after the time; `message` says what it was)
                    "measured": {"type": "object", "required": ["cell", "seconds", "outcome", "date"], "additionalProperties": False,
                                 "properties": {"cell": {"type": "string"}, "seconds": {"type": "number", "exclusiveMinimum": 0},
                                                "outcome": {"enum": list(SLOW_ANSWERS)}, "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                                                "message": {"type": "string", "minLength": 1}, "versions": {"type": "object"}}},
                },
            },
        }
    },
}


class MatrixFileError(ValueError):
    pass


@dataclass(frozen=True)
class Expectation:
    outcome: str
    reason: str = ""
    link: str = ""
    pattern: str = ""
    entry: int | None = None      # index of the matrix.yaml entry that decided
    also: tuple[str, ...] = ()    # a non-deterministic cell: other outcomes the same cause gives on other runs
    measured: dict | None = None  # outcome slow: the one measurement (cell, seconds, outcome, date, versions)


PASS = Expectation("pass")


def allows(expected: Expectation, outcome: str, message: str = "") -> bool:
    """The outcome is the expected one, or one of the others a non-deterministic cause also gives (`also`), compared
    as outcome classes (core.outcomes.outcome_class: the time limit and the memory cap are one class, `limit`)."""
    got = core_outcomes.outcome_class(outcome, message)
    return got in {core_outcomes.outcome_class(o) for o in (expected.outcome, *expected.also)}


def load(path: Path = MATRIX_FILE) -> list[dict]:
    import jsonschema

    try:
        # libyaml's loader where PyYAML has it: ten times faster on this file, read by every process of a run
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) \
            or {"expectations": []}
    except OSError as exc:
        raise MatrixFileError(f"{path}: cannot read it ({exc.strerror})") from None
    except yaml.YAMLError as exc:  # one line: the file, line and column, and what is wrong there
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        what = " ".join(str(p) for p in (getattr(exc, "context", None), getattr(exc, "problem", None)) if p) or str(exc).splitlines()[0]
        raise MatrixFileError(f"{path}{where}: not valid YAML: {what}") from None
    try:
        jsonschema.validate(data, SCHEMA)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        number = exc.absolute_path[1] if len(exc.absolute_path) > 1 and isinstance(exc.absolute_path[1], int) else None
        raise MatrixFileError(f"{path}{_line_of(path, number)}: {where}: {exc.message}"[:600]) from None
    for number, entry in enumerate(data["expectations"]):
        if (entry["outcome"] == "slow") != ("measured" in entry):
            raise MatrixFileError(f"{path}{_line_of(path, number)}: expectations/{number}: outcome slow and `measured` go together "
                                  "(the one measurement: ./run python -m compat_tests measure CELL)")
        for library, spec in (entry.get("versions") or {}).items():
            try:
                SpecifierSet(spec)
            except InvalidSpecifier:
                raise MatrixFileError(f"{path}: expectations/{number}: versions: {library}: {spec!r} is not a version specifier such as '<3.11'") from None
    return data["expectations"]


def _line_of(path: Path, number: int | None) -> str:
    """":LINE" of the matrix.yaml entry `number` (where its first key is), or "" when it cannot be told."""
    if number is None:
        return ""
    try:
        node = yaml.compose(Path(path).read_text(encoding="utf-8"))
        entries = dict((k.value, v) for k, v in node.value)["expectations"]
        return f":{entries.value[number].start_mark.line + 1}"
    except Exception:  # a best effort: the message names the entry's number anyway
        return ""


def check_patterns_match(entries: list[dict], all_cells: list[str]) -> None:
    """Every pattern must match at least one cell that exists."""
    dead = [p for e in entries for p in e["cells"] if not fnmatch.filter(all_cells, p)]
    if dead:
        raise MatrixFileError(f"matrix.yaml: these patterns match no cell (a typo, or a fixture/reader that is gone): {', '.join(dead)}")


def condition_holds(entry: dict, versions: dict | None) -> bool:
    """True when the entry has no version condition, or the cell's versions meet it."""
    condition = entry.get("versions")
    if not condition:
        return True
    for library, spec in condition.items():
        found = (versions or {}).get(library)
        try:
            if found is None or not SpecifierSet(spec).contains(Version(str(found).split("+")[0]), prereleases=True):
                return False
        except InvalidVersion:
            return False
    return True


def expectation_for(cell: str, entries: list[dict], versions: dict | None = None) -> Expectation:
    for number, entry in enumerate(entries):
        for pattern in entry["cells"]:
            if fnmatch.fnmatchcase(cell, pattern) and condition_holds(entry, versions):
                return Expectation(entry["outcome"], entry["reason"], entry["link"], pattern, number, tuple(entry.get("also", ())),
                                   entry.get("measured"))
    return PASS


def dead_conditions(entries: list[dict], cells: list[dict]) -> list[str]:
    """Entries with a version condition whose cells ran, but never at a version the condition names."""
    dead = []
    for number, entry in enumerate(entries):
        if not entry.get("versions"):
            continue
        ran = [c for c in cells if any(fnmatch.fnmatchcase(family_cell(c["cell"]), p) for p in entry["cells"])]
        if ran and not any(condition_holds(entry, c.get("versions")) for c in ran):
            seen = sorted({str((c.get("versions") or {}).get(lib)) for c in ran for lib in entry["versions"]})
            dead.append(f"entry {number} ({entry['cells'][0]}, versions {entry['versions']}): no tested version meets it (tested: {', '.join(seen)})")
    return dead
