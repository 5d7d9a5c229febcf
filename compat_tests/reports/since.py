""""Since which version": per reader family and fixture, from the cells of every tested release.

In the manner of browser-compat-data: the first tested release that passes,
the last tested release that does not, and the releases tested. Derived from
the cells' recorded outcomes and versions only (never typed by hand); a
family tested at one release has no "since".
"""

from __future__ import annotations

from collections import defaultdict

from packaging.version import InvalidVersion, Version


def _key(version: str):
    try:
        return (0, Version(version.split("+")[0]))
    except InvalidVersion:
        return (1, version)


def since(cells: list[dict]) -> list[dict]:
    """One record per (family, fixture) tested at two or more releases."""
    groups: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
    for cell in cells:
        version = cell.get("version")
        if version:
            groups[(cell.get("family") or cell["reader"], cell["fixture"])][version] = cell
    out = []
    for (family, fixture), by_version in sorted(groups.items()):
        if len(by_version) < 2:
            continue
        ordered = sorted(by_version, key=_key)
        passing = [v for v in ordered if by_version[v]["outcome"] == "pass"]
        failing = [v for v in ordered if by_version[v]["outcome"] != "pass"]
        first_pass = passing[0] if passing else None
        last_fail = failing[-1] if failing else None
        out.append({
            "family": family, "fixture": fixture,
            "tested": [{"version": v, "outcome": by_version[v]["outcome"], "cell": by_version[v]["cell"]} for v in ordered],
            "first_pass": first_pass, "last_fail": last_fail, "text": describe(first_pass, last_fail, ordered),
        })
    return out


def describe(first_pass: str | None, last_fail: str | None, tested: list[str]) -> str:
    span = f"tested {', '.join(tested)}"
    if first_pass is None:
        return f"fails in every tested release ({span})"
    if last_fail is None:
        return f"reads in every tested release ({span})"
    if _key(last_fail) < _key(first_pass):
        return f"since {first_pass} (fails on {last_fail}; {span})"
    return f"reads on {first_pass}, fails again on {last_fail} ({span})"
