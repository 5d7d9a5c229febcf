"""The one registry of readers: id -> environment, adapter, what it is.

The versions lane adds, for each reader whose environment declares older
releases of the reader's own package (envs/environments.toml `lane`), one
reader per release: "<id>@<release>", in the environment with that release
pinned. Its family is the default reader's id.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache


@dataclass(frozen=True)
class Reader:
    id: str
    env: str
    adapter: str           # module run inside the worker
    library: str           # the library under test, as users know it
    call: str              # how users call it (one line, shown in the table)
    test_only: bool = False
    package: str = ""      # the package whose releases the versions lane varies ("" : none)
    version_key: str = ""  # the entry of the worker's versions that says which release this is ("since N")
    family: str = ""       # the default reader a versions-lane reader belongs to ("" : itself)
    lane: str = "default"  # default | versions

    @property
    def family_id(self) -> str:
        return self.family or self.id


READERS = {r.id: r for r in [
    Reader("zarr3", "zarr3", "compat_tests.adapters.zarr3", "zarr-python 3", 'zarr.open_group(zarr.storage.ZipStore(path, mode="r"))', package="zarr", version_key="zarr"),
    Reader("zarr2", "zarr2", "compat_tests.adapters.zarr2", "zarr-python 2.18", 'zarr.open_group(zarr.ZipStore(path, mode="r"))', package="zarr", version_key="zarr"),
    Reader("xarray-open_zarr", "xarray", "compat_tests.adapters.xarray_open_zarr", "xarray", 'xr.open_zarr(ZipStore(path, mode="r"))', package="xarray", version_key="xarray"),
    Reader("xarray-open_dataset-zip", "xarray", "compat_tests.adapters.xarray_open_dataset_zip", "xarray", 'xr.open_dataset("zip::" + path, engine="zarr")', package="xarray", version_key="xarray"),
    Reader("fsspec-zip", "xarray", "compat_tests.adapters.fsspec_zip", "fsspec", 'zarr.open_group(FsspecStore(ZipFileSystem(path)))', package="fsspec", version_key="fsspec"),
    Reader("dask", "xarray", "compat_tests.adapters.dask_from_zarr", "dask", 'dask.array.from_zarr(ZipStore(path), component=...)', package="dask", version_key="dask"),
    Reader("h5py", "h5py", "compat_tests.adapters.h5py_control", "h5py", 'h5py.File(path, "r")', package="h5py", version_key="h5py"),
    Reader("tensorstore-zarr", "tensorstore", "compat_tests.adapters.tensorstore_zip", "tensorstore", '{"driver": "zarr"|"zarr3", "kvstore": {"driver": "zip", "base": "file://path"}}', package="tensorstore", version_key="tensorstore"),
    Reader("netcdf4-nczarr", "netcdf4", "compat_tests.adapters.netcdf4_zip", "netCDF4 (wheel)", 'netCDF4.Dataset("file://path#mode=nczarr,zip")', package="netCDF4", version_key="netcdf-c"),
    Reader("netcdf4-zarr", "netcdf4", "compat_tests.adapters.netcdf4_zarr_zip", "netCDF4 (wheel)", 'netCDF4.Dataset("file://path#mode=zarr,zip")', package="netCDF4", version_key="netcdf-c"),
    Reader("netcdf4-libzip-nczarr", "netcdf4-libzip", "compat_tests.adapters.netcdf4_libzip_nczarr", "netCDF4 (netCDF-C 4.9.3 + libzip)", 'netCDF4.Dataset("file://path#mode=nczarr,zip")', package="netCDF4", version_key="netcdf-c"),
    Reader("netcdf4-libzip-zarr", "netcdf4-libzip", "compat_tests.adapters.netcdf4_libzip_zarr", "netCDF4 (netCDF-C 4.9.3 + libzip)", 'netCDF4.Dataset("file://path#mode=zarr,zip")', package="netCDF4", version_key="netcdf-c"),
    Reader("gdal-multidim", "gdal", "compat_tests.adapters.gdal_multidim", "GDAL (Debian)", 'gdal.OpenEx("/vsizip/" + path, gdal.OF_MULTIDIM_RASTER)', package="GDAL", version_key="gdal"),
    Reader("gdal-classic", "gdal", "compat_tests.adapters.gdal_classic", "GDAL (Debian)", 'gdal.Open(\'ZARR:"/vsizip/\' + path + \'":/array\')', package="GDAL", version_key="gdal"),
    Reader("rasterio-gdal", "rasterio", "compat_tests.adapters.rasterio_classic", "rasterio (bundled GDAL)", 'rasterio.open(\'ZARR:"/vsizip/\' + path + \'":/array\')', package="rasterio", version_key="gdal"),
    Reader("tensorflow", "tensorflow", "compat_tests.adapters.tensorflow_pipeline", "TensorFlow (tf.data + Keras)", "tf.data.Dataset.map(tf.py_function(read chunk from ZipStore), num_parallel_calls=4)", package="tensorflow-cpu", version_key="tensorflow"),
    # test-only readers, to show that a crash or a hang ends one cell and no more
    Reader("selftest-crash", "zarr3", "compat_tests.adapters.selftest_crash", "none", "os.kill(os.getpid(), SIGSEGV)", test_only=True),
    Reader("selftest-hang", "zarr3", "compat_tests.adapters.selftest_hang", "none", "time.sleep(forever)", test_only=True),
    Reader("selftest-memory", "zarr3", "compat_tests.adapters.selftest_memory", "none", "allocate until the memory cap", test_only=True),
]}


def matrix_readers() -> dict[str, Reader]:
    """The default lane: the newest release of every library."""
    return {k: r for k, r in READERS.items() if not r.test_only}


@cache
def lane_readers() -> dict[str, Reader]:
    """The versions lane: each older release the reader's environment declares for the reader's package."""
    from envs.registry import get_environment, lane_name

    out = {}
    for reader in matrix_readers().values():
        for package, releases in get_environment(reader.env).lanes:
            if package.lower() != reader.package.lower():
                continue
            for release in releases:
                lane = replace(reader, id=f"{reader.id}@{release}", env=lane_name(reader.env, package, release),
                               family=reader.id, lane="versions")
                out[lane.id] = lane
    return out


def all_readers() -> dict[str, Reader]:
    return {**READERS, **lane_readers()}


def family_cell(cell: str) -> str:
    """The cell id a versions-lane cell shares matrix.yaml patterns with: zarr3@3.1.6--x -> zarr3--x."""
    reader, sep, fixture = cell.partition("--")
    return reader.partition("@")[0] + sep + fixture
