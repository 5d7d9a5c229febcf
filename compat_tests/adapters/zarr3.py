"""zarr-python 3: zarr.open_group(zarr.storage.ZipStore(path, mode="r"))."""
# reader: id = "zarr3"
# reader: env = "zarr3"
# reader: library = 'zarr-python 3'
# reader: call = 'zarr.open_group(zarr.storage.ZipStore(path, mode="r"))'
# reader: group = "zarr-python"
# reader: rank = 1
# reader: package = "zarr"
# reader: version_key = "zarr"
# reader: bugreport = "python:zarr3"

from __future__ import annotations

from zipstore_compat.compat_tests.adapters.common import box, option, read_each, store_path

FALLBACKS = [option("open_group(store, path=<top-level folder>)", "https://zarr.readthedocs.io/en/latest/api/zarr/functions/open_group/", "location", "store_prefix", path_from_prefix=True)]


def versions() -> dict:
    import zarr  # noqa: F401  (importable: the worker is ready, and the first cell does not pay for the import)

    from zipstore_compat.compat_tests.adapters.common import installed_version

    return {"zarr": installed_version("zarr"), "numcodecs": installed_version("numcodecs"), "numpy": installed_version("numpy")}


def read(archive: str, manifest: dict, options: dict) -> dict:
    import zarr
    from zarr.storage import ZipStore

    store = ZipStore(archive, mode="r")
    try:
        return read_group(zarr.open_group(store, mode="r", path=store_path(manifest, options) or None), manifest)
    finally:
        if store._is_open:  # a store nothing was read from never opened
            store.close()


def read_group(root, manifest: dict) -> dict:
    """What a zarr-python 3 group (or array, when the path names one) holds, as the matrix checks it."""
    import zarr

    if isinstance(root, zarr.Array):
        raise TypeError(f"the archive opened as an array {root.shape}, not a group")
    listed = sorted(name for name, node in root.members(max_depth=None) if isinstance(node, zarr.Array))

    def one(expected):
        array = root[expected["path"]]
        dims = getattr(array.metadata, "dimension_names", None)
        attrs = dict(array.attrs)
        if dims is None:
            dims = attrs.get("_ARRAY_DIMENSIONS")
        return {"values": array[...], "slice": array[box(expected)], "attrs": attrs, "dims": list(dims) if dims else None}

    arrays, errors = read_each(manifest, one)
    return {"listed": listed, "arrays": arrays, "errors": errors}
