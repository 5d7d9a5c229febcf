# packages: h5py numpy
import h5py


def read(path):  # a ZIP archive is no HDF5 file: a clean refusal is what h5py should give
    with h5py.File(path, "r") as handle:
        return list(handle), handle[ARRAY][...], dict(handle[ARRAY].attrs), None
