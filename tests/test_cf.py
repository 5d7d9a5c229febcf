"""CF decoding: the independent decoding (core/cf.py), its comparison form (core/canonical.py cf_digest),
the manifest's cf entries, the judge for readers that declare decodes_cf, and real xarray cells."""

from __future__ import annotations

import base64
import struct

import numpy as np
import pytest

from zipstore_compat.compat_tests.checks import decide, judge
from zipstore_compat.compat_tests.worker import summarise
from zipstore_compat.core import canonical, cf
from zipstore_compat.fixtures.manifest import UNKNOWN, cf_entry

NOLEAP = {"units": "hours since 0000-01-01 00:00:00", "calendar": "noleap"}


def decoded_digest(raw, plan, times=True):
    return canonical.cf_digest(raw, transform=lambda block: plan.decode(block, times=times), kind=plan.kind(times))


# ---- core.cf: the decoding --------------------------------------------------------------------------------

def test_a_format_2_fill_value_masks_exactly_the_equal_values_real_zeros_included():
    raw = np.array([[0, 5, 255], [0, 0, 7]], dtype="u1")
    plan = cf.plan(raw.dtype, {}, 0, zarr_format=2)
    assert [m.source for m in plan.mask] == [cf.ZARR_FILL]
    decoded = plan.decode(raw)
    assert decoded.dtype == np.float64
    assert np.array_equal(np.isnan(decoded), raw == 0)
    assert decoded[0, 1] == 5 and decoded[0, 2] == 255 and decoded[1, 2] == 7
    assert plan.masked(raw).sum() == 3
    # Zarr 3: xarray's use_zarr_fill_value_as_mask defaults to False, and nothing else asks for decoding
    assert cf.plan(raw.dtype, {}, 0, zarr_format=3) is None


def test_fill_value_attributes_and_missing_values():
    raw = np.array([1.0, -9999.0, 3.0, -1.0, np.nan], dtype="f4")
    # Zarr 3: the _FillValue attribute masks; missing_value (a list) adds its values
    plan = cf.plan(raw.dtype, {"_FillValue": -9999.0, "missing_value": [-1.0]}, float("nan"), zarr_format=3)
    assert [(m.value, m.source) for m in plan.mask] == [(-9999.0, cf.FILL_ATTRIBUTE), (-1.0, cf.MISSING_ATTRIBUTE)]
    assert np.array_equal(np.isnan(plan.decode(raw)), [False, True, False, True, True])
    assert plan.masked(raw).sum() == 2  # the NaN was NaN already: nothing masked there
    # Zarr 2: the Zarr fill_value replaces the _FillValue attribute (xarray's open_store_variable)
    plan2 = cf.plan(raw.dtype, {"_FillValue": -9999.0}, 3.0, zarr_format=2)
    assert [m.value for m in plan2.mask] == [3.0]
    # xarray's Zarr 3 encoding of a float _FillValue: base64 of the little-endian float64
    encoded = base64.b64encode(struct.pack("<d", -1e34)).decode()
    assert cf.plan("f4", {"_FillValue": encoded}, float("nan"), 3).mask[0].value == -1e34


def test_a_nan_fill_masks_nothing_and_decodes_to_the_same_numbers():
    raw = np.array([np.nan, 1.5, -0.0, np.inf], dtype="f8")
    plan = cf.plan(raw.dtype, {}, "NaN", zarr_format=2)
    assert plan.masked(raw).sum() == 0
    assert not plan.widens
    assert decoded_digest(raw, plan) == canonical.cf_digest(raw)
    assert cf_entry(raw, plan, [[0, 2]]) is None  # decoding changes nothing: no cf entry


def test_scale_factor_and_add_offset_unpack_after_masking():
    packed = np.array([0, 10, -32767, 20], dtype="i2")
    plan = cf.plan(packed.dtype, {"scale_factor": 0.5, "add_offset": 100.0, "_FillValue": -32767}, 0, zarr_format=3)
    decoded = plan.decode(packed)
    assert decoded[0] == 100.0 and decoded[1] == 105.0 and np.isnan(decoded[2]) and decoded[3] == 110.0
    assert "scale_factor" in plan.consumed and "_FillValue" in plan.consumed


