"""The one registry of readers: id -> environment, adapter, what it is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reader:
    id: str
    env: str
    adapter: str           # module run inside the worker
    library: str           # the library under test, as users know it
    call: str              # how users call it (one line, shown in the table)
    test_only: bool = False


READERS = {r.id: r for r in [
    Reader("zarr3", "zarr3", "compat_tests.adapters.zarr3", "zarr-python 3", 'zarr.open_group(zarr.storage.ZipStore(path, mode="r"))'),
    Reader("zarr2", "zarr2", "compat_tests.adapters.zarr2", "zarr-python 2.18", 'zarr.open_group(zarr.ZipStore(path, mode="r"))'),
    Reader("xarray-open_zarr", "xarray", "compat_tests.adapters.xarray_open_zarr", "xarray", 'xr.open_zarr(ZipStore(path, mode="r"))'),
    Reader("xarray-open_dataset-zip", "xarray", "compat_tests.adapters.xarray_open_dataset_zip", "xarray", 'xr.open_dataset("zip::" + path, engine="zarr")'),
    Reader("fsspec-zip", "xarray", "compat_tests.adapters.fsspec_zip", "fsspec", 'zarr.open_group(FsspecStore(ZipFileSystem(path)))'),
    Reader("dask", "xarray", "compat_tests.adapters.dask_from_zarr", "dask", 'dask.array.from_zarr(ZipStore(path), component=...)'),
    Reader("h5py", "h5py", "compat_tests.adapters.h5py_control", "h5py", 'h5py.File(path, "r")'),
    Reader("tensorstore-zarr", "tensorstore", "compat_tests.adapters.tensorstore_zip", "tensorstore", '{"driver": "zarr"|"zarr3", "kvstore": {"driver": "zip", "base": "file://path"}}'),
    Reader("netcdf4-nczarr", "netcdf4", "compat_tests.adapters.netcdf4_zip", "netCDF4 (wheel)", 'netCDF4.Dataset("file://path#mode=nczarr,zip")'),
    Reader("netcdf4-zarr", "netcdf4", "compat_tests.adapters.netcdf4_zarr_zip", "netCDF4 (wheel)", 'netCDF4.Dataset("file://path#mode=zarr,zip")'),
    Reader("netcdf4-libzip-nczarr", "netcdf4-libzip", "compat_tests.adapters.netcdf4_libzip_nczarr", "netCDF4 (netCDF-C 4.9.3 + libzip)", 'netCDF4.Dataset("file://path#mode=nczarr,zip")'),
    Reader("netcdf4-libzip-zarr", "netcdf4-libzip", "compat_tests.adapters.netcdf4_libzip_zarr", "netCDF4 (netCDF-C 4.9.3 + libzip)", 'netCDF4.Dataset("file://path#mode=zarr,zip")'),
    Reader("gdal-multidim", "gdal", "compat_tests.adapters.gdal_multidim", "GDAL (Debian)", 'gdal.OpenEx("/vsizip/" + path, gdal.OF_MULTIDIM_RASTER)'),
    Reader("gdal-classic", "gdal", "compat_tests.adapters.gdal_classic", "GDAL (Debian)", 'gdal.Open(\'ZARR:"/vsizip/\' + path + \'":/array\')'),
    Reader("rasterio-gdal", "rasterio", "compat_tests.adapters.rasterio_classic", "rasterio (bundled GDAL)", 'rasterio.open(\'ZARR:"/vsizip/\' + path + \'":/array\')'),
    Reader("tensorflow", "tensorflow", "compat_tests.adapters.tensorflow_pipeline", "TensorFlow (tf.data + Keras)", "tf.data.Dataset.map(tf.py_function(read chunk from ZipStore), num_parallel_calls=4)"),
    # test-only readers, to show that a crash or a hang ends one cell and no more
    Reader("selftest-crash", "zarr3", "compat_tests.adapters.selftest_crash", "none", "os.kill(os.getpid(), SIGSEGV)", test_only=True),
    Reader("selftest-hang", "zarr3", "compat_tests.adapters.selftest_hang", "none", "time.sleep(forever)", test_only=True),
    Reader("selftest-memory", "zarr3", "compat_tests.adapters.selftest_memory", "none", "allocate until the memory cap", test_only=True),
]}


def matrix_readers() -> dict[str, Reader]:
    return {k: r for k, r in READERS.items() if not r.test_only}
