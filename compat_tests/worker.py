"""A reader worker: python -m compat_tests.worker, inside a reader's environment.

Reads JSON lines on stdin: {"adapter": module, "archive": path, "manifest": path,
"options": {...}}; answers one JSON line each on stdout: {"ok": true, "result":
{...summaries...}, "seconds": s, "read_seconds": s} or {"ok": false, "error": "...", "traceback": "..."}
(core.serve, the loop every worker runs). {"command": "describe"} answers the adapter's versions and
documented options; {"command": "commands", ...} the command lines a command-line reader runs on the
archive, without running them (null for any other reader). Adapters are imported once and reused.
Only numpy and the standard library are needed besides the adapter's own library.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
import warnings

from zipstore_compat.core import canonical
from zipstore_compat.core.serve import serve


def _cast_digest(values, expected: dict) -> str | None:
    """Digest of the values in the manifest's dtype, when converting to it loses nothing."""
    import numpy as np

    try:
        target = object if expected["dtype"] == "string" else np.dtype(expected["dtype"])
        cast = np.asarray(values).astype(target)
        back = cast.astype(np.asarray(values).dtype)
        if not np.array_equal(back, values, equal_nan=np.asarray(values).dtype.kind in "fc"):
            return None
        return canonical.digest(cast)
    except (TypeError, ValueError, OverflowError):
        return None


def _cf_digests(got: dict, entry: dict, expected: dict) -> dict:
    """The CF comparison digests (core.canonical.cf_digest) of what the reader returned, for an array CF
    decoding changes: only when the values are not the raw ones already or carry a mask (a numpy
    masked array), so that MNIST's 47 MB are not cast to float64 for readers that return them raw."""
    import numpy as np

    values = got["values"]
    masked = isinstance(values, np.ma.MaskedArray) and bool(np.ma.getmaskarray(values).any())
    if not masked and entry["sha256"] == expected["sha256"] and entry["dtype_class"] == expected["dtype_class"]:
        return {}
    out = {"cf_sha256": canonical.cf_digest(values)}
    if got.get("slice") is not None:
        out["cf_slice_read_sha256"] = canonical.cf_digest(got["slice"])
    return out


def summarise(reading: dict, manifest: dict | None = None) -> dict:
    expected_by_path = {a["path"]: a for a in (manifest or {}).get("arrays", [])}
    arrays = {}
    for path, got in reading.get("arrays", {}).items():
        if "missing" in got:  # the library returned, without raising, no such array: kept apart from errors
            arrays[path] = {"missing": str(got["missing"])[:500]}
            continue
        attrs = got.get("attrs", {})
        entry = {"attrs": None if attrs is None else _jsonable(attrs), "dims": got.get("dims")}
        try:
            entry.update(canonical.summary(got["values"]))
            entry["dtype"] = str(getattr(got["values"], "dtype", ""))
            if got.get("slice") is not None:
                entry["slice_read_sha256"] = canonical.digest(got["slice"])
            expected = expected_by_path.get(path)
            if expected and entry["dtype_class"] != expected["dtype_class"]:
                entry["sha256_cast"] = _cast_digest(got["values"], expected)
            if expected and expected.get("cf"):
                entry.update(_cf_digests(got, entry, expected))
        except Exception as exc:  # a reader returned something that is not an array
            entry["error"] = f"could not summarise values: {type(exc).__name__}: {exc}"
        arrays[path] = entry
    return {"listed": reading.get("listed"), "arrays": arrays, "errors": reading.get("errors", {}), "notes": reading.get("notes", [])}


def _jsonable(value):
    try:
        return json.loads(json.dumps(value, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o)))
    except (TypeError, ValueError):
        return str(value)


def answer(request: dict, modules: dict) -> dict:
    """One request: describe the adapter, list the commands a command-line reader would run, or read an archive."""
    if request["adapter"] not in modules:
        modules[request["adapter"]] = importlib.import_module(request["adapter"])
    module = modules[request["adapter"]]
    if request.get("command") == "describe":
        try:
            found = module.versions()
        except Exception as exc:  # a broken version lookup must not hide the reader's options
            found = {"versions": f"unknown ({type(exc).__name__}: {exc})"}
        return {"ok": True, "result": {"versions": found, "fallbacks": module.FALLBACKS}}
    manifest = json.loads(open(request["manifest"], encoding="utf-8").read())
    if request.get("command") == "commands":  # a command-line reader's command lines, not run (a repro bundle's commands.sh)
        listed = module.commands(request["archive"], manifest, request.get("options") or {}) if hasattr(module, "commands") else None
        return {"ok": True, "result": {"commands": listed}}
    read_started = time.perf_counter()
    reading = module.read(request["archive"], manifest, request.get("options") or {})
    read_seconds = time.perf_counter() - read_started  # the library's call alone: no digest, no manifest
    return {"ok": True, "result": summarise(reading, manifest), "read_seconds": read_seconds}


def main() -> int:
    warnings.simplefilter("ignore")
    modules: dict = {}  # adapters are imported once and reused
    return serve(lambda request: answer(request, modules))


if __name__ == "__main__":
    sys.exit(main())