def test_times_in_the_noleap_and_the_standard_calendar():
    hours = np.array([0.0, 59 * 24.0, 365 * 24.0], dtype="f8")
    noleap = cf.plan(hours.dtype, NOLEAP, None, 3)
    texts = canonical.cf_preview(noleap.decode(hours))
    assert texts == ["0000-01-01T00:00:00.000000", "0000-03-01T00:00:00.000000", "0001-01-01T00:00:00.000000"]  # no 29 February
    standard = cf.plan(hours.dtype, {"units": "hours since 2000-01-01"}, None, 3)  # no calendar: standard
    assert standard.calendar == "standard"
    assert canonical.cf_preview(standard.decode(hours))[1] == "2000-02-29T00:00:00.000000"  # 2000 is a leap year
    assert set(noleap.consumed) == {"units", "calendar"}


def test_a_datetime64_and_a_cftime_object_of_the_same_instant_compare_equal():
    hours = np.array([0.0, 12.5, 1e6, np.nan])
    plan = cf.plan(hours.dtype, {"units": "hours since 1970-01-01 00:00:00", "calendar": "gregorian"}, "NaN", 2)
    as_cftime = plan.decode(hours)  # cftime.DatetimeGregorian objects, None where missing
    as_numpy = np.array(["1970-01-01T00:00", "1970-01-01T12:30", "2084-01-29T16:00", "NaT"], dtype="M8[ns]")
    assert canonical.cf_digest(as_numpy) == canonical.cf_digest(as_cftime) == decoded_digest(hours, plan)
    assert canonical.cf_digest(as_numpy.astype("M8[s]")) == canonical.cf_digest(as_cftime)  # the unit does not matter
    shifted = as_numpy.copy()
    shifted[1] += np.timedelta64(1, "s")
    assert canonical.cf_digest(shifted) != canonical.cf_digest(as_cftime)


def test_the_comparison_form_ignores_representation_and_goes_block_by_block():
    raw = np.arange(50, dtype="u1").reshape(5, 10) % 7
    plan = cf.plan(raw.dtype, {}, 0, 2)
    expected = decoded_digest(raw, plan)
    as_float32 = np.where(raw == 0, np.nan, raw).astype("f4")            # xarray
    as_masked = np.ma.masked_equal(raw, 0)                                 # netCDF4-python
    as_objects = np.array([None if v == 0 else int(v) for v in raw.reshape(-1)], dtype=object).reshape(raw.shape)
    assert canonical.cf_digest(as_float32) == canonical.cf_digest(as_masked) == canonical.cf_digest(as_objects) == expected
    assert canonical.cf_digest(as_float32, block=7) == expected             # blocks do not change the digest
    assert canonical.cf_digest(raw.astype("f4")) != expected                # the raw values are not the decoded ones
    assert canonical.cf_digest(as_float32.reshape(10, 5)) != expected       # the shape counts


# ---- the manifest's cf entry ---------------------------------------------------------------------------------

def test_cf_entry_counts_masked_values_and_whether_they_were_real_data():
    raw = np.array([0, 3, 0, -1e34, 7], dtype="f4")
    plan = cf.plan(raw.dtype, {}, 0.0, 2)
    entry = cf_entry(raw, plan, [[1, 4]], declared_missing=None)   # a source that declares no missing value
    assert entry["masked"] == 2 and entry["masked_real"] == 2 and entry["times"] is None
    assert entry["sha256"] == decoded_digest(raw, plan)
    assert entry["slice_sha256"] == decoded_digest(raw[1:4], plan)
    land = cf.plan(raw.dtype, {}, -1e34, 2)
    assert cf_entry(raw, land, [[1, 4]], declared_missing=-1e34)["masked_real"] == 0   # the source's own missing marker
    assert cf_entry(raw, land, [[1, 4]], declared_missing=UNKNOWN)["masked_real"] is None  # nobody described the archive
    widened = cf.plan("u1", {}, 0, 2)  # masks nothing, but a decoder returns floats
    assert cf_entry(np.array([1, 2], dtype="u1"), widened, [[0, 1]])["masked"] == 0


