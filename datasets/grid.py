"""Real geophysical grids with lat/lon/time coordinates and CF attributes.

- coads: the COADS monthly climatology shipped by Debian's ferret-datasets
  (coads_climatology.cdf, netCDF-3): sea surface temperature and air
  temperature, 12 x 90 x 180, fill value -1e34 over land.
- ostia: the OSTIA monthly surface temperature from iris-sample-data
  (ostia_monthly.nc, netCDF-4): 54 x 18 x 432, fill value 1e20.

Variables keep their values bit for bit; coordinates are renamed to CF-style
names (time, lat, lon) and given CF attributes (standard_name, units, axis).
"""

from __future__ import annotations

import numpy as np

from zipstore_compat.datasets.model import ArraySpec, DatasetSpec
from zipstore_compat.datasets.sources import SOURCES, source_file


def _text(value) -> str:
    if isinstance(value, (bytes, np.bytes_)):
        return value.decode("latin1").strip()
    return str(value)


def coads(fetch: bool = True) -> DatasetSpec:
    from scipy.io import netcdf_file

    path = source_file("ferret-datasets", "coads_climatology.cdf", fetch=fetch)
    with netcdf_file(path, mode="r", mmap=False) as nc:
        var = {name: nc.variables[name] for name in ("TIME", "COADSY", "COADSX", "SST", "AIRT")}
        data = {name: np.array(v.data, copy=True) for name, v in var.items()}
        attrs = {name: {k: _text(a) if isinstance(a, (bytes, np.bytes_)) else a for k, a in v._attributes.items()} for name, v in var.items()}
        history = _text(nc._attributes.get("history", b""))
    dims = ("time", "lat", "lon")
    fill = np.float32(-1e34)

    def field(name: str, standard_name: str):
        a = data[name].astype("<f4")
        return ArraySpec(
            name.lower(), a, (3, 45, 90),
            {
                "long_name": attrs[name]["long_name"],
                "units": "degC",
                "standard_name": standard_name,
                "history": attrs[name]["history"],
            },
            dims, float(fill), missing_value=float(fill),   # the source's missing_value: land
        )

    arrays = [
        ArraySpec("time", data["TIME"].astype("<f8"), (12,), {"standard_name": "time", "units": "hours since 0000-01-01 00:00:00", "calendar": "noleap", "axis": "T", "long_name": "month of climatological year"}, ("time",)),
        ArraySpec("lat", data["COADSY"].astype("<f8"), (90,), {"standard_name": "latitude", "units": "degrees_north", "axis": "Y"}, ("lat",)),
        ArraySpec("lon", data["COADSX"].astype("<f8"), (180,), {"standard_name": "longitude", "units": "degrees_east", "axis": "X"}, ("lon",)),
        field("SST", "sea_surface_temperature"),
        field("AIRT", "air_temperature"),
    ]
    groups = {"": {"Conventions": "CF-1.8", "title": "COADS monthly climatology", "history": history, "source": "Debian ferret-datasets 7.6.0-5, coads_climatology.cdf", "licence": SOURCES["ferret-datasets"].licence}}
    return DatasetSpec("coads", "grid", "Debian ferret-datasets=7.6.0-5, usr/share/ferret-vis/data/coads_climatology.cdf", SOURCES["ferret-datasets"].licence, groups, arrays)


def ostia(fetch: bool = True) -> DatasetSpec:
    import h5py

    path = source_file("iris-sample-data", "ostia_monthly.nc", fetch=fetch)
    with h5py.File(path, "r") as h5:
        sst = h5["surface_temperature"][...].astype("<f4")
        lat = h5["latitude"][...].astype("<f4")
        lon = h5["longitude"][...].astype("<f4")
        time = h5["time"][...].astype("<f8")
        src_attrs = {k: _text(v) for k, v in h5["surface_temperature"].attrs.items() if isinstance(v, (bytes, np.bytes_))}
        conventions = _text(h5.attrs.get("Conventions", b"CF-1.5"))
    fill = float(np.float32(1e20))
    dims = ("time", "lat", "lon")
    arrays = [
        ArraySpec("time", time, (54,), {"standard_name": "time", "units": "hours since 1970-01-01 00:00:00", "calendar": "gregorian", "axis": "T"}, ("time",)),
        ArraySpec("lat", lat, (18,), {"standard_name": "latitude", "units": "degrees_north", "axis": "Y"}, ("lat",)),
        ArraySpec("lon", lon, (432,), {"standard_name": "longitude", "units": "degrees_east", "axis": "X"}, ("lon",)),
        ArraySpec(
            "surface_temperature", sst, (6, 18, 216),
            {
                "standard_name": src_attrs.get("standard_name", "surface_temperature"),
                "units": src_attrs.get("units", "K"),
                "cell_methods": src_attrs.get("cell_methods", ""),
                "um_stash_source": src_attrs.get("um_stash_source", ""),
            },
            dims, fill, missing_value=fill,   # the source's _FillValue
        ),
    ]
    groups = {"": {"Conventions": conventions, "title": "OSTIA monthly surface temperature", "source": "iris-sample-data 2.5.2, sample_data/ostia_monthly.nc", "licence": SOURCES["iris-sample-data"].licence}}
    return DatasetSpec("ostia", "grid", "iris-sample-data==2.5.2 (registry wheel), sample_data/ostia_monthly.nc", SOURCES["iris-sample-data"].licence, groups, arrays)
