"""matrix.yaml: the expectation of every non-pass cell, with a reason and a link.

Pass is the default. An entry names cells by shell-style patterns over cell
ids; the first entry that matches a cell decides its expectation. The file
is validated against SCHEMA; an entry that matches no cell is an error.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

import yaml

MATRIX_FILE = Path(__file__).resolve().parent.parent / "matrix.yaml"
NON_PASS = ["partial", "wrong-data", "silent-missing", "error", "crash", "timeout", "unsupported", "not-installed", "fixture-error"]
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
                    "reason": {"type": "string", "minLength": 10},
                    "link": {"type": "string", "pattern": r"^https://\S+$"},
                    "evidence": {"type": "string"},
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


PASS = Expectation("pass")


def load(path: Path = MATRIX_FILE) -> list[dict]:
    import jsonschema

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {"expectations": []}
    except (OSError, yaml.YAMLError) as exc:
        raise MatrixFileError(f"{path}: {exc}") from exc
    try:
        jsonschema.validate(data, SCHEMA)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        raise MatrixFileError(f"{path}: {where}: {exc.message}") from None
    return data["expectations"]


def check_patterns_match(entries: list[dict], all_cells: list[str]) -> None:
    """Every pattern must match at least one cell that exists."""
    dead = [p for e in entries for p in e["cells"] if not fnmatch.filter(all_cells, p)]
    if dead:
        raise MatrixFileError(f"matrix.yaml: these patterns match no cell (a typo, or a fixture/reader that is gone): {', '.join(dead)}")


def expectation_for(cell: str, entries: list[dict]) -> Expectation:
    for entry in entries:
        for pattern in entry["cells"]:
            if fnmatch.fnmatchcase(cell, pattern):
                return Expectation(entry["outcome"], entry["reason"], entry["link"], pattern)
    return PASS

