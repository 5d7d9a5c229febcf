"""Environments with a native build: netCDF-C 4.10.1 (4.9.3 in the versions lane) with libzip, and netCDF4 built against it.

The first use builds netCDF-C from Debian's source package (about a minute
on two cores) and netCDF4 from its sdist; later runs take the cached build.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from zipstore_compat.compat_tests.cells import Describer, run_cell
from zipstore_compat.compat_tests.readers import all_readers
from zipstore_compat.envs import registry
from zipstore_compat.envs.build import expand, native_prefix, runtime_environ
from zipstore_compat.envs.registry import get_environment


def test_the_recipe_is_part_of_the_environment_key(tmp_path, monkeypatch):
    env = get_environment("netcdf4-libzip")
    recipe = tmp_path / "netcdf-c.sh"
    recipe.write_text(env.recipe("netcdf-c").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    before = env.key
    monkeypatch.setattr(registry, "NATIVE_RECIPES", tmp_path)
    assert env.key != before, "editing a native recipe must build a new environment"
    # environments without native parts keep the key they always had (their caches stay valid)
    plain = get_environment("zarr3")
    assert plain.key == replace(plain, description="other").key


def test_the_versions_lane_of_a_native_recipe_builds_another_release():
    """`native = ["netcdf-c==<release>"]` and `lane = {netcdf-c = [...]}`: one declaration, the recipe's release varied."""
    from zipstore_compat.compat_tests.readers import lane_readers

    base, lane = get_environment("netcdf4-libzip"), get_environment("netcdf4-libzip@netcdf-c-4.9.3")
    assert base.native == lane.native == ("netcdf-c",)
    assert base.native_release("netcdf-c") == "4.10.1" and lane.native_release("netcdf-c") == "4.9.3"
    assert (lane.lane_of, lane.requirements, lane.post, lane.build_env) == ("netcdf4-libzip", base.requirements, base.post, base.build_env)
    assert lane.key != base.key, "the release a recipe builds is part of the environment key"
    # the recipe knows the sha256 of each release it is given (from Debian's .dsc)
    recipe = base.recipe("netcdf-c").read_text(encoding="utf-8")
    assert "4.10.1) SHA256=33c27231c478c3b35da7c7758fbdd02da1fe407abcb16ddfe195f69d164f930d" in recipe
    assert "4.9.3)  SHA256=990f46d49525d6ab5dc4249f8684c6deeaf54de6fec63a187e9fb382cc0ffdff" in recipe
    # the readers whose version_key is the recipe get a lane copy, in the lane's environment; the wheel's do not
    readers = lane_readers()
    laned = {r.family for r in readers.values() if r.env == lane.name}
    assert laned == {"netcdf4-libzip-nczarr", "netcdf4-libzip-zarr", "ncdump-nczarr", "ncdump-zarr"}, laned
    assert all(readers[f"{family}@4.9.3"].lane == "versions" for family in laned)
    assert not any(r.family.startswith("netcdf4-") and r.env == "netcdf4" for r in readers.values())


def test_gdal_is_built_at_its_newest_release_and_debians_is_its_versions_lane():
    """`native = ["gdal==3.13.3"]`, `lane = {gdal = ["3.6.2"]}`: the bindings and tools of GDAL 3.13.3 by default, Debian's 3.6.2."""
    from zipstore_compat.compat_tests.readers import lane_readers, readers

    base, lane = get_environment("gdal"), get_environment("gdal@gdal-3.6.2")
    assert base.native == lane.native == ("gdal",) and base.native_release("gdal") == "3.13.3" and lane.native_release("gdal") == "3.6.2"
    assert lane.key != base.key and base.post == ("GDAL=={gdal_version}",)
    recipe = base.recipe("gdal").read_text(encoding="utf-8")
    # the sha256 of gdal_3.13.3+dfsg.orig.tar.xz in Debian's gdal_3.13.3+dfsg-1.dsc
    assert "3.13.3) SHA256=8323ef0d4e3f721d4b66ef9ec5b4ec812e2c17894a5a5389fba18a8193f1e060" in recipe
    assert "-DGDAL_BUILD_OPTIONAL_DRIVERS=OFF -DOGR_BUILD_OPTIONAL_DRIVERS=OFF -DGDAL_ENABLE_DRIVER_ZARR=ON" in recipe
    gdal_readers = {r.id for r in readers().values() if r.env == "gdal"}
    assert {"gdal-multidim", "gdal-classic", "gdal-cli-mdim", "gdal-cli-classic"} <= gdal_readers
    assert {r.family for r in lane_readers().values() if r.env == lane.name} == gdal_readers
    assert "rasterio-gdal@3.6.2" not in lane_readers()   # rasterio's GDAL is its wheel's: its lane is rasterio's releases


def test_a_native_build_is_kept_per_machine_and_keyed_by_what_it_links(tmp_path, monkeypatch):
    from zipstore_compat.envs import build

    monkeypatch.setenv(build.NATIVE_CACHE_VARIABLE, str(tmp_path))
    env = get_environment("gdal")
    monkeypatch.setattr(build, "installed_debian_versions", lambda packages: {p: "1.0" for p in packages})
    first = build.native_prefix(env)
    assert first.parent == tmp_path and first.name.startswith("gdal-3.13.3-")
    monkeypatch.setattr(build, "installed_debian_versions", lambda packages: {p: "1.1" if p == "libblosc-dev" else "1.0" for p in packages})
    assert build.native_prefix(env) != first, "an upgraded Debian package it builds against is another build"
    assert build.native_prefix(get_environment("gdal@gdal-3.6.2")).name.startswith("gdal-3.6.2-")


