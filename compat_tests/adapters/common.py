"""What adapters share: the arrays a manifest names, per-array error capture."""

from __future__ import annotations

from typing import Callable


def box(expected: dict) -> tuple[slice, ...]:
    return tuple(slice(start, stop) for start, stop in expected["slice"])


def read_each(manifest: dict, read_one: Callable[[dict], dict]) -> tuple[dict, dict]:
    """Call read_one for every array of the manifest; failures become per-array errors."""
    arrays, errors = {}, {}
    for expected in manifest["arrays"]:
        try:
            arrays[expected["path"]] = read_one(expected)
        except Exception as exc:  # one array failing is a finding, not the end of the cell
            errors[expected["path"]] = f"{type(exc).__name__}: {exc}"[:500]
    return arrays, errors


def store_path(manifest: dict, options: dict) -> str:
    """The folder the store sits in inside the archive, when the user is told to pass it."""
    return manifest["store_prefix"].rstrip("/") if options.get("path_from_prefix") else ""


def groups_of(manifest: dict) -> dict[str, list[dict]]:
    """Arrays by the group that holds them ("" for the root)."""
    out: dict[str, list[dict]] = {}
    for expected in manifest["arrays"]:
        group, _, _ = expected["path"].rpartition("/")
        out.setdefault(group, []).append(expected)
    return out


__all__ = ["box", "groups_of", "read_each", "store_path"]


def installed_version(*distributions: str) -> str:
    """The version of the first of these distributions that is installed, from its package metadata ("" if none).

    Package metadata, not the module's __version__: some modules do not have one (tensorstore 0.1.86).
    """
    from importlib.metadata import PackageNotFoundError, version

    for name in distributions:
        try:
            return version(name)
        except PackageNotFoundError:
            continue
    return ""
