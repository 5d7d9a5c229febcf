"""dask, the archive's path given to from_zarr: dask.array.from_zarr("x.zip", component=<array path>)."""
# reader: id = "dask-from_zarr-path"
# reader: env = "xarray"
# reader: library = 'dask'
# reader: call = 'dask.array.from_zarr("x.zip", component=...)'
# reader: group = "dask"
# reader: rank = 5
# reader: package = "dask"
# reader: version_key = "dask"
# reader: bugreport = "python:dask_from_zarr_path"

from __future__ import annotations

from zipstore_compat.compat_tests.adapters.common import box, installed_version, option, read_each, store_path

FALLBACKS = [option("from_zarr(path, component=<top-level folder>/<array>)", "https://docs.dask.org/en/stable/generated/dask.array.from_zarr.html", "location", "store_prefix", path_from_prefix=True)]


def versions() -> dict:
    import dask  # noqa: F401  (importable: the worker is ready, and the first cell does not pay for the import)
    import zarr  # noqa: F401

    return {"dask": installed_version("dask"), "zarr": installed_version("zarr"), "numpy": installed_version("numpy")}


def read(archive: str, manifest: dict, options: dict) -> dict:
    import dask
    import dask.array as da

    folder = store_path(manifest, options)
    with dask.config.set(scheduler="threads", num_workers=2):
        def one(expected):
            array = da.from_zarr(archive, component=f"{folder}/{expected['path']}" if folder else expected["path"])
            return {"values": array.compute(), "slice": array[box(expected)].compute(), "attrs": None, "dims": None}

        arrays, errors = read_each(manifest, one)
    return {"listed": None, "arrays": arrays, "errors": errors, "notes": ["dask arrays carry no attributes or dimension names: those checks are skipped"]}
