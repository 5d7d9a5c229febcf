# packages: dask zarr numcodecs numpy
import dask.array as da


def read(path):  # dask arrays carry no attributes: only the values are compared
    return None, da.from_zarr(path, component=ARRAY).compute(), None, None  # the archive's path itself, no ZipStore
