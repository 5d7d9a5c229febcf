# packages: rasterio numpy
import rasterio


def read(path):  # rasterio has no Zarr attributes: only the values are compared
    with rasterio.open(f'ZARR:"/vsizip/{path}":/{ARRAY}') as src:
        values = src.read()
    while values.ndim > EXPECTED.ndim and values.shape[0] == 1:  # a raster read adds a band axis
        values = values[0]
    return None, values, None, None
