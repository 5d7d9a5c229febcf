"""zarrista (Python on the Rust zarrs crate): its read-only ZipStore over a FilesystemStore, as its docs show.

zarrista.store.ZipStore(store, key, *, path=None) opens the zip file held at `key` in another store (here a
FilesystemStore of the archive's folder) through zarrs_zip; `path` names a folder inside the zip to use as the
root. Arrays are read with Array.open(store, path=...) and array[selection] -> a Tensor -> .to_numpy().
"""
# reader: id = "zarrista"
# reader: env = "zarrista"
# reader: library = "zarrista (zarrs)"
# reader: call = 'zarrista.Group.open(zarrista.store.ZipStore(FilesystemStore(folder), name))'
# reader: group = "zarrs"
# reader: rank = 1
# reader: package = "zarrista"
# reader: version_key = "zarrista"
# reader: bugreport = "python:zarrista"

from __future__ import annotations

import os

from zipstore_compat.compat_tests.adapters.common import box, installed_version, option, read_each, store_path

ZIPSTORE_DOC = "https://github.com/developmentseed/zarrista/pull/152"  # added ZipStore(store, key, *, path=None); its docstring documents path=
FALLBACKS = [option("ZipStore(..., path=<top-level folder>)", ZIPSTORE_DOC, "location", "store_prefix", path_from_prefix=True)]


def versions() -> dict:
    import zarrista

    return {"zarrista": installed_version("zarrista") or zarrista.__version__, "zarr-metadata": installed_version("zarr-metadata"),
            "numpy": installed_version("numpy")}


def as_numpy(tensor):
    """A zarrista Tensor as numpy: fixed-width data as a view, variable-length as numpy's StringDType (or bytes objects)."""
    import numpy as np

    values = tensor.to_numpy()
    if isinstance(values, np.ma.MaskedArray):  # an optional data type: masked elements are no values
        raise TypeError(f"zarrista returned a masked array (an optional data type, {values.mask.sum()} masked)")
    return np.array(values)  # own the memory: the Rust buffer may go away with the tensor


def _array_paths(group) -> list[str]:
    """Every array below the group, by name: child_array_paths and child_group_paths list keys without opening each
    array (Group.traverse opens every node, so one array of a data type zarrs lacks stops it)."""
    paths = list(group.child_array_paths())
    for child in group.child_group_paths():
        paths += _array_paths(group.child(child.rsplit("/", 1)[-1]))
    return paths


def read(archive: str, manifest: dict, options: dict) -> dict:
    from zarrista import Array, Group
    from zarrista.store import FilesystemStore, ZipStore

    folder, name = os.path.split(os.path.abspath(archive))
    store = ZipStore(FilesystemStore(folder), name, path=store_path(manifest, options) or None)
    root = Group.open(store)
    notes = []
    try:
        listed = sorted(node.path.strip("/") for node in root.traverse() if isinstance(node, Array))
    except Exception as exc:  # noqa: BLE001  (traverse opens every node: one it cannot open stops it)
        notes.append(f"Group.traverse() raised {type(exc).__name__}: {exc}; listed with child_group_paths/child_array_paths instead")
        listed = sorted(path.strip("/") for path in _array_paths(root))

    def one(expected):
        array = Array.open(store, path="/" + expected["path"])
        values = as_numpy(array[array.subset_all])
        part = as_numpy(array[box(expected)]) if expected["shape"] else None
        attrs = dict(array.attrs)
        dims = array.dimension_names  # Zarr 3; for Zarr 2, xarray's _ARRAY_DIMENSIONS attribute, as for zarr-python
        if dims is None:
            dims = attrs.get("_ARRAY_DIMENSIONS")
        return {"values": values, "slice": part, "attrs": attrs, "dims": list(dims) if dims else None}

    arrays, errors = read_each(manifest, one)
    return {"listed": listed, "arrays": arrays, "errors": errors, "notes": notes}
