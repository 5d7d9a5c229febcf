# packages: zarr numcodecs numpy
import zarr


def read(path):
    root = zarr.open(path, mode="r")  # the archive's path itself: zarr-python 2.18 opens a ".zip" path as a ZipStore
    listed = []
    root.visititems(lambda name, node: listed.append(name) if isinstance(node, zarr.Array) else None)
    array = root[ARRAY]
    return listed, array[...], dict(array.attrs), array.attrs.get("_ARRAY_DIMENSIONS")