def test_a_masked_time_has_an_untimed_digest_for_readers_that_leave_times_as_numbers():
    hours = np.array([0.0, 24.0, -1.0])
    plan = cf.plan(hours.dtype, dict(NOLEAP, _FillValue=-1.0), None, 3)
    entry = cf_entry(hours, plan, [[1, 2]])
    assert entry["times"] == {"units": NOLEAP["units"], "calendar": "noleap"}
    assert entry["untimed_sha256"] == canonical.cf_digest(np.array([0.0, 24.0, np.nan]))
    assert entry["preview"] == ["0000-01-01T00:00:00.000000", "0000-01-02T00:00:00.000000", "NaT"]


def test_a_region_is_decoded_as_its_whole_array_was_for_the_one_chunk_read():
    """compat_tests/remote/chunk.py: the one-chunk manifest's cf entry is the whole array's plan (as the manifest
    records it, plan_of_entry) applied to the chunk, so a reader that decodes CF is judged on one chunk as
    on the whole array."""
    from zipstore_compat.compat_tests.remote.chunk import plan_of_entry, region_cf

    raw = np.array([[0.0, 2.5, -1.0], [0.0, 7.0, 3.0]], dtype="f4")
    plan = cf.plan(raw.dtype, {"_FillValue": -1.0, "scale_factor": 2.0}, 0.0, 2)
    whole = cf_entry(raw, plan, [[0, 1], [0, 1]], declared_missing=-1.0)
    assert plan_of_entry(raw.dtype.str, whole) == plan
    expected = {"dtype": raw.dtype.str, "cf": whole}
    region = raw[:1, :]
    got = region_cf(expected, region, [[0, 1], [0, 1]], {"missing_value": -1.0})
    assert got == cf_entry(region, plan, [[0, 1], [0, 1]], declared_missing=-1.0)
    # format 2: the Zarr fill_value 0.0 is the mask (it replaces _FillValue), and that zero is real data
    assert got["masked"] == 1 and got["masked_real"] == 1
    assert got["sha256"] == canonical.cf_digest(np.array([[np.nan, 5.0, -2.0]]))
    unknown = cf_entry(raw, plan, [[0, 1], [0, 1]])                           # nobody described which values are missing
    assert region_cf({"dtype": raw.dtype.str, "cf": unknown}, region, [[0, 1], [0, 1]], {})["masked_real"] is None
    nan_fill = cf.plan(raw.dtype, {}, float("nan"), 2)
    assert plan_of_entry(raw.dtype.str, {"mask_values": [m.to_json() for m in nan_fill.mask]}).mask[0].source == cf.ZARR_FILL
    assert region_cf({"dtype": "<f4"}, region, [[0, 1], [0, 1]], {}) is None   # an array CF decoding leaves alone


@pytest.mark.parametrize("fixture_id, expected", [
    ("coads-v3-stored", {"time": (0, "noleap")}),                          # Zarr 3 fill values are not masks: times only
    ("coads-v3-stored-xarray", {"time": (0, "noleap"), "sst": (89622, None), "airt": (87206, None)}),  # xarray's _FillValue
    # format 2 from zarr-python 3: fill_value 0.0 on the coordinates too, and one longitude is a real 0.0
    ("ostia-v2-stored", {"time": (0, "gregorian"), "lon": (1, None), "surface_temperature": (None, None)}),
    ("mnist-v2-stored", {"train/images": (38045844, None), "train/labels": (5923, None),
                         "test/images": (6328781, None), "test/labels": (980, None)}),
    ("mnist-v3-stored", {}),
])
def test_built_fixtures_carry_cf_entries_for_the_arrays_cf_decoding_changes(built_fixtures, fixture_id, expected):
    manifest = built_fixtures[fixture_id]
    assert manifest["manifest_schema"] == 2
    found = {a["path"]: a["cf"] for a in manifest["arrays"] if "cf" in a}
    assert set(found) == set(expected)
    for path, (masked, _) in expected.items():
        entry = found[path]
        if masked is not None:
            assert entry["masked"] == masked
        calendar = expected[path][1] if path == "time" else None
        assert (entry["times"] or {}).get("calendar") == calendar
    if fixture_id.startswith("mnist"):   # MNIST's zeros are pixels: every masked value is real data
        assert all(e["masked_real"] == e["masked"] for e in found.values())
    if fixture_id.startswith("coads") and "sst" in found:   # COADS's -1e34 is the source's missing value (land)
        assert found["sst"]["masked_real"] == 0
    if fixture_id == "ostia-v2-stored":
        assert found["lon"]["masked_real"] == 1 and found["surface_temperature"]["masked_real"] == 0


