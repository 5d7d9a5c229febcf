"""The worker harness: a crash or a hang ends one cell and no more; checks judge honestly."""

from __future__ import annotations

import pytest

from compat_tests.cells import Describer, run_cell
from compat_tests.checks import judge
from compat_tests.readers import READERS

FIXTURE = "synthetic-v3-stored"


def test_crash_and_hang_end_their_cell_and_the_run_goes_on(worker_pool, cell_paths):
    pool, archive = worker_pool, cell_paths(FIXTURE)
    describe = Describer(pool)
    crash = run_cell(READERS["selftest-crash"], FIXTURE, *archive, pool, describe, timeout=30)
    assert crash.outcome == "crash" and "SIGSEGV" in crash.message
    hang = run_cell(READERS["selftest-hang"], FIXTURE, *archive, pool, describe, timeout=3)
    assert hang.outcome == "timeout"
    # the same environment's worker serves the next cell after both
    after = run_cell(READERS["zarr3"], FIXTURE, *archive, pool, describe, timeout=60)
    assert after.outcome == "pass", after.message


def test_wrong_values_are_wrong_data(built_fixtures):
    manifest = built_fixtures[FIXTURE]
    result = {"listed": [a["path"] for a in manifest["arrays"]], "errors": {}, "notes": [], "arrays": {}}
    for expected in manifest["arrays"]:
        result["arrays"][expected["path"]] = {
            "shape": expected["shape"], "dtype_class": expected["dtype_class"], "sha256": expected["sha256"],
            "preview": expected["preview"], "attrs": expected["attributes"], "dims": expected["dimension_names"],
        }
    assert judge(manifest, result).outcome == "pass"
    first = manifest["arrays"][0]["path"]
    result["arrays"][first] = dict(result["arrays"][first], sha256="0" * 64)
    verdict = judge(manifest, result)
    assert verdict.outcome == "wrong-data" and first in verdict.message
    del result["arrays"][first]
    result["arrays"][manifest["arrays"][1]["path"]]["sha256"] = manifest["arrays"][1]["sha256"]
    assert judge(manifest, result).outcome == "partial"


def test_matrix_yaml_is_valid_and_every_pattern_matches_a_cell():
    from compat_tests import expectations
    from compat_tests.cells import all_cell_ids

    entries = expectations.load()
    expectations.check_patterns_match(entries, all_cell_ids())
    for entry in entries:
        assert entry["link"].startswith("https://") and len(entry["reason"]) >= 10


def test_a_dead_pattern_is_an_error():
    from compat_tests import expectations

    with pytest.raises(expectations.MatrixFileError, match="match no cell"):
        expectations.check_patterns_match([{"cells": ["nosuchreader--*"]}], ["zarr3--coads-v3-stored"])


def test_an_expectation_can_hold_for_some_versions_only():
    from compat_tests.expectations import dead_conditions, expectation_for

    entries = [
        {"cells": ["rasterio-gdal--*-v3-*"], "versions": {"gdal": "<3.11"}, "outcome": "error", "reason": "old GDAL", "link": "https://x"},
        {"cells": ["rasterio-gdal--*"], "outcome": "partial", "reason": "any GDAL", "link": "https://y"},
    ]
    cell = "rasterio-gdal--coads-v3-stored"
    assert expectation_for(cell, entries, {"gdal": "3.10.3"}).outcome == "error"
    assert expectation_for(cell, entries, {"gdal": "3.12.2"}).outcome == "partial"  # the condition fails: next entry
    assert expectation_for(cell, entries, None).outcome == "partial"                 # unknown versions meet no condition
    ran = [{"cell": cell, "versions": {"gdal": "3.12.2"}}]
    assert dead_conditions(entries, ran) and "3.12.2" in dead_conditions(entries, ran)[0]
    assert dead_conditions(entries, ran + [{"cell": cell, "versions": {"gdal": "3.10.3"}}]) == []
    assert dead_conditions(entries, [{"cell": "zarr3--coads-v3-stored", "versions": {}}]) == []  # its cells did not run


def test_a_bad_version_condition_is_refused(tmp_path):
    from compat_tests import expectations

    bad = tmp_path / "matrix.yaml"
    bad.write_text("expectations:\n- cells: ['zarr3--*']\n  versions: {zarr: 'three'}\n  outcome: error\n"
                   "  reason: a reason long enough\n  link: https://example.org\n", encoding="utf-8")
    with pytest.raises(expectations.MatrixFileError, match="not a version specifier"):
        expectations.load(bad)
