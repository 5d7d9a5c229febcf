# packages: fsspec zarr numcodecs numpy
import fsspec, zarr
from fsspec.implementations.asyn_wrapper import AsyncFileSystemWrapper


def read(path):
    fs = AsyncFileSystemWrapper(fsspec.filesystem("zip", fo=path))
    root = zarr.open_group(zarr.storage.FsspecStore(fs, read_only=True, path=""), mode="r")
    listed = [name for name, node in root.members(max_depth=None) if isinstance(node, zarr.Array)]
    array = root[ARRAY]
    return listed, array[...], dict(array.attrs), getattr(array.metadata, "dimension_names", None) or array.attrs.get("_ARRAY_DIMENSIONS")
