"""The fixture axes and the writers, each declared once (fixtures/axes.py, fixtures/writer_registry.py), and what
fixtures/variants.py makes of them."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

from zipstore_compat.core.declarations import DeclarationError
from zipstore_compat.fixtures.axes import AXES, axis
from zipstore_compat.fixtures.registry import default_fixtures
from zipstore_compat.fixtures.variants import BASELINE, DATASET_AXES, DATASET_KINDS, Variant, departures
from zipstore_compat.fixtures.writer_registry import writer_from, writers


def test_the_variant_has_a_field_per_axis_its_baseline_the_default():
    assert [f.name for f in fields(Variant)] == [a.name for a in AXES]
    assert all(getattr(BASELINE, a.name) == a.baseline for a in AXES)
    assert BASELINE.fixture_id("coads") == "coads-v3-stored"   # an axis at its baseline adds nothing to an id
    assert "baseline" in BASELINE.tags("grid")


def test_every_departure_and_every_writer_makes_archives_of_the_default_set():
    made = [spec.variant for spec in default_fixtures().values()]
    for departure in departures():
        assert any(all(getattr(v, k) == value for k, value in departure.values.items()) for v in made), departure
    assert {v.writer for v in made} == set(writers())


def test_what_a_writer_cannot_make_is_said():
    assert replace(BASELINE, writer="nosuch").problems("grid") == ["unknown writer nosuch"]
    assert any("zipcli does not make compression = 'lzma'" in p for p in replace(BASELINE, writer="zipcli", compression="lzma").problems("grid"))
    assert any("does not make zip64" in p for p in replace(BASELINE, zip64=True).problems("grid"))   # only the zip command's -fz
    assert replace(BASELINE, sharding=True, zarr_format=2).problems("grid") == ["sharding is Zarr format 3 only"]
    assert any("entries dataset" in p for p in replace(BASELINE, entries=65536).problems("grid"))
    assert any("does not write synthetic datasets" in p for p in replace(BASELINE, writer="xarray").problems("synthetic"))


def test_the_default_set_per_dataset_follows_its_axes():
    for spec in default_fixtures().values():
        axes = DATASET_AXES[spec.dataset]
        changed = spec.variant.changed_axes()
        assert axes is None or changed <= axes | {"writer", "zarr_format"}, spec.id
        assert DATASET_KINDS[spec.dataset] == spec.kind and not spec.variant.problems(spec.kind), spec.id


def test_axis_words_are_the_bug_reports_words():
    from zipstore_compat.bugreport.issue import properties_in_words

    assert properties_in_words({**BASELINE.to_dict(), "compression": "zstd", "writer": "ownzip", "align": 4096}) == [
        "zstd-compressed ZIP members", "zipped by a ZIP writer that follows APPNOTE", "with members aligned to 4,096-byte boundaries"]
    assert axis("entries").words(65536) == "with exactly 65,536 entries"


@pytest.mark.parametrize("declared, message", [
    ({"id": "x", "env": "writer-zarr3", "what": "w", "call": "c"}, "misses formats"),
    ({"id": "x", "env": "writer-zarr3", "what": "w", "call": "c", "formats": [3], "colour": "red"}, "unknown keys colour"),
    ({"id": "X_Y", "env": "writer-zarr3", "what": "w", "call": "c", "formats": [3]}, "lower case"),
    ({"id": "x", "env": "nosuch", "what": "w", "call": "c", "formats": [3]}, "does not declare"),
    ({"id": "x", "env": "writer-zarr3", "what": "w", "call": "c", "formats": [3], "makes": {"compression": "stored"}}, "makes must be"),
])
def test_a_bad_writer_declaration_is_one_clear_line(tmp_path, declared, message):
    path = tmp_path / "w.py"
    path.write_text("", encoding="utf-8")
    with pytest.raises(DeclarationError, match=message):
        writer_from(path, declared)
