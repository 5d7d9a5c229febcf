# packages: netCDF4 numpy
import netCDF4


def read(path):
    with netCDF4.Dataset(f"file://{path}#mode={MODE}", "r") as nc:
        nc.set_auto_maskandscale(False)
        variable = nc[ARRAY]  # a path: groups, then the variable
        attrs = {k: variable.getncattr(k) for k in variable.ncattrs()}
        return list(variable.group().variables), variable[...], attrs, list(variable.dimensions)
