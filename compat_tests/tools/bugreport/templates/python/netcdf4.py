# packages: netCDF4 numpy
import netCDF4


def read(path):
    with netCDF4.Dataset(f"file://{path}#mode={MODE}", "r") as nc:
        nc.set_auto_maskandscale(False)
        *groups, name = ARRAY.split("/")
        node = nc
        for group in groups:
            node = node.groups[group]
        variable = node.variables[name]
        return list(node.variables), variable[...], {k: variable.getncattr(k) for k in variable.ncattrs()}, list(variable.dimensions)
