"""The summary's rules (compat_tests/reports/summary.py) on synthetic results: rows from tags, verdicts in words, family order, versions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from zipstore_compat.compat_tests.reports import results
from zipstore_compat.compat_tests.reports import summary
from zipstore_compat.compat_tests.reports.markdown import write_markdown
from zipstore_compat.compat_tests.reports.html import page_data, render_html

BASE = ["dataset:coads", "kind:grid", "writer:zarr3", "format:v3", "zip:stored", "layout:root", "codec:default", "baseline"]
LZMA = ["dataset:coads", "kind:grid", "writer:zarr3", "format:v3", "zip:lzma", "layout:root", "codec:default", "axis:compression"]
LZMA_MNIST = ["dataset:mnist", "kind:mnist", "writer:zarr3", "format:v3", "zip:lzma", "layout:root", "codec:default", "axis:compression"]
NESTED = ["dataset:coads", "kind:grid", "writer:zipcli", "format:v3", "zip:stored", "layout:folder", "codec:default", "axis:writer", "axis:layout"]
SYNTH = ["dataset:synthetic", "kind:synthetic", "writer:zarr3", "format:v3", "zip:stored", "layout:root", "codec:default", "baseline"]
EXTERNAL = ["kind:external", "format:v2", "source:Unidata__netcdf-c__ref_byte.zarr.zip"]
TAGS = {"byo-my-archive": ["kind:byo", "format:v3", "source:/data/my.zip"], "coads-v3-stored": BASE, "coads-v3-lzma": LZMA, "mnist-v3-lzma": LZMA_MNIST, "coads-v3-stored-zipcli-nested": NESTED,
        "synthetic-v3-stored": SYNTH, "ext-ref-byte": EXTERNAL}


def cell(reader: str, fixture: str, outcome: str = "pass", version: str = "1.0", **fields) -> dict:
    cid = f"{reader}--{fixture}"
    record = {"cell": cid, "reader": reader, "fixture": fixture, "tags": TAGS[fixture], "outcome": outcome, "expected": outcome,
              "as_expected": True, "message": "" if outcome == "pass" else f"{outcome} on {fixture}", "details": [], "notes": [],
              "option": None, "reason": None, "link": None, "library": reader, "call": "open(path)",
              "versions": {reader.split("@")[0].split("-")[0]: version, "numpy": "2.4.6"}, "seconds": 0.01, "wall_seconds": 0.02,
              "repro": f"./run python -m compat_tests repro {cid}"}
    record.update(fields)
    return record


def payload(cells: list[dict]) -> dict:
    readers = {}
    for c in cells:
        readers.setdefault(c["reader"], c["versions"])
    return {"results_schema": 1, "run": {"started": "2026-11-23T12:00:00Z", "python": "3.11", "platform": "Linux", "readers": readers},
            "cells": cells}


def row(digest: dict, row_id: str) -> dict:
    return next(r for r in digest["rows"] if r["id"] == row_id)


def test_rows_come_from_the_tags_and_only_rows_with_archives_are_shown():
    digest = summary.summarize(payload([cell("zarr3", f) for f in TAGS]))
    ids = [r["id"] for r in digest["rows"]]
    assert row(digest, "baseline")["fixtures"] == ["coads-v3-stored"]  # the synthetic baseline has its own row
    assert row(digest, "zip-lzma")["fixtures"] == ["coads-v3-lzma", "mnist-v3-lzma"]
    assert row(digest, "layout-folder-v3")["fixtures"] == ["coads-v3-stored-zipcli-nested"]
    assert row(digest, "dtypes-v3")["fixtures"] == ["synthetic-v3-stored"]
    assert row(digest, "external-v2")["fixtures"] == ["ext-ref-byte"]
    assert row(digest, "byo-byo-my-archive")["fixtures"] == ["byo-my-archive"]  # your own archive: a row of its own
    assert "zip-deflate" not in ids and "sharding" not in ids and "external-v3" not in ids  # no archive in this run shows them


def test_verdicts_in_words():
    cells = [
        cell("zarr3", "coads-v3-stored"),
        cell("tensorstore-zarr", "coads-v3-lzma", "error", reason="tensorstore skips lzma members\nsecond line"),
        cell("tensorstore-zarr", "mnist-v3-lzma", "error"),
        cell("xarray-open_zarr", "coads-v3-stored", "partial", option="mask_and_scale=False"),
        cell("gdal-multidim", "coads-v3-lzma", "pass"), cell("gdal-multidim", "mnist-v3-lzma", "timeout"),
        cell("h5py", "coads-v3-stored", "unsupported", reason="not an HDF5 file"),
        cell("netcdf4-nczarr", "coads-v3-stored", "not-installed", message="environment could not be built"),
    ]
    digest = summary.summarize(payload(cells))
    base, lzma = row(digest, "baseline")["families"], row(digest, "zip-lzma")["families"]
    assert base["zarr-python"]["text"] == "reads" and base["zarr-python"]["versions"] == "zarr3 1.0"
    assert base["xarray"]["text"] == "reads with option mask_and_scale=False"
    assert base["h5py"]["text"] == "fails" and base["h5py"]["reason"] == "not an HDF5 file"
    assert base["netcdf"]["text"] == "not tested"
    assert lzma["tensorstore"]["verdict"] == "fails" and lzma["tensorstore"]["reason"] == "tensorstore skips lzma members"
    assert lzma["gdal"]["text"] == "reads 1 of 2 archives" and lzma["gdal"]["reason"].startswith("mnist-v3-lzma: timeout")
    assert lzma["zarr-python"]["text"] == "not tested"  # no zarr-python cell on an lzma archive in this run


def test_a_family_shows_its_best_reader_and_never_hides_wrong_data():
    cells = [cell("xarray-open_zarr", "coads-v3-stored"),
             cell("xarray-open_dataset-zip", "coads-v3-stored", "wrong-data", message="empty Dataset")]
    family = row(summary.summarize(payload(cells)), "baseline")["families"]["xarray"]
    assert family["text"] == "reads" and family["readers"] == ["xarray-open_zarr"]
    assert family["warning"] == "WRONG DATA with xarray-open_dataset-zip: coads-v3-stored: empty Dataset"
    assert family["per_reader"]["xarray-open_dataset-zip"]["cells"] == ["xarray-open_dataset-zip--coads-v3-stored"]
    alone = row(summary.summarize(payload(cells[1:])), "baseline")["families"]["xarray"]
    assert alone["verdict"] == "wrong-data" and alone["text"] == "WRONG DATA"


def test_columns_follow_the_family_order_not_the_alphabet():
    readers = ["h5py", "dask", "tensorstore-zarr", "zarr2", "xarray-open_dataset-zip", "some-new-reader", "zarr3", "gdal-classic",
               "netcdf4-libzip-zarr", "tensorflow", "fsspec-zip", "xarray-open_zarr"]
    digest = summary.summarize(payload([cell(r, "coads-v3-stored") for r in readers]))
    assert [f["id"] for f in digest["families"]] == ["zarr-python", "xarray", "dask", "fsspec", "gdal", "netcdf", "tensorstore",
                                                      "tensorflow", "h5py", "some-new-reader"]
    assert summary.reader_order(readers)[:4] == ["zarr3", "zarr2", "xarray-open_zarr", "xarray-open_dataset-zip"]


def test_several_versions_of_a_reader_give_since():
    cells = [cell("zarr3@3.0.0", "coads-v3-stored", "error", version="3.0.0"),
             cell("zarr3@3.1.0", "coads-v3-stored", "pass", version="3.1.0"),
             cell("zarr3@3.1.6", "coads-v3-stored", "pass", version="3.1.6"),
             cell("dask@2025.1.0", "coads-v3-stored", "pass", version="2025.1.0"),
             cell("dask@2026.8.0", "coads-v3-stored", "pass", version="2026.8.0"),
             cell("tensorstore-zarr@0.1.80", "coads-v3-stored", "pass", version="0.1.80"),
             cell("tensorstore-zarr@0.1.86", "coads-v3-stored", "error", version="0.1.86", reason="refuses it now")]
    families = row(summary.summarize(payload(cells)), "baseline")["families"]
    assert families["zarr-python"]["text"] == "reads since 3.1.0"
    assert families["zarr-python"]["versions"] == "zarr3 3.0.0 to 3.1.6 (3 versions)"
    assert families["zarr-python"]["per_reader"]["zarr3"]["by_version"] == {"3.0.0": "fails", "3.1.0": "reads", "3.1.6": "reads"}
    assert families["dask"]["text"] == "reads"  # every tested version reads: nothing to say "since"
    assert families["tensorstore"]["text"] == "fails (no longer reads since 0.1.86)"
    assert summary.reader_order(c["reader"] for c in cells)[:3] == ["zarr3@3.1.6", "zarr3@3.1.0", "zarr3@3.0.0"]


def test_a_race_on_one_release_gives_no_since():
    # matrix.yaml: partial, also error (the FsspecStore race): the error one run gave is no release that fails
    option = "mask_and_scale=False"
    cells = [cell("xarray-open_zarr@2025.11.0", "coads-v3-stored", "error", version="2025.11.0", expected="partial"),
             cell("xarray-open_zarr@2026.9.0", "coads-v3-stored", "partial", version="2026.9.0", option=option)]
    xarray = row(summary.summarize(payload(cells)), "baseline")["families"]["xarray"]
    assert xarray["text"] == f"reads with option {option}"
    assert xarray["per_reader"]["xarray-open_zarr"]["by_version"] == {"2025.11.0": "fails", "2026.9.0": "reads-with-option"}
    cells[0].update(expected="error")  # the same error as the expected outcome: a release that fails
    assert row(summary.summarize(payload(cells)), "baseline")["families"]["xarray"]["text"] == f"reads with option {option} since 2026.9.0"


def test_reading_some_archives_has_a_since_too():
    # GDAL 3.10 reads no Zarr 3 archive, 3.12 reads two of three (MNIST times out): "reads 2 of 3 archives since 3.12.2"
    mnist = ["dataset:mnist", "kind:mnist", *BASE[2:]]

    def both(reader, outcome_coads, outcome_mnist, version):
        other = cell(reader, "coads-v3-stored", outcome_mnist, version=version)
        other.update(fixture="mnist-v3-stored", cell=f"{reader}--mnist-v3-stored", tags=mnist)
        return [cell(reader, "coads-v3-stored", outcome_coads, version=version), other]

    cells = both("rasterio-gdal@1.4.4", "error", "error", "3.10.3") + both("rasterio-gdal", "pass", "timeout", "3.12.2")
    gdal = row(summary.summarize(payload(cells)), "baseline")["families"]["rasterio"]
    assert gdal["text"] == "reads 1 of 2 archives since 3.12.2"
    # an older release that read more gives no "since" to a newest one that reads some
    cells = both("rasterio-gdal@1.4.4", "pass", "pass", "3.10.3") + both("rasterio-gdal", "pass", "timeout", "3.12.2")
    assert row(summary.summarize(payload(cells)), "baseline")["families"]["rasterio"]["text"] == "reads 1 of 2 archives"


def test_versions_order_numerically():
    assert sorted(["3.10.0", "3.2.1", "2.18.7", "3.2.1rc1"], key=summary.version_key) == ["2.18.7", "3.2.1", "3.2.1rc1", "3.10.0"]


def test_the_summary_reaches_results_json_markdown_and_html(tmp_path):
    cells = [cell(r, f) for r in ("zarr3", "h5py") for f in ("coads-v3-stored", "coads-v3-lzma")]
    cells[0].update(outcome="partial", expected="partial", option="open_group(store, path=<top-level folder>)")
    cells[-1].update(outcome="unsupported", expected="unsupported", message="unsupported on coads-v3-lzma")
    cells[-2].update(outcome="error", expected="error", message="refuses /vsizip/<path>")
    merged = results.merge([payload(cells[:2]), payload(cells[2:])])
    assert merged["summary"] == summary.summarize(merged)
    assert row(merged["summary"], "zip-lzma")["families"]["h5py"]["text"] == "fails"
    write_markdown(merged, tmp_path / "matrix.md")
    markdown = (tmp_path / "matrix.md").read_text(encoding="utf-8")
    assert markdown.index("## Summary") < markdown.index("## Every cell")
    assert "refuses /vsizip/&lt;path&gt;" in markdown  # text that looks like an HTML tag is escaped (options are code)
    assert "| archive property | the archive (writer check) | zarr-python | h5py (control) |" in markdown
    assert "| lzma <sub>(1)</sub> | **not checked** | **reads**<br><sub>zarr3 1.0</sub> | **fails**: unsupported on coads-v3-lzma" in markdown
    assert "| the baseline: Zarr 3, stored members, entries at the root, zarr-python 3 ZipStore <sub>(1)</sub> | **not checked** | **reads with option** `open_group(store, path=<top-level folder>)`<br>" in markdown
    data = page_data(merged)
    assert [r["id"] for r in data["readers"]] == ["zarr3", "h5py"]
    lzma_h5py = row(data["summary"], "zip-lzma")["families"]["h5py"]["per_reader"]["h5py"]
    assert [data["cells"][i][0] for i in lzma_h5py["cells"]] == [1]  # the page's copy refers to its cells by number
    assert "<script type=application/json id=data>" in render_html(merged)


def test_the_page_stores_each_text_once():
    message = "OSError: Unable to synchronously open file (file signature not found)"
    cells = [cell(f"reader{i}", "coads-v3-stored", "unsupported", message=message, reason="h5py reads HDF5 files") for i in range(50)]
    page = render_html(payload(cells))
    assert page.count(message) == 1 and page.count("h5py reads HDF5 files") == 1
    assert "</script>" not in json.dumps(page_data(payload(cells)))  # nothing in the data can end the script early


@pytest.mark.parametrize("broken", [{"reader": None}, {"fixture": None}, {"outcome": "fine"}])
def test_a_cell_without_its_ids_is_a_clear_error(tmp_path, broken):
    record = cell("zarr3", "coads-v3-stored")
    record.update(broken)
    record = {k: v for k, v in record.items() if v is not None}
    path = tmp_path / "results.json"
    path.write_text(json.dumps({**payload([]), "cells": [record]}), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "zipstore_compat.compat_tests", "report", "render", str(path), "--out", str(tmp_path)],
                          cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True)
    assert proc.returncode == 1 and "without its ids" in proc.stderr and "Traceback" not in proc.stderr


def test_a_version_is_shown_under_the_library_it_belongs_to():
    # rasterio's cells record GDAL's release (version_key), netCDF4's the netCDF-C it is built on: "rasterio 3.12.2" is no release
    gdal = cell("rasterio-gdal", "coads-v3-stored", versions={"rasterio": "1.5.2", "gdal": "3.12.2", "numpy": "2.5.5"})
    netcdf = cell("netcdf4-nczarr", "coads-v3-stored", "error", versions={"netCDF4": "1.7.5.1.post1", "netcdf-c": "4.10.1"})
    gdal["version"], netcdf["version"] = "3.12.2", "4.10.1"   # what test_matrix records: versions[reader.version_key]
    families = row(summary.summarize(payload([gdal, netcdf])), "baseline")["families"]
    assert families["rasterio"]["versions"] == "gdal 3.12.2"
    assert families["netcdf"]["versions"] == "netcdf-c 4.10.1"


def _variant(**changes) -> dict:
    from zipstore_compat.fixtures.variants import BASELINE

    return dict(BASELINE.to_dict(), **changes)


VARIANT_CELLS = {   # fixture -> (tags, variant): what test_matrix records from each manifest
    "coads-v3-stored": (BASE, _variant()),
    "coads-v3-lzma": (LZMA, _variant(compression="lzma")),
    "mnist-v3-stored": (["dataset:mnist", "kind:mnist", *BASE[2:]], _variant()),
    "mnist-v3-lzma": (LZMA_MNIST, _variant(compression="lzma")),
    "coads-v3-stored-zipcli": (["dataset:coads", "kind:grid", "writer:zipcli", "format:v3", "zip:stored", "layout:root", "codec:default",
                                "axis:writer"], _variant(writer="zipcli")),
    "coads-v3-stored-zipcli-zip64": (["dataset:coads", "kind:grid", "writer:zipcli", "format:v3", "zip:stored", "layout:root",
                                      "codec:default", "axis:writer", "axis:zip64"], _variant(writer="zipcli", zip64=True)),
}


def vcell(reader, fixture, outcome="pass", **fields):
    tags, variant = VARIANT_CELLS[fixture]
    TAGS.setdefault(fixture, tags)
    return cell(reader, fixture, outcome, tags=tags, variant=variant, **fields)


def test_a_property_row_says_what_the_property_changes():
    """Rule 5: each reader against its own result on the archive the property departs from."""
    option = "mask_and_scale=False"
    cells = [vcell("zarr3", "coads-v3-stored"), vcell("zarr3", "coads-v3-lzma", "error", reason="no lzma"),
             # GDAL's classic API times out on MNIST whatever the archive: set aside, the row shows what lzma does
             vcell("gdal-multidim", "coads-v3-stored"), vcell("gdal-multidim", "coads-v3-lzma"),
             vcell("gdal-multidim", "mnist-v3-stored", "timeout"), vcell("gdal-multidim", "mnist-v3-lzma", "timeout"),
             vcell("xarray-open_zarr", "coads-v3-stored", "partial", option=option),
             vcell("xarray-open_zarr", "coads-v3-lzma", "partial", option=option),
             vcell("h5py", "coads-v3-stored", "unsupported"), vcell("h5py", "coads-v3-lzma", "unsupported"),
             vcell("tensorstore-zarr", "coads-v3-stored", "wrong-data"), vcell("tensorstore-zarr", "coads-v3-lzma", "wrong-data")]
    digest = summary.summarize(payload(cells))
    lzma = row(digest, "zip-lzma")["families"]
    assert lzma["zarr-python"]["text"] == "fails only with this property" and lzma["zarr-python"]["reason"] == "no lzma"
    assert lzma["gdal"]["text"] == "reads"
    assert lzma["gdal"]["per_reader"]["gdal-multidim"]["set_aside"] == ["gdal-multidim--mnist-v3-lzma"]
    assert lzma["xarray"]["text"] == "reads, as on the baseline"      # the option is the baseline row's finding, said once
    assert lzma["h5py"]["verdict"] == "as-baseline" and lzma["h5py"]["text"] == "as on the baseline"
    assert lzma["tensorstore"]["text"] == "WRONG DATA"                   # never set aside
    base = row(digest, "baseline")["families"]
    assert base["xarray"]["text"] == f"reads with option {option}" and base["gdal"]["text"] == "reads 1 of 2 archives"


def test_a_property_made_by_another_writer_is_compared_with_that_writers_archive():
    # ZIP64 is written by the zip command: its twin is the zip command's archive without ZIP64, not zarr-python's
    cells = [vcell("fsspec-zip", "coads-v3-stored"), vcell("fsspec-zip", "coads-v3-stored-zipcli", "error", reason="data descriptors"),
             vcell("fsspec-zip", "coads-v3-stored-zipcli-zip64", "error", reason="data descriptors")]
    digest = summary.summarize(payload(cells))
    assert row(digest, "zip64")["families"]["fsspec"]["text"] == "as on the baseline"
    assert row(digest, "layout-root")["families"]["fsspec"]["text"] == "fails only with this property"


def test_reader_habits_have_rows_of_their_own():
    """Concurrency (counted), slow paths (measured once) and CF decoding (what the default call did) are rows of their
    own, never charged to an archive property."""
    conc = cell("fsspec-zip", "coads-v3-stored", "error", message="fails 7 of 100 reads (coads-v3-stored: 20)")
    conc.update(fixture="habit-concurrency", cell="fsspec-zip--habit-concurrency", tags=["kind:habit", "habit:concurrency"])
    TAGS.setdefault("habit-concurrency", conc["tags"])
    slow = vcell("rasterio-gdal", "mnist-v3-stored", "slow", message="reads correctly (pass) but takes 36 s, more than the 60 s cell limit: ...")
    cf = vcell("xarray-open_zarr", "coads-v3-stored", cf_effects={"sst": {"masked": 10, "masked_real": 4, "times": "noleap",
                                                                        "avoid": {"label": "mask_and_scale=False", "doc": "https://x"}}})
    digest = summary.summarize(payload([conc, slow, cf, vcell("rasterio-gdal", "mnist-v3-lzma", "slow", message=slow["message"])]))
    assert row(digest, "habit-concurrency")["families"]["fsspec"]["text"] == "fails 7 of 100 reads"
    slow_row = row(digest, "habit-slow")["families"]["rasterio"]
    assert slow_row["text"].startswith("slow on mnist: reads correctly (pass) but takes 36 s") and slow_row["readers"] == ["rasterio-gdal"]
    cf_row = row(digest, "habit-cf")["families"]["xarray"]
    assert cf_row["text"] == "masks 4 real values as NaN (1 archives); times as dates (noleap); the stored values with mask_and_scale=False"
    assert cf_row["warning"].startswith("real values masked as missing by xarray-open_zarr")
    assert row(digest, "zip-lzma")["families"]["rasterio"]["verdict"] == "not-tested"   # a slow path is no property's finding


def test_a_habit_rows_archive_column_is_of_the_archives_it_was_seen_on():
    """A corrupt archive where no reader showed the habit says nothing about the habit: the CF row's archive column is of
    the archives where a reader decoded, not of every archive the row could show."""
    ok = {"id": "zarr3", "intact": True, "problems": [], "nondeterministic": ""}
    broken = {"id": "zarr3", "intact": False, "problems": ["member zarr.json: bad CRC-32"], "nondeterministic": "threads"}
    effects = {"sst": {"masked": 3, "masked_real": 0, "times": "", "avoid": {"label": "mask_and_scale=False", "doc": "https://x"}}}
    cells = [vcell("xarray-open_zarr", "coads-v3-stored", cf_effects=effects, writer=ok),
             vcell("xarray-open_zarr", "coads-v3-lzma", "error", writer=broken)]
    digest = summary.summarize(payload(cells))
    assert row(digest, "habit-cf")["fixtures"] == ["coads-v3-stored"]
    assert row(digest, "habit-cf")["archive"] == {"verdict": "intact", "text": "intact", "fixtures": ["coads-v3-stored"]}
    assert row(digest, "zip-lzma")["archive"]["verdict"] == "corrupt"   # the property row still says it


def test_a_writers_broken_archive_is_its_finding_in_the_archive_column():
    """The archive column (compat_tests/reports/writers.py): a row's archives as their writer check found them, from the cells'
    `writer`; results.json's writers section lists one record per archive."""
    from zipstore_compat.compat_tests.reports.writers import writer_records

    ok = {"id": "zarr3", "intact": True, "problems": [], "nondeterministic": ""}
    broken = {"id": "zarr3", "intact": False, "problems": ["member zarr.json: its data does not match its CRC-32 or sizes"], "nondeterministic": "threads"}
    cells = [cell("zarr3", "coads-v3-stored", writer=ok), cell("zarr3", "coads-v3-lzma", "error", writer=broken),
             cell("h5py", "coads-v3-lzma", "unsupported", writer=broken), cell("zarr3", "ext-ref-byte", writer=None)]
    digest = summary.summarize(payload(cells))
    assert row(digest, "baseline")["archive"] == {"verdict": "intact", "text": "intact", "fixtures": ["coads-v3-stored"]}
    lzma = row(digest, "zip-lzma")["archive"]
    assert lzma["verdict"] == "corrupt" and lzma["text"] == "CORRUPT: the writer produced a corrupt archive"
    assert lzma["reason"] == "coads-v3-lzma: member zarr.json: its data does not match its CRC-32 or sizes"
    assert row(digest, "external-v2")["archive"]["verdict"] == "not-checked"   # other projects' archives: no writer of ours
    assert writer_records(cells) == [
        {"fixture": "coads-v3-lzma", "writer": "zarr3", "intact": False, "problems": broken["problems"], "nondeterministic": True},
        {"fixture": "coads-v3-stored", "writer": "zarr3", "intact": True, "problems": [], "nondeterministic": False}]


def test_the_axis_rows_come_from_the_axis_declarations_with_their_ids():
    from zipstore_compat.fixtures.axes import axis_rows
    from zipstore_compat.fixtures.writer_registry import writers

    ids = [p.id for p in summary.PROPERTIES]
    assert ids[0] == "baseline" and ids[-3:] == ["habit-concurrency", "habit-slow", "habit-cf"]
    assert [r.id for r in axis_rows()] == ids[1:-5]   # between the baseline and the data types and habits
    for kept in ("format-v2", "zip-deflate", "layout-root", "layout-folder-v3", "consolidated-v2", "sharding", "codec-zstd-v2", "zip64",
                 "many-entries", "cd-reversed", "duplicates", "rfc9", "writer-zarr2", "writer-xarray", "writer-zipfile"):
        assert kept in ids, kept   # the rows the summary had before the declarations, by the same ids
    written_by = [p for p in summary.PROPERTIES if p.group == "Written by"]
    assert {p.id for p in written_by} == {f"writer-{w.id}" for w in writers().values() if w.id not in ("zarr3", "zipcli")}
    assert all(p.tags == (f"writer:{p.id[len('writer-'):]}",) and p.own == ("writer",) for p in written_by)
