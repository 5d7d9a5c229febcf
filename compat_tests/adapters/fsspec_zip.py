"""fsspec: a zarr-python 3 FsspecStore over fsspec's ZipFileSystem."""
# reader: id = "fsspec-zip"
# reader: env = "xarray"
# reader: library = 'fsspec'
# reader: call = 'zarr.open_group(FsspecStore(ZipFileSystem(path)))'
# reader: group = "fsspec"
# reader: rank = 1
# reader: package = "fsspec"
# reader: version_key = "fsspec"
# the race under zarr's FsspecStore, which reads many keys at once in threads through fsspec's one ZipFileSystem
# ('not necessarily thread-safe'): CPython 3.12's zipfile seeks the shared file relative to where another thread
# left it (skipping a local extra field: python/cpython#128258; seeking in a stored member: python/cpython#127847);
# (a range read inside a stored shard that lands elsewhere hands its codec bytes that are not its chunk: zstd's and
# gzip's decoders refuse them; zipfile raises a bare EOFError when another thread left the shared file at its end);
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
# reader: race_free = {label = "zarr.config async.concurrency=1", doc = "https://zarr.readthedocs.io/en/stable/user-guide/config/", options = {zarr_config = {"async.concurrency" = 1}}}
# reader: bugreport = "python:fsspec_zip"

from __future__ import annotations

from zipstore_compat.compat_tests.adapters.common import box, library_settings, option, read_each, store_path

FALLBACKS = [option("FsspecStore(..., path=<top-level folder>)", "https://zarr.readthedocs.io/en/latest/api/zarr/storage/", "location", "store_prefix", path_from_prefix=True)]


def versions() -> dict:
    import fsspec  # noqa: F401  (importable: the worker is ready, and the first cell does not pay for the import)
    import zarr  # noqa: F401

    from zipstore_compat.compat_tests.adapters.common import installed_version

    return {"fsspec": installed_version("fsspec"), "zarr": installed_version("zarr"), "numpy": installed_version("numpy")}


def read(archive: str, manifest: dict, options: dict) -> dict:
    with library_settings(options):
        return read_store(archive, manifest, options)


def read_store(archive: str, manifest: dict, options: dict) -> dict:
    import fsspec
    import zarr
    from fsspec.implementations.asyn_wrapper import AsyncFileSystemWrapper
    from zarr.storage import FsspecStore

    fs = fsspec.filesystem("zip", fo=archive)
    store = FsspecStore(AsyncFileSystemWrapper(fs), read_only=True, path=store_path(manifest, options))
    root = zarr.open_group(store, mode="r")
    listed = sorted(name for name, node in root.members(max_depth=None) if isinstance(node, zarr.Array))

    def one(expected):
        array = root[expected["path"]]
        attrs = dict(array.attrs)
        dims = getattr(array.metadata, "dimension_names", None) or attrs.get("_ARRAY_DIMENSIONS")
        return {"values": array[...], "slice": array[box(expected)], "attrs": attrs, "dims": list(dims) if dims else None}

    arrays, errors = read_each(manifest, one)
    return {"listed": listed, "arrays": arrays, "errors": errors}