# ---- the judge ---------------------------------------------------------------------------------------------

def manifest_of(raw, attributes, fill, fmt, path="v"):
    summary = canonical.summary(raw)
    plan = cf.plan(raw.dtype, attributes, fill, fmt)
    array = {"path": path, "shape": summary["shape"], "dtype": raw.dtype.str, "dtype_class": summary["dtype_class"],
             "attributes": attributes, "dimension_names": None, "sha256": summary["sha256"], "slice": summary["slice"],
             "slice_sha256": summary["slice_sha256"], "preview": summary["preview"], "nan_count": summary.get("nan_count")}
    entry = cf_entry(raw, plan, summary["slice"], declared_missing=None)
    if entry:
        array["cf"] = entry
    return {"arrays": [array]}


def returned(manifest, values, attrs=None):
    box = manifest["arrays"][0]["slice"]
    reading = {"listed": ["v"], "arrays": {"v": {"values": values, "slice": canonical.slice_of(values, box), "attrs": attrs, "dims": None}},
               "errors": {}}
    return summarise(reading, manifest)


IMAGES = (np.arange(60, dtype="u1").reshape(6, 10) * 7) % 11   # zeros among real values


def test_the_judge_accepts_cf_decoded_values_only_from_readers_that_declare_it():
    manifest = manifest_of(IMAGES, {"units": "grey level"}, 0, 2)
    decoded = np.where(IMAGES == 0, np.nan, IMAGES).astype("f4")     # what xarray returns
    result = returned(manifest, decoded, {"units": "grey level"})
    verdict = judge(manifest, result, decodes_cf=True)
    assert verdict.outcome == "pass", verdict.message
    assert verdict.cf["v"]["masked"] == int((IMAGES == 0).sum()) and verdict.cf["v"]["masked_real"] == verdict.cf["v"]["masked"]
    assert judge(manifest, result).outcome == "wrong-data"            # no declaration: judged on the raw values
    assert judge(manifest, returned(manifest, IMAGES, {"units": "grey level"}), decodes_cf=True).outcome == "pass"  # raw is right too


def test_values_that_are_neither_raw_nor_cf_decoded_stay_wrong_data():
    manifest = manifest_of(IMAGES, {}, 0, 2)
    wrong = np.where(IMAGES <= 1, np.nan, IMAGES).astype("f4")         # masks the ones too
    verdict = judge(manifest, returned(manifest, wrong), decodes_cf=True)
    assert verdict.outcome == "wrong-data" and "CF decoding would give" in verdict.message
    wrong_slice = returned(manifest, np.where(IMAGES == 0, np.nan, IMAGES).astype("f4"))
    wrong_slice["arrays"]["v"]["cf_slice_read_sha256"] = "0" * 64      # a partial read that differs from the full one
    assert judge(manifest, wrong_slice, decodes_cf=True).outcome == "wrong-data"


