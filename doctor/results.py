"""The suite's results file, read by the doctor (never written): reports/results.json by default.

What it holds is docs/results-schema.md's; the doctor reads `run`, `cells` and
`summary.rows` (the fixtures behind each archive property). Where the doctor
names a property's evidence, it is one of:

    row:<id>       a summary row of the results (the fixtures that show one property, by the summary's rules)
    fixture:<id>   one fixture (the hostile archives: one damage each)
    tag:<tag>      the fixtures that carry a tag (axis:suffix: the .ozx fixtures)
"""

from __future__ import annotations

import json
from pathlib import Path

from zipstore_compat.core.processes import ROOT
from zipstore_compat.doctor.evidence import compare_with_baseline

DEFAULT = ROOT / "reports" / "results.json"
SIZE_LIMIT = 512 * 2**20


class ResultsError(ValueError):
    pass


def load(path: Path | None) -> dict:
    path = Path(path) if path else DEFAULT
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        hint = " (run the matrix first: ./run matrix; or name one with --results)" if path == DEFAULT else ""
        raise ResultsError(f"no results file at {path}{hint}") from None
    if size > SIZE_LIMIT:
        raise ResultsError(f"{path} is {size / 2**20:.0f} MiB, more than the {SIZE_LIMIT // 2**20} MiB read")
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ResultsError(f"{path} is not a results file ({str(exc)[:200]})") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("cells"), list):
        raise ResultsError(f"{path} is not a results file (no `cells`)")
    return payload


def selector(payload: dict, spec: str):
    """The predicate shown_by(fixture, tags) of one evidence spec, or None when the results cannot say."""
    kind, _, value = spec.partition(":")
    if kind == "row":
        rows = {r.get("id"): r for r in (payload.get("summary") or {}).get("rows") or []}
        if value not in rows:
            return None
        fixtures = set(rows[value].get("fixtures") or [])
        return lambda fixture, tags: fixture in fixtures
    if kind == "fixture":
        return lambda fixture, tags: fixture == value
    if kind == "tag":
        return lambda fixture, tags: value in tags
    raise ValueError(f"unknown evidence spec {spec!r}")


def evidence(payload: dict, specs: list[str], readers: list[str] | None = None) -> dict:
    """What the results say of one finding: compare_with_baseline over the fixtures of all its specs."""
    predicates = [p for p in (selector(payload, s) for s in specs) if p is not None]
    if not predicates:
        return {"fixtures": [], "breaks": [], "readers": {}}
    return compare_with_baseline(payload, lambda f, tags: any(p(f, tags) for p in predicates), readers)


def describe(payload: dict, path: Path | None) -> dict:
    cells = payload["cells"]
    return {"path": str(Path(path) if path else DEFAULT), "started": (payload.get("run") or {}).get("started"),
            "cells": len(cells), "readers": sorted({c["reader"] for c in cells})}
