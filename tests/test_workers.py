"""The worker harness: a crash or a hang ends one cell and no more; checks judge honestly."""

from __future__ import annotations

import pytest

from zipstore_compat.compat_tests.cells import Describer, run_cell
from zipstore_compat.compat_tests.checks import judge
from zipstore_compat.compat_tests.readers import all_readers

FIXTURE = "synthetic-v3-stored"


def test_crash_and_hang_end_their_cell_and_the_run_goes_on(worker_pool, cell_paths):
    pool, archive = worker_pool, cell_paths(FIXTURE)
    describe = Describer(pool)
    crash = run_cell(all_readers()["selftest-crash"], FIXTURE, *archive, pool, describe, timeout=30)
    assert crash.outcome == "crash" and "SIGSEGV" in crash.message
    hang = run_cell(all_readers()["selftest-hang"], FIXTURE, *archive, pool, describe, timeout=3)
    assert hang.outcome == "timeout"
    # the same environment's worker serves the next cell after both
    after = run_cell(all_readers()["zarr3"], FIXTURE, *archive, pool, describe, timeout=60)
    assert after.outcome == "pass", after.message


def test_a_cell_past_its_time_limit_leaves_no_tool_running(cell_paths, tmp_path, monkeypatch):
    """A command-line reader's tool (gdal_translate on a huge array) dies with the worker that started it."""
    import os
    import time

    from zipstore_compat.compat_tests.workers import WorkerPool

    pid_file = tmp_path / "tool.pid"
    monkeypatch.setenv("ZIPCOMPAT_SELFTEST_PID_FILE", str(pid_file))
    pool, archive = WorkerPool(), cell_paths(FIXTURE)   # a pool of its own: its worker starts with the variable set
    try:
        hang = run_cell(all_readers()["selftest-tool-hang"], FIXTURE, *archive, pool, Describer(pool), timeout=3)
    finally:
        pool.close()
    assert hang.outcome == "timeout", hang.message
    tool = int(pid_file.read_text())
    for _ in range(50):   # the kill is asynchronous: a moment for the kernel to reap it
        try:
            os.kill(tool, 0)
        except ProcessLookupError:
            break
        with open(f"/proc/{tool}/stat") as stat:
            if stat.read().split()[2] == "Z":   # a zombie waiting for its parent is gone too
                break
        time.sleep(0.1)
    else:
        raise AssertionError(f"the tool (pid {tool}) still runs after its cell ended")


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
    from zipstore_compat.compat_tests import expectations
    from zipstore_compat.compat_tests.cells import all_cell_ids

    entries = expectations.load()
    expectations.check_patterns_match(entries, all_cell_ids())
    for entry in entries:
        assert entry["link"].startswith("https://") and len(entry["reason"]) >= 10


def test_a_dead_pattern_is_an_error():
    from zipstore_compat.compat_tests import expectations

    with pytest.raises(expectations.MatrixFileError, match="match no cell"):
        expectations.check_patterns_match([{"cells": ["nosuchreader--*"]}], ["zarr3--coads-v3-stored"])


def test_an_expectation_can_hold_for_some_versions_only():
    from zipstore_compat.compat_tests.expectations import dead_conditions, expectation_for

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
    from zipstore_compat.compat_tests import expectations

    bad = tmp_path / "matrix.yaml"
    bad.write_text("expectations:\n- cells: ['zarr3--*']\n  versions: {zarr: 'three'}\n  outcome: error\n"
                   "  reason: a reason long enough\n  link: https://example.org\n", encoding="utf-8")
    with pytest.raises(expectations.MatrixFileError, match="not a version specifier"):
        expectations.load(bad)


