"""The NCZarr mode words the netCDF-C readers add to "#mode=...": which the release in use documents.

netCDF-C 4.10.0 added the mode word `consolidated` (read the store's consolidated
metadata, `.zmetadata`; Unidata/netcdf-c PR #3225, docs/nczarr.md "Consolidated
Metadata"). A user on 4.10 who finds the dataset empty adds it; a release before 4.10
does not know the word, so it is offered only where the netCDF-C in use is 4.10 or
newer (or cannot say: the newest release is the default lane's).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from zipstore_compat.compat_tests.adapters.common import option

CONSOLIDATED_SINCE = (4, 10)
CONSOLIDATED = option("#mode=...,consolidated", "https://github.com/Unidata/netcdf-c/blob/v4.10.1/docs/nczarr.md#consolidated-metadata",
                      "metadata", consolidated=True)


def release() -> tuple[int, ...] | None:
    """The netCDF-C release of the build the worker runs on (ZIPCOMPAT_NETCDF_C_PREFIX), None when it cannot say."""
    prefix = os.environ.get("ZIPCOMPAT_NETCDF_C_PREFIX", "")
    settings = Path(prefix) / "lib" / "libnetcdf.settings"
    if not prefix or not settings.exists():
        return None
    found = re.search(r"^NetCDF Version:\s*(\d+)\.(\d+)(?:\.(\d+))?", settings.read_text(encoding="utf-8", errors="replace"), re.M)
    return tuple(int(part) for part in found.groups() if part is not None) if found else None


def fallbacks() -> list:
    """The documented mode words of this release, as options (compat_tests/attempts.py)."""
    found = release()
    return [CONSOLIDATED] if found is None or found[:2] >= CONSOLIDATED_SINCE else []


def mode_with(mode: str, options: dict) -> str:
    """`mode` ("nczarr,zip", "zarr,zip") with the mode words the options ask for."""
    return mode + (",consolidated" if options.get("consolidated") else "")
