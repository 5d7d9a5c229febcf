"""python -m envs outdated: which pins are behind the registry's newest release."""

from __future__ import annotations

import pytest

from zipstore_compat.envs.outdated import Finding, Pin, newest_release, pins, report
from zipstore_compat.envs.registry import load_environments


def test_every_exact_pin_is_checked_and_templated_ones_are_not():
    found = pins(load_environments())
    assert {(p.env, p.package) for p in found} >= {("zarr3", "zarr"), ("rasterio", "rasterio"), ("tensorstore", "tensorstore")}
    assert all("{" not in p.pinned for p in found)
    assert not [p for p in found if p.env == "gdal" and p.package == "GDAL"], "GDAL follows Debian's libgdal ({gdal_version})"


def test_the_report_names_what_is_behind_and_what_needs_a_newer_python():
    zarr = Pin("zarr3", "3.11", "zarr", "3.1.6")
    rasterio = Pin("rasterio", "3.12", "rasterio", "1.4.4")
    text = report([Finding(zarr, "3.1.6", newest_any="3.4.2"), Finding(rasterio, "1.5.2", newest_any="1.5.2"),
                   Finding(Pin("h5py", "3.11", "h5py", "3.16.0"), None, "no answer from the index")])
    assert "| rasterio | 3.12 | rasterio | 1.4.4 | 1.5.2 |" in text
    assert "zarr 3.4.2 (the environment's Python 3.11 stops at 3.1.6)" in text
    assert "no answer for h5py" in text
    assert "(1 of 3)" in text


@pytest.mark.network
def test_the_registry_answers_with_a_release():
    newest, note = newest_release("numpy", "3.11")
    assert newest and newest[0].isdigit(), note


def test_the_versions_lane_is_one_declaration_with_one_pin_replaced():
    from zipstore_compat.compat_tests.readers import lane_readers
    from zipstore_compat.envs.registry import default_environments, get_environment

    base, lane = get_environment("zarr3"), get_environment("zarr3@zarr-3.1.6")
    assert lane.lane_of == "zarr3" and lane.python == base.python
    assert [r for r in lane.requirements if r.startswith("zarr==")] == ["zarr==3.1.6"]
    assert set(lane.requirements) - {"zarr==3.1.6"} == set(base.requirements) - {"zarr==3.4.2"}
    assert lane.key != base.key and "zarr3@zarr-3.1.6" not in default_environments()
    readers = lane_readers()
    assert readers["zarr3@3.1.6"].env == "zarr3@zarr-3.1.6" and readers["zarr3@3.1.6"].family == "zarr3"
    assert readers["rasterio-gdal@1.4.4"].version_key == "gdal"
    assert all(get_environment(r.env) for r in readers.values())


def test_unpinned_environments_take_the_newest_releases_but_writers_keep_theirs(monkeypatch):
    from zipstore_compat.envs import registry

    monkeypatch.setenv(registry.UNPINNED_VARIABLE, "1")
    registry.load_environments.cache_clear()
    try:
        envs = registry.load_environments()
        assert envs["zarr3"].requirements == ("zarr", "numcodecs", "numpy")
        assert envs["writer-zarr3"].requirements[0] == "zarr==3.1.6"
        assert envs["gdal"].post == ("GDAL=={gdal_version}",)
    finally:
        monkeypatch.delenv(registry.UNPINNED_VARIABLE)
        registry.load_environments.cache_clear()
