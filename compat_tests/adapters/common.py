"""What adapters share: the arrays a manifest names, per-array error capture, declared options."""

from __future__ import annotations

from typing import Callable

from zipstore_compat.core.errors import exception_text


def box(expected: dict) -> tuple[slice, ...]:
    return tuple(slice(start, stop) for start, stop in expected["slice"])


class Missing(LookupError):
    """The library answered, without raising, that it has no such array (None, an absent key).

    Kept apart from an exception the library raised: for a user the call worked
    and the data is gone (the outcome silent-missing)."""


def option(label: str, doc: str, family: str, when: str | None = None, avoids: tuple[str, ...] = (), **options) -> dict:
    """One documented option of a reader's library (see compat_tests/attempts.py).

    avoids: for a reader that decodes CF, what of the decoding the option turns off ("mask", "zarr_fill_mask",
    "scale", "times"): the cell's cf_effects name it as the way to the stored values (checks.avoiding_option)."""
    declared = {"label": label, "options": options, "doc": doc, "family": family, "when": when}
    if avoids:
        declared["avoids"] = list(avoids)
    return declared


def read_each(manifest: dict, read_one: Callable[[dict], dict]) -> tuple[dict, dict]:
    """Call read_one for every array of the manifest; failures become per-array errors,
    a Missing becomes the per-array marker {"missing": why}."""
    arrays, errors = {}, {}
    for expected in manifest["arrays"]:
        try:
            arrays[expected["path"]] = read_one(expected)
        except Missing as exc:
            arrays[expected["path"]] = {"missing": str(exc)}
        except Exception as exc:  # one array failing is a finding, not the end of the cell
            errors[expected["path"]] = exception_text(exc)[:500]
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


def vsizip(archive: str, inner: str = "", brace: bool = False) -> str:
    """GDAL's name of a folder in an archive: /vsizip/<path>[/<inner>], or /vsizip/{<path>}[/<inner>],
    the documented form for an archive whose name GDAL does not take as a zip (e.g. .ozx)."""
    return "/vsizip/" + ("{" + archive + "}" if brace else archive) + (f"/{inner}" if inner else "")


__all__ = ["Missing", "box", "groups_of", "installed_version", "option", "read_each", "store_path", "vsizip"]


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


def library_settings(options: dict):
    """The library settings a try asks for (a reader's race_free options, compat_tests/cells.py), as a context:
    `zarr_config` is zarr-python's runtime configuration (zarr.config.set), for that read only."""
    import contextlib

    if not options.get("zarr_config"):
        return contextlib.nullcontext()
    import zarr

    return zarr.config.set(dict(options["zarr_config"]))
