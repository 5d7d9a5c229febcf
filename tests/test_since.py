"""compat_tests/reports/since.py: "since which version", from the cells of every tested release."""

from zipstore_compat.compat_tests.reports.since import since


def cell(version, outcome, fixture="f", family="zarr3", option=None):
    return {"cell": f"{family}@{version}--{fixture}", "reader": f"{family}@{version}", "family": family,
            "fixture": fixture, "outcome": outcome, "version": version, "option": option}


def one(cells):
    rows = since(cells)
    assert len(rows) == 1
    return rows[0]


def test_a_release_that_reads_with_a_named_option_reads():
    # a store under a folder: every release needs the folder passed; GDAL 3.12 reads it that way, 3.10 not at all
    row = one([cell("3.10.3", "error", family="rasterio-gdal"),
               cell("3.12.2", "partial", family="rasterio-gdal", option="ZARR:\"/vsizip/<path>/<folder>\"")])
    assert (row["first_pass"], row["last_fail"], row["level"]) == ("3.12.2", "3.10.3", "reads-with-option")
    assert row["text"].startswith("since 3.12.2, with a non-default option (fails on 3.10.3;")


def test_a_regression_and_its_fix_give_the_release_that_reads_again():
    # read on 3.0.10, broken from 3.1.6, read again on 3.4.2: "since 3.4.2", not "reads on 3.0.10"
    opt = "open_group(store, path=<top-level folder>)"
    row = one([cell("3.0.10", "partial", option=opt), cell("3.1.6", "error"), cell("3.2.1", "error"),
               cell("3.3.0", "error"), cell("3.4.2", "partial", option=opt)])
    assert (row["first_pass"], row["last_fail"]) == ("3.4.2", "3.3.0")
    assert row["text"] == ("since 3.4.2, with a non-default option (fails on 3.3.0; read on 3.0.10, not from 3.1.6; "
                           "tested 3.0.10, 3.1.6, 3.2.1, 3.3.0, 3.4.2)")


def test_a_newest_release_that_fails_says_since_when():
    row = one([cell("3.0.10", "pass"), cell("3.1.6", "error"), cell("3.4.2", "error")])
    assert (row["first_pass"], row["last_fail"], row["last_read"]) == (None, "3.4.2", "3.0.10")
    assert row["text"].startswith("no longer reads since 3.1.6 (read on 3.0.10;")


def test_cells_that_say_nothing_about_the_release_are_left_out():
    # an environment that could not be built is missing coverage, not a failure
    row = one([cell("3.0.10", "not-installed"), cell("3.1.6", "pass"), cell("3.4.2", "pass")])
    assert row["text"] == "reads in every tested release (tested 3.1.6, 3.4.2)"
    assert since([cell("3.0.10", "fixture-error"), cell("3.4.2", "pass")]) == []


def test_reading_partly_is_neither_reading_nor_failing():
    row = one([cell("3.10.3", "error", family="rasterio-gdal"), cell("3.12.2", "partial", family="rasterio-gdal")])
    assert (row["first_pass"], row["level"]) == ("3.12.2", "reads-partly")
    assert row["text"].startswith("reads partly since 3.12.2 (fails on 3.10.3;")
    row = one([cell("3.10.3", "partial"), cell("3.12.2", "pass")])
    assert row["text"].startswith("since 3.12.2 (only reads partly on 3.10.3;")


def test_every_release_failing_or_reading():
    assert one([cell("0.1.68", "error"), cell("0.1.86", "error")])["text"].startswith("fails in every tested release")
    assert one([cell("0.1.68", "pass"), cell("0.1.86", "pass")])["first_pass"] == "0.1.68"


def test_an_outcome_a_race_gives_on_some_runs_says_nothing_about_the_release():
    # matrix.yaml: partial, also error (a race); the error of one run must not become "since 2026.9.0"
    racy = {**cell("2025.11.0", "error", family="xarray-open_dataset-zip"), "expected": "partial", "as_expected": True}
    settled = {**cell("2026.9.0", "partial", family="xarray-open_dataset-zip", option="mask_and_scale=False"),
               "expected": "partial", "as_expected": True}
    assert since([racy, settled]) == []
    newer = {**cell("2026.10.0", "partial", family="xarray-open_dataset-zip", option="mask_and_scale=False"),
             "expected": "partial", "as_expected": True}
    row = one([racy, settled, newer])
    assert row["unsettled"] == ["2025.11.0"]
    assert row["text"].startswith("reads in every tested release, with a non-default option (tested 2026.9.0, 2026.10.0)")
    # an unexpected outcome is a finding, not a race: it counts
    surprise = {**cell("2025.11.0", "error", family="xarray-open_dataset-zip"), "expected": "partial", "as_expected": False}
    assert one([surprise, settled])["first_pass"] == "2026.9.0"


def test_on_a_hostile_archive_a_pass_is_handling_it_correctly():
    tags = {"tags": ["kind:hostile"]}
    row = one([{**cell("0.1.79", "wrong-data", "hostile-overlapping", "tensorstore-zarr"), **tags},
               {**cell("0.1.86", "pass", "hostile-overlapping", "tensorstore-zarr"), **tags}])
    assert row["text"] == "handled correctly since 0.1.86 (mishandled on 0.1.79; tested 0.1.79, 0.1.86)"
    row = one([{**cell("3.10.3", "pass", "hostile-bad-crc", "rasterio-gdal"), **tags},
               {**cell("3.12.2", "wrong-data", "hostile-bad-crc", "rasterio-gdal"), **tags}])
    assert row["text"].startswith("no longer handled correctly since 3.12.2 (handled correctly on 3.10.3;")
