"""GDAL over HTTP: the multidimensional API on /vsizip//vsicurl/<url> (GDAL's network virtual file system)."""
# reader: id = "gdal-vsicurl"
# reader: env = "gdal"
# reader: library = 'GDAL (HTTP)'
# reader: call = 'gdal.OpenEx("/vsizip//vsicurl/" + url, gdal.OF_MULTIDIM_RASTER)'
# reader: group = "gdal"
# reader: rank = 4
# reader: package = "GDAL"
# reader: version_key = "gdal"
# reader: remote = true

from __future__ import annotations

from zipstore_compat.compat_tests.adapters.common import Missing, option, read_each
from zipstore_compat.compat_tests.adapters.gdal_multidim import array_names, versions
from zipstore_compat.compat_tests.adapters.remote_common import boxes, one_chunk

NETWORK_DOC = "https://gdal.org/en/stable/user/configoptions.html#networking-options"
FALLBACKS = [
    option("CPL_VSIL_CURL_USE_HEAD=NO", NETWORK_DOC, "head", CPL_VSIL_CURL_USE_HEAD="NO"),
    option("GDAL_HTTP_MAX_RETRY=3, GDAL_HTTP_RETRY_DELAY=0.1", NETWORK_DOC, "retry", GDAL_HTTP_MAX_RETRY="3", GDAL_HTTP_RETRY_DELAY="0.1"),
]

__all__ = ["FALLBACKS", "read", "versions"]


def read(archive: str, manifest: dict, options: dict) -> dict:
    from osgeo import gdal

    gdal.UseExceptions()
    for key, value in options.items():  # GDAL's documented configuration options, for this read only
        gdal.SetConfigOption(key, value)
    try:
        return _read(gdal, "/vsizip//vsicurl/" + archive, manifest)
    finally:
        for key in options:
            gdal.SetConfigOption(key, None)
        gdal.VSICurlClearCache()  # every cell has its own URL: nothing cached is of use to the next one


def _read(gdal, name: str, manifest: dict) -> dict:
    dataset = gdal.OpenEx(name, gdal.OF_MULTIDIM_RASTER)
    root = dataset.GetRootGroup()
    listed = None if one_chunk(manifest) else sorted(array_names(root, ""))

    def one(expected):
        array = root.OpenMDArrayFromFullname("/" + expected["path"])
        if array is None:  # GDAL answers "no such array" with None, not an exception
            raise Missing(f"OpenMDArrayFromFullname('/{expected['path']}') returned None")
        whole, part = boxes(expected)

        def window(box):
            if box == (Ellipsis,):
                return array.ReadAsArray()
            return array.ReadAsArray(array_start_idx=[s.start for s in box], count=[s.stop - s.start for s in box])

        values = window(whole)
        attrs = {a.GetName(): a.Read() for a in array.GetAttributes()}
        if array.GetUnit():  # GDAL moves CF `units` out of the attributes into GetUnit()
            attrs.setdefault("units", array.GetUnit())
        dims = [d.GetName() for d in array.GetDimensions()] or None
        return {"values": values, "slice": window(part), "attrs": attrs, "dims": dims}

    arrays, errors = read_each(manifest, one)
    return {"listed": listed, "arrays": arrays, "errors": errors}
