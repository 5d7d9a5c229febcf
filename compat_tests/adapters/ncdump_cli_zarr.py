"""ncdump of netCDF-C built with libzip, on file://<path>#mode=zarr,zip (pure Zarr): see ncdump_cli."""
# reader: id = "ncdump-zarr"
# reader: env = "netcdf4-libzip"
# reader: library = 'ncdump (netCDF-C + libzip)'
# reader: call = 'ncdump -p 9,17 "file://path#mode=zarr,zip"'
# reader: group = "netcdf"
# reader: rank = 6
# reader: version_key = "netcdf-c"
# reader: bugreport = ["shell:ncdump", "python:ncdump"]
# reader: bugreport_constants = { MODE = "zarr,zip" }

from __future__ import annotations

from zipstore_compat.compat_tests.adapters import ncdump_cli
from zipstore_compat.compat_tests.adapters.ncdump_cli import FALLBACKS, versions

__all__ = ["FALLBACKS", "commands", "read", "versions"]
MODE = "zarr,zip"


def commands(archive: str, manifest: dict, options: dict) -> list[list[str]]:
    return ncdump_cli.commands(archive, manifest, options, mode=MODE)


def read(archive: str, manifest: dict, options: dict) -> dict:
    return ncdump_cli.read(archive, manifest, options, mode=MODE)
