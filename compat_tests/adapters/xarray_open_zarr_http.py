"""xarray over HTTP: xr.open_zarr("zip::http://..."), fsspec's URL chaining through zarr-python 3's FsspecStore."""
# reader: id = "xarray-open_zarr-http"
# reader: env = "http-python"
# reader: library = 'xarray (HTTP)'
# reader: call = 'xr.open_zarr("zip::" + url)'
# reader: group = "xarray"
# reader: rank = 3
# reader: package = "xarray"
# reader: version_key = "xarray"
# reader: remote = true
# reader: decodes_cf = true

from zipstore_compat.compat_tests.adapters.remote_common import boxes, one_chunk
from zipstore_compat.compat_tests.adapters.xarray_common import documented_options, read_with, versions

FALLBACKS = [o for o in documented_options("https://docs.xarray.dev/en/stable/generated/xarray.open_zarr.html")
             if o["family"] == "decoding"]

__all__ = ["FALLBACKS", "read", "versions"]


def read(archive: str, manifest: dict, options: dict) -> dict:
    import xarray as xr

    url = "zip::" + archive
    if not one_chunk(manifest):
        return read_with(lambda group, kwargs: xr.open_zarr(url, group=group, **kwargs).load(), manifest, options)
    expected = manifest["arrays"][0]  # the one-chunk read: open the dataset lazily, load one chunk of one variable
    group, _, name = expected["path"].rpartition("/")
    with xr.open_zarr(url, group=group or None, **options) as ds:
        variable = ds.variables[name]
        whole, part = boxes(expected)
        values = variable[whole].values
        return {"listed": None, "errors": {}, "arrays": {expected["path"]: {
            "values": values, "slice": variable[part].values, "attrs": dict(variable.attrs), "dims": list(variable.dims) or None}}}
