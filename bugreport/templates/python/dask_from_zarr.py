# packages: dask zarr numcodecs numpy
import dask.array as da
from zarr.storage import ZipStore


def read(path):  # dask arrays carry no attributes: only the values are compared
    return None, da.from_zarr(ZipStore(path, mode="r"), component=ARRAY).compute(), None, None
