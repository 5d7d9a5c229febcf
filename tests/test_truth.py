"""Issue 11: documented options are tried before `error`, a silent loss is loud, the truth skips nothing."""

from __future__ import annotations

import base64
import json
import shutil
import zipfile

import numpy as np
import pytest

from zipstore_compat.compat_tests.attempts import plan
from zipstore_compat.compat_tests.cells import Describer, run_cell
from zipstore_compat.compat_tests.checks import STOP, decide, judge
from zipstore_compat.compat_tests.readers import all_readers
from zipstore_compat.core import canonical
from tests.conftest import reader_under_test


def _manifest(paths=("a", "b", "c", "d"), **extra):
    arrays = [{"path": p, "shape": [2], "dtype_class": "int32", "sha256": f"sha-{p}", "slice_sha256": f"s-{p}",
               "slice": [[0, 1]], "preview": ["1"], "attributes": {"units": "m"}, "dimension_names": None} for p in paths]
    return {"arrays": arrays, "store_prefix": "", "archive": "x.zip", **extra}


def _read(manifest, attrs_ok=True, only=None):
    """A worker summary that reads every array (or those in `only`) with the manifest's values."""
    arrays = {}
    for a in manifest["arrays"]:
        if only is None or a["path"] in only:
            arrays[a["path"]] = {"shape": a["shape"], "dtype_class": a["dtype_class"], "sha256": a["sha256"],
                                 "preview": a["preview"], "attrs": {"units": "m" if attrs_ok else "?"}, "dims": None}
    return {"listed": None, "arrays": arrays, "errors": {}, "notes": []}


def _opt(label, family, when=None, **options):
    return {"label": label, "options": options, "doc": f"https://example.org/{family}", "family": family, "when": when}


def test_a_partial_fallback_is_kept_over_the_default_error():
    manifest = _manifest()
    declared = [_opt("folder", "location")]
    decision = decide(manifest, ("error", "GroupNotFoundError: ''"), declared, lambda o: ("ok", _read(manifest, attrs_ok=False)))
    assert decision.outcome == "partial" and decision.option == "folder"
    assert "by default: error: GroupNotFoundError" in decision.message and "attributes units" in decision.message
    assert [a.label for a in decision.attempts] == ["default", "folder"] and len(decision.notes) == 2


def test_options_combine_one_per_family_and_the_first_full_pass_is_named():
    manifest = _manifest(store_prefix="x.zarr/")
    declared = [_opt("mask", "decoding", mask=False), _opt("no-cf", "decoding", cf=False),
                _opt("group=folder", "location", "store_prefix", folder=True), _opt("consolidated=False", "consolidated", consolidated=False),
                _opt("braces", "name", "not_zip_name", brace=True)]
    sets = plan(declared, manifest)
    assert "braces" not in {s.label for s in sets}  # x.zip: GDAL takes the name as a zip, braces change nothing
    assert all(not ({"mask", "cf"} <= set(s.options)) for s in sets)  # alternatives of one family never together
    seen = []

    def retry(options):
        seen.append(options)
        if options == {"mask": False, "folder": True, "consolidated": False}:
            return "ok", _read(manifest)
        if options.get("folder") and options.get("consolidated") is False:
            return "ok", {**_read(manifest), "arrays": {k: dict(v, sha256="0") for k, v in _read(manifest)["arrays"].items()}}
        return "error", "GroupNotFoundError"

    decision = decide(manifest, ("error", "GroupNotFoundError"), declared, retry)
    assert decision.outcome == "partial" and decision.option == "mask, group=folder, consolidated=False"
    assert decision.message.startswith("passes only with mask, group=folder, consolidated=False; by default: error")
    assert seen[-1] == {"mask": False, "folder": True, "consolidated": False}  # stopped at the first pass
    # the same plan on every run
    assert [s.label for s in plan(declared, manifest)] == [s.label for s in sets]


def test_a_failing_option_never_replaces_the_default_and_a_spent_budget_stops():
    manifest = _manifest()
    declared = [_opt("one", "f1"), _opt("two", "f2")]
    wrong = {**_read(manifest), "arrays": {k: dict(v, sha256="0") for k, v in _read(manifest)["arrays"].items()}}
    decision = decide(manifest, ("ok", wrong), declared, lambda o: ("error", "boom"))
    assert decision.outcome == "wrong-data" and decision.option is None
    calls = []
    decision = decide(manifest, ("error", "boom"), declared, lambda o: calls.append(o) or (STOP, "time spent"))
    assert decision.outcome == "error" and len(calls) == 1 and decision.attempts[-1].outcome == "not tried"