def test_decoded_times_may_drop_units_and_calendar_and_the_decision_names_the_way_back():
    hours = np.array([0.0, 24.0, 48.0, 72.0])
    manifest = manifest_of(hours, dict(NOLEAP), None, 3, path="v")
    plan = cf.plan(hours.dtype, NOLEAP, None, 3)
    as_cftime = plan.decode(hours)
    result = returned(manifest, as_cftime, {})                      # xarray moves units and calendar into the encoding
    assert judge(manifest, result, decodes_cf=True).outcome == "pass"
    assert judge(manifest, result).outcome == "wrong-data"
    declared = [{"label": "decode_times=False", "options": {"decode_times": False}, "doc": "https://example.org/doc",
                 "family": "decoding", "avoids": ["times"]}]
    decision = decide(manifest, ("ok", result), declared, retry=lambda options: ("error", "not asked"), decodes_cf=True)
    assert decision.outcome == "pass" and len(decision.attempts) == 1
    assert decision.cf_effects["v"]["times"] == "noleap"
    assert decision.cf_effects["v"]["avoid"] == {"label": "decode_times=False", "doc": "https://example.org/doc"}
    assert decision.notes == ["decoded as CF: times as dates (noleap: v); the stored values, as documented: decode_times=False"]


def test_a_reader_that_masks_but_leaves_times_as_numbers_reads_the_untimed_decoding():
    hours = np.array([0.0, 24.0, -1.0, 72.0])
    manifest = manifest_of(hours, dict(NOLEAP, _FillValue=-1.0), None, 3)
    masked = np.ma.masked_equal(hours, -1.0)                         # netCDF4-python: masked, times left as numbers
    verdict = judge(manifest, returned(manifest, masked, dict(NOLEAP)), decodes_cf=True)
    assert verdict.outcome == "pass" and verdict.cf["v"]["times"] is None and verdict.cf["v"]["masked"] == 1


# ---- real cells: each xarray reader, as users call it ------------------------------------------------------

@pytest.mark.parametrize("reader_id", ["xarray-open_zarr", "xarray-open_dataset-zip"])
@pytest.mark.parametrize("fixture_id, masked", [("coads-v3-stored", 0), ("mnist-v2-stored", 44381528)])
def test_xarray_passes_by_default_and_says_what_cf_decoding_did(worker_pool, cell_paths, reader_id, fixture_id, masked):
    from zipstore_compat.compat_tests.cells import Describer, run_cell
    from zipstore_compat.compat_tests.readers import all_readers

    result = run_cell(all_readers()[reader_id], fixture_id, *cell_paths(fixture_id), worker_pool, Describer(worker_pool))
    assert result.outcome == "pass", result.message
    assert [a["label"] for a in result.attempts] == ["default"]       # no option needed
    note = next(n for n in result.notes if n.startswith("decoded as CF"))
    assert sum(e["masked"] for e in result.cf_effects.values()) == masked
    if masked:
        assert f"{masked:,} values masked as NaN" in note and "real data" in note
        assert result.cf_effects["train/images"]["avoid"]["label"] == "use_zarr_fill_value_as_mask=False"
    else:
        assert "times as dates (noleap: time)" in note
        assert result.cf_effects["time"]["avoid"]["label"] == "decode_times=False"


def test_decodes_cf_is_an_optional_declaration_and_must_be_true_or_false(tmp_path):
    from zipstore_compat.compat_tests.readers import DeclarationError, declaration_of, reader_from, readers

    assert readers()["xarray-open_zarr"].decodes_cf and readers()["netcdf4-libzip-zarr"].decodes_cf
    assert not readers()["zarr3"].decodes_cf and not readers()["gdal-multidim"].decodes_cf and not readers()["ncdump-zarr"].decodes_cf
    adapter = tmp_path / "odd.mjs"
    adapter.write_text('// reader: id = "odd"\n// reader: env = "node"\n// reader: library = "odd"\n// reader: call = "odd()"\n'
                       '// reader: worker = ["node", "{file}"]\n// reader: decodes_cf = "yes"\n', encoding="utf-8")
    with pytest.raises(DeclarationError, match="decodes_cf"):
        reader_from(adapter, declaration_of(adapter))
