"""The released column: each reader's outcomes at the suite's newest release, and what a run changed against it.

The package carries release/results.json, made from a full run's results.json by

    python -m zipstore_compat released make RESULTS [--out release/results.json] [--readers A,B]

(compact: per reader, the library versions it ran and each cell's outcome and option; the corpus it ran on). A
maintainer's run (`pytest --pyargs zipstore_compat --use-current-env ...`) compares each of its cells with that
column (`compare`):

    as-expected     the same outcome class as the released column (or one matrix.yaml allows: `also:`)
    regression      NEWLY FAILING: worse than released (a pass that errors, a read that now returns wrong data)
    fixed           better than released; `newly passing` when it now passes: its matrix.yaml entry can go
    changed         another outcome of the same rank (error -> timeout, unsupported -> fixture-error)
    new             a cell the released column does not have (a fixture added since)
    not-tested      the reader's library is not installed here, or the corpus lacks the fixture

The column compared with is the family's default reader: the newest release of its library when the suite was
released. An older release installed here (zarr-python 3.1.6, Debian's GDAL 3.6.2) is compared with it too, so what
that release reads worse shows as regressions. A run's cells say which column and library version (`baseline`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from zipstore_compat.core.locations import CODE
from zipstore_compat.core.outcomes import NOT_TESTED, RANK, outcome_class

RELEASED_FILE = CODE / "release" / "results.json"
SCHEMA = 1


class ReleasedError(ValueError):
    """A released-results file that cannot be used, in one line."""


def make(payload: dict, suite: str, readers: list[str] | None = None, corpus: str | None = None) -> dict:
    """The compact released column of a full results payload (results.json), for the readers named (default: all)."""
    out: dict = {"released_schema": SCHEMA, "suite": suite, "corpus": corpus,
                 "made_from": {"started": payload.get("run", {}).get("started"), "cells": len(payload.get("cells", []))}, "readers": {}}
    for cell in sorted(payload.get("cells", []), key=lambda c: c["cell"]):
        if readers and cell["reader"] not in readers and cell.get("family") not in readers:
            continue
        if not readers and cell.get("lane", "default") != "default":   # the versions lane only when named: the column is the newest release
            continue
        if cell.get("expected") is None:   # your own archive (--archive): no released claim
            continue
        reader = out["readers"].setdefault(cell["reader"], {"family": cell.get("family") or cell["reader"], "lane": cell.get("lane", "default"),
                                                            "library": cell.get("library"), "version": cell.get("version"),
                                                            "versions": cell.get("versions") or {}, "cells": {}})
        reader["cells"][cell["fixture"]] = {"outcome": cell["outcome"], **({"option": cell["option"]} if cell.get("option") else {})}
    return out


def merge(old: dict | None, new: dict) -> dict:
    """`new`'s readers replace the same readers of `old` (a release made reader by reader); the rest of `old` stays."""
    if not old:
        return new
    readers = {**old.get("readers", {}), **new["readers"]}
    return {**new, "readers": dict(sorted(readers.items()))}


def load(path: Path = RELEASED_FILE) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReleasedError(f"released results {path}: cannot be read ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise ReleasedError(f"released results {path}: not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("released_schema") != SCHEMA or not isinstance(data.get("readers"), dict):
        raise ReleasedError(f"released results {path}: not a released-results file of schema {SCHEMA} "
                            "(make one with: python -m zipstore_compat released make RESULTS)")
    return data


def write(data: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def baseline(released: dict, family: str) -> str | None:
    """The released reader a run of `family` is compared with: the family's default reader, the newest release of its
    library when the suite was released (None: the release has no column of that family)."""
    same_family = sorted(rid for rid, r in released["readers"].items() if r.get("family") == family)
    default = [rid for rid in same_family if released["readers"][rid].get("lane", "default") == "default"]
    return (default or same_family or [None])[0]


@dataclass
class Change:
    cell: str
    kind: str            # as-expected | regression | fixed | changed | new | not-tested
    outcome: str         # this run's
    released: str | None  # the released column's (None: new)
    baseline: str | None  # the released reader compared with, and its library version
    message: str = ""
    newly_passing: bool = False
    matrix_entry: int | None = None   # a newly passing cell: the matrix.yaml entry (index) that expected it not to pass

    def as_json(self) -> dict:
        return asdict(self)


def compare(record: dict, released: dict, allowed_by_matrix: bool = False) -> Change:
    """One cell of a run against the released column. `allowed_by_matrix`: matrix.yaml says the cell's outcome
    varies from run to run (`also:`) and this outcome is one it allows."""
    fixture, outcome = record["fixture"], record["outcome"]
    rid = baseline(released, record.get("family") or record["reader"])
    column = released["readers"].get(rid) if rid else None
    shown = f"{rid} ({column.get('library')} {column.get('version')})" if column else None
    before = (column or {}).get("cells", {}).get(fixture, {}).get("outcome")
    change = Change(record["cell"], "as-expected", outcome, before, shown, record.get("message", "")[:300])
    if outcome in NOT_TESTED:
        change.kind = "not-tested"
    elif before is None:
        change.kind = "new"
    elif outcome_class(outcome, record.get("message", "")) == outcome_class(before) or allowed_by_matrix:
        change.kind = "as-expected"
    elif RANK[outcome] > RANK[before]:
        change.kind = "regression"
    elif RANK[outcome] < RANK[before]:
        change.kind = "fixed"
        change.newly_passing = outcome == "pass"
        change.matrix_entry = record.get("expectation_entry") if change.newly_passing else None
    else:
        change.kind = "changed"
    return change
