# packages: zarr numcodecs numpy
import zarr


def read(path):
    root = zarr.open(path, mode="r")  # the archive's path itself, no ZipStore (zarr-python #2831)
    listed = [name for name, node in root.members(max_depth=None) if isinstance(node, zarr.Array)]
    array = root[ARRAY]
    return listed, array[...], dict(array.attrs), getattr(array.metadata, "dimension_names", None) or array.attrs.get("_ARRAY_DIMENSIONS")
