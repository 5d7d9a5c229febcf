# packages: zarr numcodecs numpy
import zarr


def read(path):
    root = zarr.open_group(zarr.ZipStore(path, mode="r"), mode="r")
    listed = []
    root.visititems(lambda name, node: listed.append(name) if isinstance(node, zarr.Array) else None)
    array = root[ARRAY]
    return listed, array[...], dict(array.attrs), array.attrs.get("_ARRAY_DIMENSIONS")
