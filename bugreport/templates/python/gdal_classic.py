# packages: numpy GDAL
from osgeo import gdal
gdal.UseExceptions()


def read(path):  # the classic API has no Zarr attributes: only the values are compared
    name = f'ZARR:"/vsizip/{path}":/{ARRAY}'
    try:
        values = gdal.Open(name).ReadAsArray()
    except RuntimeError as exc:  # GDAL before 3.7 opens a 3-D array as one subdataset per leading index
        if "Indices of extra dimensions" not in str(exc):
            raise
        values = np.stack([gdal.Open(f"{name}:{i}").ReadAsArray() for i in range(EXPECTED.shape[0])])
    while values.ndim > EXPECTED.ndim and values.shape[0] == 1:  # a raster read adds a band axis
        values = values[0]
    return None, values, None, None
