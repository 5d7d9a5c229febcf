# packages: numpy GDAL
from osgeo import gdal
gdal.UseExceptions()


def read(path):
    root = gdal.OpenEx("/vsizip/" + path, gdal.OF_MULTIDIM_RASTER).GetRootGroup()
    array = root.OpenMDArrayFromFullname("/" + ARRAY)
    attrs = {a.GetName(): a.Read() for a in array.GetAttributes()} | ({"units": array.GetUnit()} if array.GetUnit() else {})
    return root.GetMDArrayNames(), array.ReadAsArray(), attrs, [d.GetName() for d in array.GetDimensions()]
