"""netCDF4-python on netCDF-C's NCZarr: Dataset("file://<path>#mode=nczarr,zip") or "#mode=zarr,zip"."""
# reader: id = "netcdf4-nczarr"
# reader: env = "netcdf4"
# reader: library = 'netCDF4 (wheel)'
# reader: call = 'netCDF4.Dataset("file://path#mode=nczarr,zip")'
# reader: group = "netcdf"
# reader: rank = 3
# reader: package = "netCDF4"
# reader: version_key = "netcdf-c"
# reader: decodes_cf = true
# reader: bugreport = "python:netcdf4"
# reader: bugreport_constants = { MODE = "nczarr,zip" }

from __future__ import annotations

from zipstore_compat.compat_tests.adapters.common import Missing, box, option, read_each

# netCDF4-python masks and unpacks by default: "The default value of `maskandscale` is `True` (automatic
# conversions are performed)" (Variable.set_auto_maskandscale): values equal to the variable's _FillValue
# or missing_value come back masked, packed values unpacked. Times stay numbers (netCDF4.num2date is a
# separate call). The adapter reads as users do; the documented way back to the stored values:
MASK_AND_SCALE_OFF = option("set_auto_maskandscale(False)", "https://unidata.github.io/netcdf4-python/#Variable.set_auto_maskandscale",
                            "decoding", avoids=("mask", "scale"), maskandscale=False)
FALLBACKS: list = [MASK_AND_SCALE_OFF]


def versions() -> dict:
    import netCDF4

    from zipstore_compat.compat_tests.adapters.common import installed_version

    return {
        "netCDF4": installed_version("netCDF4"),
        "netcdf-c": netCDF4.__netcdf4libversion__,
        # the build flags the module exposes (it has none for NCZarr or zip: the cells show those)
        "flags": " ".join(sorted(name.strip("_")[4:] for name in dir(netCDF4) if name.startswith("__has_") and getattr(netCDF4, name))),
        "numpy": installed_version("numpy"),
    }


def read(archive: str, manifest: dict, options: dict, mode: str = "nczarr,zip") -> dict:
    import netCDF4

    with netCDF4.Dataset(f"file://{archive}#mode={mode}", "r") as nc:
        if options.get("maskandscale") is False:
            nc.set_auto_maskandscale(False)
        listed = []

        def walk(group, prefix):
            for name in group.variables:
                listed.append(f"{prefix}{name}")
            for name, child in group.groups.items():
                walk(child, f"{prefix}{name}/")

        walk(nc, "")

        def one(expected):
            *groups, name = expected["path"].split("/")
            node = nc
            for g in groups:  # the dataset opened; a group or variable it lacks is a silent loss, not an exception
                if g not in node.groups:
                    raise Missing(f"the dataset has no group {g!r} (groups: {', '.join(list(node.groups)[:5]) or 'none'})")
                node = node.groups[g]
            if name not in node.variables:
                raise Missing(f"the dataset has no variable {name!r} (variables: {', '.join(list(node.variables)[:5]) or 'none'})")
            variable = node.variables[name]
            values = variable[...]
            return {
                "values": values,
                "slice": variable[box(expected)] if variable.ndim else values,
                "attrs": {k: variable.getncattr(k) for k in variable.ncattrs()},
                "dims": list(variable.dimensions) or None,
            }

        arrays, errors = read_each(manifest, one)
    return {"listed": sorted(listed), "arrays": arrays, "errors": errors}

