"""netCDF4-python built from source against netCDF-C 4.10.1 with libzip: Dataset("file://<path>#mode=nczarr,zip").

Same calls as the wheel's reader (netcdf4_zip); only the library underneath
differs. Filters (blosc, zstd, ...) come from the plugins of that build,
found through HDF5_PLUGIN_PATH. The versions lane runs it on netCDF-C 4.9.3
(envs/environments.toml). Where the release documents it (4.10 on), the mode word
`consolidated` is tried when the default call fails (nczarr_modes).
"""
# reader: id = "netcdf4-libzip-nczarr"
# reader: env = "netcdf4-libzip"
# reader: library = 'netCDF4 (netCDF-C + libzip)'
# reader: call = 'netCDF4.Dataset("file://path#mode=nczarr,zip")'
# reader: group = "netcdf"
# reader: rank = 1
# reader: package = "netCDF4"
# reader: version_key = "netcdf-c"
# reader: decodes_cf = true
# reader: bugreport = "python:netcdf4"
# reader: bugreport_constants = { MODE = "nczarr,zip" }

from __future__ import annotations

import os
from pathlib import Path

from zipstore_compat.compat_tests.adapters import nczarr_modes, netcdf4_zip

FALLBACKS: list = nczarr_modes.fallbacks() + [netcdf4_zip.MASK_AND_SCALE_OFF]
SETTINGS = ("NetCDF Version", "NCZarr Support", "NCZarr Zip Support", "Standard Filters", "Plugin Install Dir")


def versions() -> dict:
    found = netcdf4_zip.versions()
    prefix = os.environ.get("ZIPCOMPAT_NETCDF_C_PREFIX", "")
    settings = Path(prefix) / "lib" / "libnetcdf.settings"
    if prefix and settings.exists():
        lines = dict(line.split(":", 1) for line in settings.read_text(encoding="utf-8").splitlines() if ":" in line)
        found["netcdf-c build"] = "; ".join(f"{key}: {lines[key].strip()}" for key in SETTINGS if key in lines)
    found["HDF5_PLUGIN_PATH"] = os.environ.get("HDF5_PLUGIN_PATH", "(unset)")
    return found


def read(archive: str, manifest: dict, options: dict) -> dict:
    return netcdf4_zip.read(archive, manifest, options, mode=nczarr_modes.mode_with("nczarr,zip", options))
