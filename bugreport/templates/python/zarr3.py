# packages: zarr numcodecs numpy
import zarr


def read(path):
    root = zarr.open_group(zarr.storage.ZipStore(path, mode="r"), mode="r")
    listed = [name for name, node in root.members(max_depth=None) if isinstance(node, zarr.Array)]
    array = root[ARRAY]
    return listed, array[...], dict(array.attrs), getattr(array.metadata, "dimension_names", None) or array.attrs.get("_ARRAY_DIMENSIONS")
