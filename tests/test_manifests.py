"""Every manifest against an independent re-read of its archive (zipfile + numpy, no Zarr library)."""

from __future__ import annotations

import json

import pytest

from zipstore_compat.core import canonical
from zipstore_compat.fixtures.reference_reader import ZipReference
from zipstore_compat.fixtures.registry import default_fixtures
from zipstore_compat.fixtures.zipfacts import zip_facts

IDS = list(default_fixtures())


@pytest.fixture(params=IDS)
def manifest(request, built_fixtures):
    return built_fixtures[request.param]


def test_arrays_match_manifest(manifest):
    if not manifest["writer_check"]["intact"]:   # a writer's broken archive (its finding): the check says so, and is right
        from zipstore_compat.fixtures.writer_check import check_archive

        assert check_archive(manifest["_archive"], manifest, raised=manifest["writer"].get("raised", ""))["problems"] == manifest["writer_check"]["problems"]
        assert manifest["writer"].get("unreliable"), "only a writer declared unreliable may leave a broken archive"
        return
    assert manifest["writer_check"]["problems"] == []
    ref = ZipReference(manifest["_archive"], prefix=manifest["store_prefix"])
    try:
        assert ref.zarr_format() == manifest["zarr_format"]
        assert sorted(ref.array_paths()) == sorted(a["path"] for a in manifest["arrays"])
        for expected in manifest["arrays"]:
            values = ref.read(expected["path"])
            assert list(values.shape) == expected["shape"], expected["path"]
            assert canonical.dtype_class(values.dtype) == expected["dtype_class"], expected["path"]
            assert canonical.digest(values) == expected["sha256"], (expected["path"], canonical.preview(values), expected["preview"])
            box = [tuple(b) for b in expected["slice"]]
            assert canonical.digest(canonical.slice_of(values, box)) == expected["slice_sha256"]
            attributes = ref.attributes(expected["path"])
            for key, value in expected["attributes"].items():
                assert attributes.get(key) == value, (expected["path"], key)
            assert ref.dimension_names(expected["path"]) == expected["dimension_names"], expected["path"]
        for group, attrs in manifest["groups"].items():
            stored = ref.attributes(group)
            for key, value in attrs.items():
                assert stored.get(key) == value, (group, key)
    finally:
        ref.close()


def test_zip_facts_match_archive(manifest):
    facts = zip_facts(manifest["_archive"])
    assert facts == manifest["zip"]


# writers that name their entries their own way: bsdtar as `bsdtar -cf x.zip .` does ("./zarr.json"), netCDF-C under a
# folder named after the archive (zmap_zip.c); every other writer's folder layout is `zip -r x.zip x.zarr`'s
OWN_PREFIX = {"bsdtar": lambda fixture: "./", "netcdf-nczarr": lambda fixture: f"{fixture}/", "netcdf-zarr": lambda fixture: f"{fixture}/"}


def test_zip_facts_follow_the_variant(manifest):
    variant, facts = manifest["variant"], manifest["zip"]
    if facts["directory_entries"]:   # folders are entries of their own, stored (GDAL deflates them too)
        assert variant["compression"] in facts["compression"] and set(facts["compression"]) <= {variant["compression"], "stored"}
    else:
        assert set(facts["compression"]) == {variant["compression"]}
    if variant["writer"] in OWN_PREFIX:
        assert facts["root_prefix"] == OWN_PREFIX[variant["writer"]](manifest["id"])
    elif variant["layout"] == "folder":
        assert facts["root_prefix"] == f"{manifest['id']}.zarr/"
    else:
        assert facts["root_prefix"] == ""
    if variant["entries"]:
        assert facts["entries"] == variant["entries"]
    if variant["zip64"]:
        assert facts["zip64_end_record"] and facts["zip64_entries"] == facts["entries"]
    if variant["many_entries"]:
        assert facts["entries"] > 65535 and facts["zip64_end_record"]
    assert facts["central_directory_in_local_order"] == (variant["cd_order"] == "same")
    if variant["duplicates"]:
        assert facts["duplicates"]["count"] > 0 and facts["duplicates"]["truth"] == "last"
    if variant["rfc9"]:
        assert json.loads(facts["comment"])["ome"]["zipFile"]["centralDirectory"]["jsonFirst"] is True
        assert facts["first_local_entry"] == "zarr.json"
        if variant["writer"] == "zipcli":   # -fz: RFC-9's "ZIP64 should be used"; other writers decide (their facts say)
            assert facts["zip64_end_record"] and facts["zip64_entries"] == facts["entries"]
    if not manifest["writer"].get("nondeterministic"):   # the fixed clock; a nondeterministic writer's manifest says why not
        assert facts["timestamps"] == ["2020-01-01 00:00:00"]


def test_default_set_covers_every_axis(built_fixtures):
    assert len(built_fixtures) >= 40
    from zipstore_compat.fixtures.axes import ALIGNMENTS, ENTRY_COUNTS, ZIP_COMPRESSIONS
    from zipstore_compat.fixtures.variants import DATASET_KINDS
    from zipstore_compat.fixtures.writer_registry import writers

    kinds = {m["dataset"]["kind"] for m in built_fixtures.values()}
    assert kinds == set(DATASET_KINDS.values()) == {"mnist", "grid", "synthetic", "entries"}   # every declared dataset's archives
    variants = [m["variant"] for m in built_fixtures.values()]

    assert {v["writer"] for v in variants} == set(writers())   # every declared writer writes archives of the default set
    assert {v["zarr_format"] for v in variants} == {2, 3}
    assert {v["compression"] for v in variants} == set(ZIP_COMPRESSIONS) == {"stored", "deflate", "bzip2", "lzma", "zstd"}
    assert {v["layout"] for v in variants} == {"root", "folder"}
    assert {v["codec"] for v in variants} == {"default", "none", "blosc", "zstd", "gzip"}
    for axis in ("consolidated", "sharding", "zip64", "many_entries", "duplicates", "rfc9"):
        assert any(v[axis] for v in variants), axis
    assert any(v["cd_order"] == "reversed" for v in variants)
    assert any(v["local_extra"] == "differs" for v in variants)
    assert {v["align"] for v in variants} == set(ALIGNMENTS)
    assert {v["entries"] for v in variants} == set(ENTRY_COUNTS)   # the entries dataset: every count straddling 65,535
    assert {v["entries"] for v in variants if v["entries"]} == {m["zip"]["entries"] for m in built_fixtures.values() if m["variant"]["entries"]}
    zipcli_folder = [m for m in built_fixtures.values() if m["variant"]["writer"] == "zipcli" and m["variant"]["layout"] == "folder"]
    zipcli_root = [m for m in built_fixtures.values() if m["variant"]["writer"] == "zipcli" and m["variant"]["layout"] == "root"]
    assert zipcli_folder and zipcli_root


def test_mnist_fixtures_hold_all_70000_digits(built_fixtures):
    from zipstore_compat.datasets.mnist import TEST_CLASS_COUNTS

    for manifest in built_fixtures.values():
        if manifest["dataset"]["name"] != "mnist":
            continue
        shapes = {a["path"]: a["shape"] for a in manifest["arrays"]}
        assert shapes == {"train/images": [60000, 28, 28], "train/labels": [60000], "test/images": [10000, 28, 28], "test/labels": [10000]}
    ref = ZipReference(built_fixtures["mnist-v3-stored"]["_archive"])
    labels = ref.read("test/labels")
    assert list(ref.read("train/labels")[:10]) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    import numpy as np

    assert list(np.bincount(labels, minlength=10)) == TEST_CLASS_COUNTS
