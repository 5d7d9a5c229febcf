# packages: xarray zarr numcodecs numpy pandas cftime
import xarray as xr
from zarr.storage import ZipStore


def read(path):
    group, _, name = ARRAY.rpartition("/")
    ds = xr.open_zarr(ZipStore(path, mode="r"), group=group or None)
    variable = ds.variables[name]
    return list(ds.variables), variable.values, dict(variable.attrs), list(variable.dims)
