"""report-bug: failure signatures, script templates and their judging, bad input, and real cells end to end."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from compat_tests.tools.bugreport import script as scripts
from compat_tests.tools.bugreport.command import ReportError, make_report, script_outcome_for
from compat_tests.tools.bugreport.shrink import Signature, failed_array, failure_kind, signature
from compat_tests.readers import matrix_readers

ROOT = Path(__file__).resolve().parent.parent


# ---- failure signatures ----

def test_failure_kinds_name_the_exception_or_the_check():
    assert failure_kind("GroupNotFoundError: No group found in store 'x' at path ''") == "GroupNotFoundError"
    assert failure_kind("zarr.errors.ArrayNotFoundError: nope") == "ArrayNotFoundError"
    assert failure_kind("values differ (got [1], expected [2]; NaNs 0 vs 0)") == "values differ"
    assert failure_kind("dtype float32 instead of float16 (same values)") == "dtype"
    assert failure_kind("time: ArrayNotFoundError: No array found in store") == "ArrayNotFoundError"   # a partial cell's default
    assert failure_kind("sst: values differ (got [1])") == "values differ"
    assert failure_kind("no answer within 60 s; worker killed") == "no answer within 60 s; worker killed"


def test_signature_is_about_one_array_and_keeps_the_option():
    record = {"outcome": "partial", "option": "mask_and_scale=False",
              "message": "passes only with mask_and_scale=False; by default: wrong-data: sst: values differ",
              "details": ["sst: values differ (got [nan], expected [-1e34])", "airt: KeyError: 'airt'", "not listed: sst, train/x"]}
    assert failed_array(record, ["time", "sst", "airt"]) == "sst"
    assert signature(record, "sst", "partial") == Signature("partial", "mask_and_scale=False", frozenset({"values differ", "not listed"}))
    assert signature(record, "airt", "partial").kinds == {"KeyError"}
    whole = {"outcome": "error", "option": None, "message": "OSError: Unable to open file (file signature not found)", "details": []}
    assert signature(whole, None, "unsupported") == Signature("unsupported", None, frozenset({"OSError"}))


def test_what_the_script_must_show():
    assert script_outcome_for(Signature("unsupported", None, frozenset({"OSError"})), {}) == "error"
    assert script_outcome_for(Signature("partial", "x", frozenset({"values differ"})), {"message": "by default: wrong-data: ..."}) == "wrong-data"
    assert script_outcome_for(Signature("partial", None, frozenset({"attributes"})), {}) == "partial"
    assert script_outcome_for(Signature("timeout", None, frozenset({"no answer within 60 s"})), {}) == "timeout"
    assert script_outcome_for(Signature("silent-missing", None, frozenset({"not listed"})), {}) == "error"


# ---- templates ----

def test_every_matrix_reader_has_a_template_that_names_its_packages():
    for reader_id in matrix_readers():
        if reader_id in scripts.NO_SCRIPT_YET:  # a language without a template folder: report-bug says so, plainly
            with pytest.raises(scripts.ScriptError, match="no bug-report script"):
                scripts.spec_for(reader_id)
            assert not scripts.has_script(reader_id)
            continue
        spec = scripts.spec_for(reader_id)
        assert scripts.template_path(spec).exists(), reader_id
        assert scripts.packages(spec), reader_id


@pytest.mark.parametrize("reader_id", sorted(set(matrix_readers()) - set(scripts.NO_SCRIPT_YET)))
def test_assembled_scripts_compile_and_stay_short(reader_id, tmp_path):
    archive = tmp_path / "tiny.zip"
    archive.write_bytes(b"PK\x05\x06" + bytes(18))
    text = scripts.assemble(reader_id, "title", "pip install x==1", archive=archive, embed=True, array="g/a",
                            expected=scripts.array_literal(np.arange(6, dtype="<f4").reshape(2, 3), "<f4"),
                            attrs={"units": "K"}, dims=["y", "x"], extra={"ZARR_FORMAT": 3, "STORE_PREFIX": ""})
    compile(text, reader_id, "exec")
    assert "# set by report-bug" not in text and "# packages:" not in text
    assert "compat_tests" not in text and "fixtures" not in text  # the library's own API only
    assert scripts.code_lines(text) <= 48, text  # about 40: the README gives the median of real reports


def test_a_script_on_another_projects_archive_downloads_it_by_address_and_checks_its_sha256(tmp_path):
    archive = tmp_path / "owner__project__x.zip"
    archive.write_bytes(b"PK\x05\x06" + bytes(18))
    text = scripts.assemble("zarr3", "title", "pip install x==1", archive=archive, embed=False, array="a",
                            expected=scripts.array_literal(np.arange(3, dtype="<i2"), "<i2"), attrs={}, dims=None,
                            extra={"ZARR_FORMAT": 2, "STORE_PREFIX": ""}, download=("https://example.org/x.zip", "ab" * 32))
    compile(text, "zarr3", "exec")
    assert "ARCHIVE_URL = 'https://example.org/x.zip'" in text and f"ARCHIVE_SHA256 = '{'ab' * 32}'" in text
    assert "ARCHIVE_FILE = 'owner__project__x.zip'" in text and "ARCHIVE_B64" not in text
    assert scripts.code_lines(text) <= 48, text


# ---- shrinking, driven from outside (the survey runs many cells in lockstep) ----

def _mini():
    from compat_tests.tools.bugreport.tiny import MiniArray, MiniDataset
    from fixtures.variants import BASELINE

    record = {"dtype": "<f8", "chunks": [4, 4], "attrs": {"units": "K"}, "dims": ["y", "x"], "fill_value": None}
    arrays = (MiniArray("g/big", np.zeros((16, 16)), dict(record)), MiniArray("g/small", np.ones((8, 8)), dict(record)))
    return MiniDataset("synthetic", "synthetic", {"": {}, "g": {"title": "t"}}, arrays, BASELINE)


def test_the_shrinker_follows_the_greedy_plan_and_keeps_what_reproduced(tmp_path):
    from compat_tests.tools.bugreport.shrink import Shrinker

    target = Signature("error", None, frozenset({"KeyError"}))
    shrinker = Shrinker(_mini(), "g/small", target)
    archive = tmp_path / "a.zip"
    import zipfile
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("zarr.json", "{}")
    names = []
    while shrinker.pending is not None:
        t = shrinker.pending
        names.append(t.name)
        keep = t.name != "no dimension names"  # the failure goes away without dimension names
        shrinker.tell(archive, archive, target if keep else Signature("pass", None, frozenset()), "msg", seconds=0.1)
    assert names[0] == "only the array g/small" and "no dimension names" in names
    r = shrinker.result
    assert [a.path for a in r.mini.arrays] == ["small"] and r.focus == "small"   # at_root renamed it
    assert r.mini.arrays[0].record["dims"] == ["y", "x"] and r.mini.arrays[0].record["attrs"] == {}
    assert r.mini.arrays[0].shape == [2, 2] and r.mini.arrays[0].record["chunks"] == [2, 2]   # one chunk of at most 2
    assert [s.kept for s in r.steps].count(False) == 1 and shrinker.stopped is None


def test_the_shrinker_stops_at_its_time_bound(tmp_path):
    from compat_tests.tools.bugreport.shrink import Shrinker

    target = Signature("timeout", None, frozenset({"no answer within 60 s"}))
    shrinker = Shrinker(_mini(), "g/small", target, budget=100)
    archive = tmp_path / "a.zip"
    archive.write_bytes(b"PK\x05\x06" + bytes(18))
    shrinker.tell(archive, archive, target, seconds=60)
    assert shrinker.pending is not None
    shrinker.tell(archive, archive, target, seconds=60)
    assert shrinker.pending is None and "bound" in shrinker.stopped and shrinker.result.mini is not None


def test_cells_that_cannot_be_reported_are_classified_without_running():
    from compat_tests.tools.bugreport.command import not_reportable
    from compat_tests.tools.bugreport.survey import group_of

    hostile = {"cell": "zarr3--hostile-bad-crc", "fixture": "hostile-bad-crc", "outcome": "wrong-data"}
    assert not_reportable(hostile) is None   # reported as it is, unless the failure is a refusal (known only from its manifest)
    assert "refuse" in group_of(hostile, "the failure is about `target`, which a correct reader may or must refuse (...)")
    broken = {"cell": "zarr3--coads-v3-stored", "fixture": "coads-v3-stored", "outcome": "fixture-error", "message": "x"}
    assert "not a library's bug" in not_reportable(broken) and group_of(broken, "") == "fixture-error: not a library's bug"
    from fixtures.catalogue import catalogue

    ext = next(iter(catalogue()))
    assert not_reportable({"cell": f"zarr3--{ext}", "fixture": ext, "outcome": "error"}) is None   # reported with the upstream archive
    assert not_reportable({"cell": "zarr3--coads-v3-stored", "fixture": "coads-v3-stored", "outcome": "error"}) is None


@pytest.mark.parametrize("values,dtype", [
    (np.array([np.nan, np.inf, -np.inf, -0.0, 1.5], dtype="<f4"), "<f4"),
    (np.array([[1, -2], [3, 4]], dtype=">i4"), ">i4"),
    (np.array([True, False]), "|b1"),
    (np.array([1 + 2j, complex(np.nan, 1)], dtype="<c16"), "<c16"),
    (np.array(["2020-01-01", "NaT"], dtype="datetime64[s]"), "<M8[s]"),
    (np.array(["température", ""], dtype=object), "string"),
    (np.array([b"ab", b"c"], dtype="S2"), "|S2"),
])
def test_expected_values_are_rebuilt_from_their_literal(values, dtype):
    rebuilt = eval(scripts.array_literal(values, dtype), {"np": np})
    assert rebuilt.shape == values.shape and rebuilt.dtype.kind == values.dtype.kind
    if values.dtype.kind in "OSM":
        assert rebuilt.astype(str).tolist() == values.astype(str).tolist()
    else:
        assert np.array_equal(rebuilt, values, equal_nan=True)


@pytest.mark.parametrize("body,outcome", [
    ("return ['a'], EXPECTED.copy(), dict(ATTRS), DIMS", "pass"),
    ("return ['a'], EXPECTED + 1, dict(ATTRS), DIMS", "wrong-data"),
    ("return ['a'], EXPECTED.astype('<f8'), dict(ATTRS), DIMS", "partial"),
    ("return [], EXPECTED.copy(), dict(ATTRS), DIMS", "partial"),
    ("return ['a'], EXPECTED.copy(), {}, DIMS", "partial"),
    ("return ['a'], EXPECTED.copy(), None, None", "pass"),
    ("raise KeyError('a')", "error"),
])
def test_the_epilogue_judges_what_the_library_returned(body, outcome, tmp_path, monkeypatch):
    """The real prologue and epilogue around a stand-in body: the outcome line the checker reads."""
    templates = tmp_path / "templates" / "python"
    templates.mkdir(parents=True)
    for part in ("_prologue.py", "_epilogue.py"):
        shutil.copyfile(scripts.TEMPLATES / "python" / part, templates / part)
    (templates / "standin.py").write_text(f"# packages: numpy\n\n\ndef read(path):\n    {body}\n", encoding="utf-8")
    monkeypatch.setattr(scripts, "TEMPLATES", tmp_path / "templates")
    monkeypatch.setitem(scripts.SCRIPTS, "standin", scripts.ScriptSpec("standin"))
    archive = tmp_path / "tiny.zip"
    archive.write_bytes(b"not read by the stand-in")
    text = scripts.assemble("standin", "t", "pip install numpy", archive=archive, embed=False, array="a",
                            expected=scripts.array_literal(np.array([1.0, np.nan], dtype="<f4"), "<f4"),
                            attrs={"units": "K"}, dims=["x"], extra={})
    script = tmp_path / "reproduce.py"
    script.write_text(text, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    from compat_tests.tools.bugreport.check import script_outcome

    assert script_outcome(proc.stdout, proc.returncode) == outcome, proc.stdout + proc.stderr


# ---- bad input: one line, never a traceback ----

def _results(tmp_path: Path, cells: list[dict]) -> Path:
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"results_schema": 1, "run": {}, "cells": cells}), encoding="utf-8")
    return path


@pytest.mark.parametrize("cell,record,message", [
    ("garbage", None, "not a cell id"),
    ("nosuch--coads-v3-stored", None, "unknown reader"),
    ("zarr3--coads-v3-stored", None, "has no result in"),
    ("zarr3--coads-v3-stored", {"outcome": "pass"}, "passes"),
    ("zarr3--coads-v3-stored", {"outcome": "fixture-error", "message": "not built"}, "not a library's bug"),
])
def test_bad_input_is_one_clear_line(cell, record, message, tmp_path):
    results = _results(tmp_path, [dict(record, cell=cell, details=[]) ] if record else [])
    with pytest.raises(ReportError, match=message):
        make_report(cell, tmp_path / "out", results)
    proc = subprocess.run([sys.executable, "-m", "compat_tests", "report-bug", cell, "--results", str(results)],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_a_missing_results_file_is_one_clear_line(tmp_path):
    with pytest.raises(ReportError, match="no results file"):
        make_report("zarr3--coads-v3-stored", tmp_path / "out", tmp_path / "absent.json")


# ---- real cells, end to end: the matrix's outcome, a tiny archive, and the script alone in a fresh environment ----

@pytest.mark.slow
@pytest.mark.network
@pytest.mark.parametrize("cell,outcome", [
    ("fsspec-zip--synthetic-v3-stored-zipcli", "partial"),           # a UTF-8 name without the ZIP UTF-8 flag
    ("gdal-multidim--coads-v3-stored", "error"),                     # GDAL 3.6 and the final Zarr 3
    ("tensorstore-zarr--synthetic-v2-stored-zarr2", "wrong-data"),   # the only wrong-data cell of the default matrix
    ("h5py--coads-v3-stored", "unsupported"),                        # the negative control
])
def test_a_report_reproduces_the_cell_with_the_library_alone(cell, outcome, tmp_path, worker_pool):
    from compat_tests.cells import Describer, run_cell
    from compat_tests.checks import reconcile
    from compat_tests.expectations import expectation_for, load
    from compat_tests.tools.repro import fixture_files, parse_cell

    reader, fixture_id = parse_cell(cell)
    archive, manifest = fixture_files(fixture_id)
    record = run_cell(reader, fixture_id, archive, manifest, worker_pool, Describer(worker_pool)).to_json()
    expected = expectation_for(cell, load())
    record["outcome"] = reconcile(record["outcome"], expected.outcome)
    assert record["outcome"] == outcome, record["message"]
    report = make_report(cell, tmp_path / "report", _results(tmp_path, [record]), run_check=True)
    assert report["shrank"] and report["archive_bytes"] < report["original_bytes"], report["steps"]
    assert all(step["signature"] for step in report["steps"]) and any(step["kept"] for step in report["steps"])
    assert report["same_outcome_standalone"], report["check"]
    script = (tmp_path / "report" / "reproduce.py").read_text(encoding="utf-8")
    assert "compat_tests" not in script and "fixtures" not in script
    issue = (tmp_path / "report" / "ISSUE.md").read_text(encoding="utf-8")
    assert expected.link in issue and report["install"] in issue and script.strip() in issue
    assert report["versions"] and all(f"- {name} {version}" in issue for name, version in report["versions"].items() if name != "build")


def test_the_reference_worker_gives_one_arrays_values_for_a_report(tmp_path):
    from compat_tests.workers import WorkerPool
    from fixtures.hostile import INTACT, place_hostile

    place_hostile(tmp_path, ["hostile-bad-crc"])
    pool = WorkerPool()
    try:
        worker = pool.reference()
        ok = worker.request({"command": "values", "archive": str(tmp_path / "hostile-bad-crc.zip"), "array": "intact", "out": str(tmp_path / "v.npy")})
        missing = worker.request({"command": "values", "archive": str(tmp_path / "hostile-bad-crc.zip"), "array": "nope", "out": str(tmp_path / "w.npy")})
    finally:
        pool.close()
    assert ok.status == "ok" and np.array_equal(np.load(tmp_path / "v.npy"), INTACT)
    assert missing.status == "error" and "nope" in missing.error
