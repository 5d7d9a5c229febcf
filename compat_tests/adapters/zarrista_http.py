"""zarrista (zarrs) over HTTP: its AsyncZipStore over an obstore HTTPStore, read with its async API."""
# reader: id = "zarrista-http"
# reader: env = "zarrista-http"
# reader: library = "zarrista (zarrs, HTTP)"
# reader: call = 'await AsyncGroup.open(await AsyncZipStore.open(HTTPStore.from_url(folder, client_options={"allow_http": True}), name))'
# reader: group = "zarrs"
# reader: rank = 2
# reader: package = "zarrista"
# reader: version_key = "zarrista"
# reader: remote = true

from __future__ import annotations

import asyncio

from zipstore_compat.compat_tests.adapters.common import installed_version
from zipstore_compat.compat_tests.adapters.remote_common import OBSTORE_CLIENT, boxes, folder_and_name, one_chunk
from zipstore_compat.compat_tests.adapters.zarrista import as_numpy

FALLBACKS: list = []


def versions() -> dict:
    import obstore  # noqa: F401  (importable: the worker is ready)
    import zarrista  # noqa: F401

    return {"zarrista": installed_version("zarrista"), "obstore": installed_version("obstore"), "numpy": installed_version("numpy")}


def read(archive: str, manifest: dict, options: dict) -> dict:
    return asyncio.run(_read(archive, manifest))


async def _paths(group) -> list[str]:
    paths = list(await group.child_array_paths())
    for child in await group.child_group_paths():
        paths += await _paths(await group.child(child.rsplit("/", 1)[-1]))
    return paths


async def _read(archive: str, manifest: dict) -> dict:
    from obstore.store import HTTPStore
    from zarrista import AsyncArray, AsyncGroup
    from zarrista.store import AsyncZipStore

    folder, name = folder_and_name(archive)
    store = await AsyncZipStore.open(HTTPStore.from_url(folder, client_options=OBSTORE_CLIENT), name)
    listed = None
    if not one_chunk(manifest):
        root = await AsyncGroup.open(store)
        listed = sorted(p.strip("/") for p in await _paths(root))
    arrays, errors = {}, {}
    for expected in manifest["arrays"]:
        try:
            array = await AsyncArray.open(store, path="/" + expected["path"])
            whole, part = boxes(expected)
            values = as_numpy(await array[array.subset_all if whole == (Ellipsis,) else whole])
            sliced = as_numpy(await array[part]) if expected["shape"] else None
            attrs = dict(array.attrs)
            dims = array.dimension_names if array.dimension_names is not None else attrs.get("_ARRAY_DIMENSIONS")
            arrays[expected["path"]] = {"values": values, "slice": sliced, "attrs": attrs, "dims": list(dims) if dims else None}
        except Exception as exc:  # one array failing is a finding, not the end of the cell
            errors[expected["path"]] = f"{type(exc).__name__}: {exc}"[:500]
    return {"listed": listed, "arrays": arrays, "errors": errors}