def test_since_comes_from_the_cells_of_every_tested_release():
    from zipstore_compat.compat_tests.reports.since import since

    def cell(version, outcome, fixture="coads-v3-stored"):
        return {"cell": f"rasterio-gdal@{version}--{fixture}", "reader": f"rasterio-gdal@{version}", "family": "rasterio-gdal",
                "fixture": fixture, "outcome": outcome, "version": version}

    rows = since([cell("3.10.3", "error"), cell("3.12.2", "pass"), cell("3.6.2", "error"),
                  cell("3.10.3", "pass", "coads-v2-stored"), cell("3.12.2", "pass", "coads-v2-stored"),
                  {"cell": "h5py--coads-v3-stored", "reader": "h5py", "family": "h5py", "fixture": "coads-v3-stored",
                   "outcome": "unsupported", "version": "3.16.0"}])
    by = {(r["family"], r["fixture"]): r for r in rows}
    v3 = by[("rasterio-gdal", "coads-v3-stored")]
    assert (v3["first_pass"], v3["last_fail"]) == ("3.12.2", "3.10.3")
    assert v3["text"].startswith("since 3.12.2 (fails on 3.10.3; tested 3.6.2, 3.10.3, 3.12.2)")
    assert by[("rasterio-gdal", "coads-v2-stored")]["text"].startswith("reads in every tested release")
    assert ("h5py", "coads-v3-stored") not in by  # one release: no "since"


def test_a_non_deterministic_cell_names_every_outcome_its_cause_gives():
    from zipstore_compat.compat_tests.expectations import allows, expectation_for

    entries = [{"cells": ["fsspec-zip--*-zip64"], "outcome": "partial", "also": ["pass", "error"],
                "reason": "a race between threads", "link": "https://x"}]
    expected = expectation_for("fsspec-zip--coads-v3-stored-zipcli-zip64", entries)
    assert [allows(expected, o) for o in ("partial", "pass", "error", "wrong-data")] == [True, True, True, False]
    assert not allows(expectation_for("zarr3--coads-v3-stored", entries), "error")


def test_a_declared_race_is_tried_again_with_the_setting_that_takes_it_away(worker_pool, cell_paths):
    """A failure with the reader's declared race signature is tried again with its race_free setting: the outcome is
    the archive's (a pass here), and the notes say that the race hit and what the next try changed."""
    pool, archive = worker_pool, cell_paths("coads-v3-stored")
    cell = run_cell(all_readers()["selftest-race"], "coads-v3-stored", *archive, pool, Describer(pool), timeout=60)
    assert cell.outcome == "pass" and cell.race_hits == 1, (cell.outcome, cell.message, cell.notes)
    hit = next(n for n in cell.notes if n.startswith("race hit on try 1"))
    assert "'Bad CRC-32 (selftest)'" in hit and "tried again with zarr.config async.concurrency=1" in hit
    assert "try 2: no race (ok)" in cell.notes


def test_a_bracketed_race_signature_names_a_whole_error():
    """zipfile's bare EOFError (another thread left the shared file at its end) is fsspec-zip's declared "[EOFError: ]":
    found inside an ExceptionGroup's text and as an array's whole error (fresh clone 4 of 883f141: "airt: EOFError: "
    went untried, and the cell was partial), never in an EOFError that has a message of its own."""
    from zipstore_compat.compat_tests.cells import race_signature

    fsspec = all_readers()["fsspec-zip"]
    bare = {"arrays": {"airt": {"error": "EOFError: "}, "sst": {"values": "..."}}}
    grouped = {"errors": {"airt": "ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception) [EOFError: ]"}}
    worded = {"arrays": {"airt": {"error": "EOFError: Compressed file ended before the end-of-stream marker was reached"}}}
    assert race_signature(fsspec, "ok", bare)[0] == "[EOFError: ]"
    assert race_signature(fsspec, "ok", grouped)[0] == "[EOFError: ]"
    assert race_signature(fsspec, "ok", worded) is None
    assert race_signature(fsspec, "error", "BadZipFile: Bad CRC-32 for file 'time/c/0'")[0] == "Bad CRC-32"


def test_a_race_free_setting_needs_the_races_it_takes_away():
    from pathlib import Path

    from zipstore_compat.compat_tests.readers import DeclarationError, reader_from

    adapter = Path(__file__).resolve().parent.parent / "compat_tests" / "adapters" / "zarr3.py"
    base = {"id": "racy", "env": "zarr3", "library": "zarr", "call": "x"}
    free = {"label": "async.concurrency=1", "doc": "https://zarr.readthedocs.io/en/stable/user-guide/config/", "options": {"a": 1}}
    with pytest.raises(DeclarationError, match="race_free must be"):
        reader_from(adapter, dict(base, race_free=free))   # no races declared beside it
    racy = reader_from(adapter, dict(base, races=[{"signature": "Bad CRC-32", "link": "https://x"}], race_free=free))
    assert racy.race_free == ("async.concurrency=1", free["doc"], (("a", 1),))
