"""xarray: xr.open_dataset("zip::" + path, engine="zarr", group=...) (fsspec URL chaining)."""
# reader: id = "xarray-open_dataset-zip"
# reader: env = "xarray"
# reader: library = 'xarray'
# reader: call = 'xr.open_dataset("zip::" + path, engine="zarr")'
# reader: group = "xarray"
# reader: rank = 2
# reader: package = "xarray"
# reader: version_key = "xarray"
# the race under zarr's FsspecStore, which reads many keys at once in threads through fsspec's one ZipFileSystem
# ('not necessarily thread-safe'): CPython 3.12's zipfile seeks the shared file relative to where another thread
# left it (skipping a local extra field: python/cpython#128258; seeking in a stored member: python/cpython#127847;
# zipfile raises a bare EOFError when another thread left the shared file at its end, as fsspec-zip declares);
# what such a read says is tried again (compat_tests/cells.py ask_past_races); wrong values never are
# reader: races = [{signature = "Bad CRC-32", link = "https://github.com/python/cpython/issues/128258"},
# reader:          {signature = "Bad magic number for file header", link = "https://github.com/python/cpython/issues/128258"},
# reader:          {signature = "invalid stored block lengths", link = "https://github.com/python/cpython/issues/128258"},
# reader:          {signature = "invalid code lengths set", link = "https://github.com/python/cpython/issues/128258"},
# reader:          {signature = "while decompressing data", link = "https://github.com/python/cpython/issues/128258"},
# reader:          {signature = "computed checksum do not match", link = "https://github.com/python/cpython/issues/127847"},
# reader:          {signature = "Zstd decompression error", link = "https://github.com/python/cpython/issues/127847"},
# reader:          {signature = "Not a gzipped file", link = "https://github.com/python/cpython/issues/127847"},
# reader:          {signature = "[EOFError: ]", link = "https://github.com/python/cpython/issues/127847"}]
# reader: decodes_cf = true
# reader: race_free = {label = "zarr.config async.concurrency=1", doc = "https://zarr.readthedocs.io/en/stable/user-guide/config/", options = {zarr_config = {"async.concurrency" = 1}}}
# reader: bugreport = "python:xarray_open_dataset_zip"

from zipstore_compat.compat_tests.adapters.common import library_settings, option
from zipstore_compat.compat_tests.adapters.xarray_common import documented_options, read_with, versions

# fsspec's chained URL names a folder inside the archive: zip://<folder>::<archive>
FALLBACKS = documented_options("https://docs.xarray.dev/en/stable/generated/xarray.open_dataset.html") + [
    option('"zip://<top-level folder>::" + path', "https://filesystem-spec.readthedocs.io/en/latest/features.html#url-chaining",
           "location", "store_prefix", url_folder=True),
]
__all__ = ["FALLBACKS", "read", "versions"]


def read(archive: str, manifest: dict, options: dict) -> dict:
    import xarray as xr

    url = (f"zip://{manifest['store_prefix'].rstrip('/')}::" if options.get("url_folder") else "zip::") + archive

    def open_group(group, kwargs):
        return xr.open_dataset(url, engine="zarr", group=group, **kwargs).load()

    with library_settings(options):
        return read_with(open_group, manifest, options)
