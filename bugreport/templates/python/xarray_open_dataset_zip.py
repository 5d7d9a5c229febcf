# packages: xarray zarr numcodecs numpy pandas cftime fsspec
import xarray as xr


def read(path):
    group, _, name = ARRAY.rpartition("/")
    ds = xr.open_dataset("zip::" + path, engine="zarr", group=group or None)
    variable = ds.variables[name]
    return list(ds.variables), variable.values, dict(variable.attrs), list(variable.dims)