def test_when_every_attempt_fails_the_message_leads_with_the_attempt_that_got_furthest():
    """GDAL on an .ozx: the default call says "No such file"; the brace form opens it and meets the real limit."""
    manifest = _manifest(archive="x.ozx")
    declared = [_opt("braces", "name", "not_zip_name", brace=True), _opt("other", "f2")]
    opened = {"listed": None, "arrays": {}, "errors": {p: "Unsupported codec: sharding_indexed" for p in "abcd"}}

    def retry(options):
        return ("ok", opened) if options.get("brace") else ("error", "RuntimeError: still no such file")

    decision = decide(manifest, ("error", "RuntimeError: No such file or directory"), declared, retry)
    assert decision.outcome == "error" and decision.option is None  # the outcome is the default's
    assert decision.message.startswith("furthest with braces: error: a: Unsupported codec: sharding_indexed"), decision.message
    assert decision.message.endswith("by default: RuntimeError: No such file or directory")
    # nothing got further than the default: its own message, as before
    decision = decide(manifest, ("error", "RuntimeError: No such file"), declared, lambda o: ("error", "RuntimeError: other"))
    assert decision.message == "RuntimeError: No such file"


def test_a_library_that_returns_nothing_without_raising_is_silent_missing():
    manifest = _manifest()
    result = {"listed": [], "arrays": {p: {"missing": "the Dataset has no variable"} for p in "abcd"}, "errors": {}}
    verdict = judge(manifest, result)
    assert verdict.outcome == "silent-missing"
    assert verdict.message.startswith("opened without error, returned 0 of 4 arrays")
    # a library that raised for every array is an error, not a silent loss
    raised = {"listed": None, "arrays": {}, "errors": {p: "KeyError" for p in "abcd"}}
    assert judge(manifest, raised).outcome == "error"
    # one array gone while the others read: still silent data loss
    some = _read(manifest, only={"a", "b", "c"})
    some["arrays"]["d"] = {"missing": "no such variable"}
    assert judge(manifest, some).outcome == "silent-missing"


def test_a_reader_that_returns_without_error_but_without_the_data_is_silent_missing(worker_pool, tmp_path, external_archive):
    """netCDF-C (with libzip) roots anndata 0.7.0's archive at its first entry's folder (obsp/): the dataset opens
    without an error and holds none of the store's arrays."""
    from zipstore_compat.fixtures.external import reference_manifest

    fixture_id = "ext-scverse-anndata-v0-7-0-adata-zarr"
    archive = external_archive(fixture_id)
    manifest = tmp_path / f"{fixture_id}.manifest.json"
    manifest.write_text(json.dumps(reference_manifest(archive, fixture_id, source=archive.name)), encoding="utf-8")
    result = run_cell(all_readers()["netcdf4-libzip-zarr"], fixture_id, archive, manifest, worker_pool, Describer(worker_pool))
    assert result.outcome == "silent-missing", result.message
    assert "opened without error, returned 0 of" in result.message
    assert result.attempts[0]["label"] == "default"


def _structured_v2_archive(path):
    dtype = np.dtype([("id", "<i4"), ("xy", "<f8", (2,)), ("tag", "S3")])
    values = np.array([(1, (0.5, np.nan), b"ab"), (2, (-0.0, 3.0), b"cde"), (3, (1.0, 2.0), b"")], dtype=dtype)
    zarray = {"zarr_format": 2, "shape": [3], "chunks": [2], "dtype": [["id", "<i4"], ["xy", "<f8", [2]], ["tag", "|S3"]],
              "compressor": None, "filters": None, "order": "C", "fill_value": base64.b64encode(bytes(dtype.itemsize)).decode()}
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(".zgroup", json.dumps({"zarr_format": 2}))
        zf.writestr("records/.zarray", json.dumps(zarray))
        zf.writestr("records/0", values[:2].tobytes())
        zf.writestr("records/1", np.concatenate([values[2:], np.zeros(1, dtype)]).tobytes())
    return values


