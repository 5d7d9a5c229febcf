"""A slow path (matrix.yaml outcome slow): the one measurement of an answer that comes later than half the cell limit,
whether that answer is a correct read or a refusal (netCDF-C's walk of a Zarr 3 store's keys), says what it was."""

from __future__ import annotations

import pytest

from zipstore_compat.compat_tests import expectations
from zipstore_compat.compat_tests.cells import slow_result, time_limit
from zipstore_compat.compat_tests.readers import all_readers

ENTRY = ("expectations:\n- cells: ['ncdump-*--entries-v3-stored-entries*']\n  versions: {{netcdf-c: '==4.10.1'}}\n"
         "  outcome: slow\n  measured: {{cell: ncdump-zarr--entries-v3-stored-entries32768, seconds: 84, outcome: {outcome},"
         " date: '2026-12-07', versions: {{netcdf-c: 4.10.1}}{extra}}}\n"
         "  reason: a walk of every key before the format check\n  link: https://example.org\n")


def write(tmp_path, outcome: str, extra: str = ""):
    path = tmp_path / "matrix.yaml"
    path.write_text(ENTRY.format(outcome=outcome, extra=extra), encoding="utf-8")
    return path


def test_a_late_refusal_is_measured_with_what_it_said(tmp_path):
    entries = expectations.load(write(tmp_path, "error", ", message: 'NetCDF: Unknown file format'"))
    expected = expectations.expectation_for("ncdump-nczarr--entries-v3-stored-entries65536", entries, {"netcdf-c": "4.10.1"})
    assert expected.outcome == "slow" and expected.measured["outcome"] == "error"
    reader = all_readers()["ncdump-nczarr"]
    limit = time_limit(60, {"zip": {"entries": 65536}})
    result = slow_result(reader, "entries-v3-stored-entries65536", expected.measured, limit)
    assert result.outcome == "slow"
    assert result.message.startswith(f"answers error but takes 84 s alone, more than half the {limit:g} s cell limit, "
                                     "so a run's load would decide between error and timeout: measured on "
                                     "ncdump-zarr--entries-v3-stored-entries32768 (the same reader on the same dataset)")
    assert "(NetCDF: Unknown file format)" in result.message and "compat_tests measure ncdump-zarr--" in result.message


def test_a_slow_correct_read_still_says_so(tmp_path):
    entries = expectations.load(write(tmp_path, "pass"))
    expected = expectations.expectation_for("ncdump-zarr--entries-v3-stored-entries32768", entries, {"netcdf-c": "4.10.1"})
    result = slow_result(all_readers()["ncdump-zarr"], "entries-v3-stored-entries32768", expected.measured, 60)
    assert result.message.startswith("reads correctly (pass) but takes 84 s alone, more than the 60 s cell limit: "
                                     "measured on ncdump-zarr--entries-v3-stored-entries32768, 2026-12-07")


@pytest.mark.parametrize("outcome", ["timeout", "crash", "wrong-data"])
def test_a_measurement_is_an_answer(tmp_path, outcome):
    """No answer (a timeout even with time to spare), or a wrong one, is no slow path: the cell is run and judged."""
    with pytest.raises(expectations.MatrixFileError, match="measured/outcome"):
        expectations.load(write(tmp_path, outcome))


def test_the_cell_limit_grows_with_the_archives_entries():
    assert time_limit(60, {"zip": {"entries": 32768}}) > time_limit(60, {}) == 60
