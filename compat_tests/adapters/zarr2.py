"""zarr-python 2.18: zarr.open_group(zarr.ZipStore(path, mode="r"))."""
# reader: id = "zarr2"
# reader: env = "zarr2"
# reader: library = 'zarr-python 2.18'
# reader: call = 'zarr.open_group(zarr.ZipStore(path, mode="r"))'
# reader: group = "zarr-python"
# reader: rank = 2
# reader: package = "zarr"
# reader: version_key = "zarr"
# reader: bugreport = "python:zarr2"

from __future__ import annotations

from zipstore_compat.compat_tests.adapters.common import box, option, read_each, store_path

FALLBACKS = [option("open_group(store, path=<top-level folder>)", "https://zarr.readthedocs.io/en/v2.18.5/api/hierarchy.html", "location", "store_prefix", path_from_prefix=True)]


def versions() -> dict:
    import zarr  # noqa: F401  (importable: the worker is ready, and the first cell does not pay for the import)

    from zipstore_compat.compat_tests.adapters.common import installed_version

    return {"zarr": installed_version("zarr"), "numcodecs": installed_version("numcodecs"), "numpy": installed_version("numpy")}


def read(archive: str, manifest: dict, options: dict) -> dict:
    import zarr

    store = zarr.ZipStore(archive, mode="r")
    try:
        root = zarr.open_group(store, mode="r", path=store_path(manifest, options) or None)
        listed = []
        root.visititems(lambda name, node: listed.append(name) if isinstance(node, zarr.Array) else None)

        def one(expected):
            array = root[expected["path"]]
            attrs = dict(array.attrs)
            dims = attrs.get("_ARRAY_DIMENSIONS")
            return {"values": array[...], "slice": array[box(expected)], "attrs": attrs, "dims": dims}

        arrays, errors = read_each(manifest, one)
        return {"listed": sorted(listed), "arrays": arrays, "errors": errors}
    finally:
        store.close()
