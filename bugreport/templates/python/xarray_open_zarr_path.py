# packages: xarray zarr numcodecs numpy pandas cftime
import xarray as xr


def read(path):
    group, _, name = ARRAY.rpartition("/")
    ds = xr.open_zarr(path, group=group or None)  # the archive's path itself, no ZipStore (xarray #10827)
    variable = ds.variables[name]
    return list(ds.variables), variable.values, dict(variable.attrs), list(variable.dims)