def test_an_unknown_recipe_is_refused(tmp_path, monkeypatch):
    declarations = tmp_path / "environments.toml"
    declarations.write_text('[x]\npython = "3.11"\nnative = ["no-such-recipe"]\n', encoding="utf-8")
    monkeypatch.setattr(registry, "DECLARATIONS", declarations)
    registry.load_environments.cache_clear()
    try:
        with pytest.raises(ValueError, match="no-such-recipe"):
            registry.load_environments()
    finally:
        registry.load_environments.cache_clear()


def test_declared_variables_are_filled_in():
    env = get_environment("netcdf4-libzip")
    prefix = native_prefix(env)
    assert runtime_environ("netcdf4-libzip")["HDF5_PLUGIN_PATH"] == f"{prefix}/plugins"
    build = expand(env.build_env, prefix, {"PATH": "/usr/bin"})
    assert build["PATH"] == f"{prefix}/bin:/usr/bin" and build["NETCDF4_DIR"] == str(prefix)
    assert runtime_environ("zarr3") == {}


def test_netcdf_c_with_libzip_reads_a_store_zipped_from_its_folder(worker_pool, cell_paths):
    pool = worker_pool
    describe = Describer(pool)
    versions = describe(all_readers()["netcdf4-libzip-zarr"])
    assert "status" not in versions, versions
    assert "NCZarr Zip Support: yes" in versions["versions"]["netcdf-c build"], versions
    assert versions["versions"]["HDF5_PLUGIN_PATH"] == str(native_prefix(get_environment("netcdf4-libzip")) / "plugins")
    for reader in ("netcdf4-libzip-zarr", "netcdf4-libzip-nczarr"):
        folder = run_cell(all_readers()[reader], "coads-v2-stored-zipcli-nested", *cell_paths("coads-v2-stored-zipcli-nested"),
                          pool, describe, timeout=120)
        assert folder.outcome == "pass", folder.message
    # the same store with its keys at the archive root (zarr-python's ZipStore) is not found
    root = run_cell(all_readers()["netcdf4-libzip-zarr"], "coads-v2-stored", *cell_paths("coads-v2-stored"), pool, describe)
    assert root.outcome == "error" and "Unknown file format" in root.message, root.message


@pytest.mark.slow  # compiles netCDF-C on first use
@pytest.mark.network
def test_blosc_and_zstd_chunks_round_trip_through_the_builds_plugins(tmp_path):
    """NCZarr finds its filters through HDF5_PLUGIN_PATH; the matrix's stores at the root never get that far."""
    import subprocess

    from zipstore_compat.envs import ensure_environment

    script = tmp_path / "roundtrip.py"
    script.write_text(
        "import sys, numpy, netCDF4\n"
        "url = 'file://' + sys.argv[1] + '#mode=nczarr,zip'\n"
        "with netCDF4.Dataset(url, 'w') as nc:\n"
        "    nc.createDimension('x', 1000)\n"
        "    for codec in ('zstd', 'blosc_lz4'):\n"
        "        v = nc.createVariable(codec, 'f8', ('x',), compression=codec, chunksizes=(100,))\n"
        "        v[:] = numpy.arange(1000.0)\n"
        "with netCDF4.Dataset(url) as nc:\n"
        "    for codec in ('zstd', 'blosc_lz4'):\n"
        "        assert (nc[codec][:] == numpy.arange(1000.0)).all(), codec\n"
        "        print(codec, nc[codec].filters())\n", encoding="utf-8")
    python = ensure_environment("netcdf4-libzip")
    import os

    env = dict(os.environ, **runtime_environ("netcdf4-libzip"))
    proc = subprocess.run([str(python), str(script), str(tmp_path / "filters.zip")], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "'zstd': True" in proc.stdout and "'compressor': 'blosc_lz4'" in proc.stdout, proc.stdout


def test_the_consolidated_mode_word_is_offered_where_the_release_documents_it(tmp_path, monkeypatch):
    """netCDF-C 4.10 added `#mode=...,consolidated` (docs/nczarr.md); a 4.9 build is not offered a word it does not know."""
    from zipstore_compat.compat_tests.adapters import nczarr_modes

    (tmp_path / "lib").mkdir()
    settings = tmp_path / "lib" / "libnetcdf.settings"
    monkeypatch.setenv("ZIPCOMPAT_NETCDF_C_PREFIX", str(tmp_path))
    settings.write_text("NetCDF Version:\t\t4.9.3\nNCZarr Zip Support:     yes\n", encoding="utf-8")
    assert nczarr_modes.release() == (4, 9, 3) and nczarr_modes.fallbacks() == []
    settings.write_text("NetCDF Version:\t\t4.10.1\n", encoding="utf-8")
    assert nczarr_modes.fallbacks() == [nczarr_modes.CONSOLIDATED]
    assert nczarr_modes.mode_with("zarr,zip", nczarr_modes.CONSOLIDATED["options"]) == "zarr,zip,consolidated"
    assert nczarr_modes.mode_with("nczarr,zip", {}) == "nczarr,zip"
