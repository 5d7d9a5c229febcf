"""h5py, the negative control: an HDF5 library handed a ZIP archive must refuse it cleanly."""
# reader: id = "h5py"
# reader: env = "h5py"
# reader: library = 'h5py'
# reader: call = 'h5py.File(path, "r")'
# reader: group = "h5py"
# reader: rank = 1
# reader: package = "h5py"
# reader: version_key = "h5py"
# reader: bugreport = "python:h5py_control"

from __future__ import annotations

FALLBACKS: list = []


def versions() -> dict:
    import h5py

    from zipstore_compat.compat_tests.adapters.common import installed_version

    return {"h5py": installed_version("h5py"), "hdf5": h5py.version.hdf5_version}


def read(archive: str, manifest: dict, options: dict) -> dict:
    import h5py

    with h5py.File(archive, "r") as handle:  # raises OSError for a ZIP archive
        listed = []
        handle.visititems(lambda name, node: listed.append(name) if isinstance(node, h5py.Dataset) else None)
    return {"listed": listed, "arrays": {}, "errors": {}}
