# packages: tensorstore numpy
import tensorstore as ts


def read(path):
    kvstore = {"driver": "zip", "base": {"driver": "file", "path": path}, "path": STORE_PREFIX + ARRAY + "/"}
    array = ts.open({"driver": "zarr3" if ZARR_FORMAT == 3 else "zarr", "kvstore": kvstore}, read=True).result()
    return None, array.read().result(), None, None