def test_reference_reads_zarr2_structured_dtypes(tmp_path):
    from zipstore_compat.fixtures.external import reference_manifest

    values = _structured_v2_archive(tmp_path / "s.zip")
    manifest = reference_manifest(tmp_path / "s.zip", "byo-s", source="test")
    assert manifest["reference_skipped"] == {}
    (entry,) = manifest["arrays"]
    assert entry["path"] == "records" and entry["shape"] == [3]
    assert entry["dtype_class"] == "struct(id: int32, xy: float64[2], tag: S3)"
    assert entry["sha256"] == canonical.digest(values)
    # the digest does not depend on byte order, and sees a changed field
    assert canonical.digest(values.astype([("id", ">i4"), ("xy", ">f8", (2,)), ("tag", "S3")])) == entry["sha256"]
    changed = values.copy()
    changed["xy"][0, 1] = 7.0
    assert canonical.digest(changed) != entry["sha256"]


def test_an_array_the_reference_cannot_decode_is_listed_in_the_cell(tmp_path, worker_pool):
    """What the reference cannot decode is said in the cell's message and record, not dropped."""
    from zipstore_compat.fixtures.external import reference_manifest

    _structured_v2_archive(tmp_path / "s.zip")
    with zipfile.ZipFile(tmp_path / "s.zip", "a") as zf:
        zf.writestr("odd/.zarray", json.dumps({"zarr_format": 2, "shape": [1], "chunks": [1], "dtype": "<i4", "compressor": {"id": "no-such-codec"},
                                               "filters": None, "order": "C", "fill_value": 0}))
        zf.writestr("odd/0", b"????")
    manifest = reference_manifest(tmp_path / "s.zip", "byo-s", source="test")
    assert list(manifest["reference_skipped"]) == ["odd"]
    (tmp_path / "byo-s.manifest.json").write_text(json.dumps(manifest))
    result = run_cell(all_readers()["zarr2"], "byo-s", tmp_path / "s.zip", tmp_path / "byo-s.manifest.json", worker_pool, Describer(worker_pool))
    assert result.unchecked == manifest["reference_skipped"]
    assert "1 array(s) of the archive not checked" in result.message and "odd" in result.message


def test_ozx_fixtures_are_in_the_default_set_under_their_own_name():
    from zipstore_compat.fixtures.registry import default_fixtures

    ozx = {i: s for i, s in default_fixtures().items() if s.variant.suffix == "ozx"}
    assert "coads-v3-stored-zipcli-rfc9-ozx" in ozx
    assert all(s.archive_name == f"{i}.ozx" and s.variant.rfc9 for i, s in ozx.items())


def test_gdal_opens_an_ozx_name_only_with_braces(tmp_path, worker_pool, cell_paths):
    """GDAL takes /vsizip/x.ozx as no archive; /vsizip/{x.ozx} opens it: partial, naming the brace form.

    The tests run GDAL's Debian release (3.6, tests/conftest.py), which reads no Zarr 3
    (the RFC-9 fixtures'), so the same bytes as a format 2 fixture are used here, under an .ozx name."""
    archive, manifest_path = cell_paths("coads-v2-stored")
    manifest = json.loads(manifest_path.read_text())
    manifest["archive"] = "coads-v2-stored-as.ozx"
    shutil.copyfile(archive, tmp_path / manifest["archive"])
    (tmp_path / "coads-v2-stored-as.manifest.json").write_text(json.dumps(manifest))
    result = run_cell(all_readers()[reader_under_test("gdal-multidim")], "coads-v2-stored-as", tmp_path / manifest["archive"],
                      tmp_path / "coads-v2-stored-as.manifest.json", worker_pool, Describer(worker_pool))
    if result.outcome == "not-installed":
        pytest.skip(result.message)
    assert result.outcome == "partial" and result.option == "braces: /vsizip/{<path>}", result.message
    assert result.attempts[0]["outcome"] == "error" and "by default: error" in result.message


def test_every_declared_option_links_its_documentation():
    import importlib

    from zipstore_compat.compat_tests.attempts import CONDITIONS
    from zipstore_compat.compat_tests.readers import matrix_readers

    for reader in matrix_readers().values():
        if reader.foreign:  # a program's options come from its describe answer: tests/test_reader_contract.py checks them
            continue
        for declared in importlib.import_module(reader.adapter).FALLBACKS:
            assert set(declared) - {"avoids"} == {"label", "options", "doc", "family", "when"}, (reader.id, declared)
            assert set(declared.get("avoids", [])) <= {"mask", "zarr_fill_mask", "scale", "times"}, (reader.id, declared)
            assert declared["doc"].startswith("https://") and declared["label"] and declared["options"], (reader.id, declared)
            assert declared["when"] is None or declared["when"] in CONDITIONS, (reader.id, declared)
