"""A maintainer's run against the released column: each cell as released, NEWLY FAILING (the exit status says so),
fixed or newly passing (with its matrix.yaml entry), changed, new, not tested; JUnit XML, pytest's report log and a
Markdown summary for a CI (compat_tests/released.py, compat_tests/reports/maintainer.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from zipstore_compat.compat_tests import released
from zipstore_compat.compat_tests.reports.maintainer import summary_markdown, terminal_lines

ROOT = Path(__file__).resolve().parent.parent


def _cell(reader: str, fixture: str, outcome: str, lane: str = "default", entry: int | None = None, message: str = "") -> dict:
    family = reader.partition("@")[0]
    return {"cell": f"{reader}--{fixture}", "reader": reader, "fixture": fixture, "outcome": outcome, "family": family, "lane": lane,
            "library": "zarr-python 3", "version": reader.partition("@")[2] or "3.4.2", "versions": {"zarr": "3.4.2"}, "option": None,
            "expected": "pass", "expectation_entry": entry, "message": message or f"{outcome} message", "repro": f"./run python -m compat_tests repro {reader}--{fixture}"}


RUN = {"run": {"started": "2026-12-06T00:00:00Z"}, "cells": [
    _cell("zarr3", "a", "pass"), _cell("zarr3", "b", "error"), _cell("zarr3", "c", "partial"), _cell("zarr3", "d", "wrong-data"),
    _cell("zarr3", "e", "timeout"), _cell("zarr3@3.1.6", "a", "error", lane="versions")]}


def test_the_released_column_is_compact_and_of_the_newest_release():
    column = released.make(RUN, "0.3.0", corpus="0.3.0")
    assert list(column["readers"]) == ["zarr3"], "the versions lane only when named"
    assert column["readers"]["zarr3"]["cells"]["c"] == {"outcome": "partial"} and column["readers"]["zarr3"]["version"] == "3.4.2"
    assert list(released.make(RUN, "0.3.0", readers=["zarr3@3.1.6"])["readers"]) == ["zarr3@3.1.6"]
    merged = released.merge({"released_schema": 1, "readers": {"dask": {"cells": {}}, "zarr3": {"cells": {}}}}, column)
    assert sorted(merged["readers"]) == ["dask", "zarr3"] and merged["readers"]["zarr3"]["cells"]


@pytest.mark.parametrize("fixture,now,kind,newly", [
    ("a", "pass", "as-expected", False),
    ("a", "error", "regression", False),       # a pass that errors: NEWLY FAILING
    ("c", "wrong-data", "regression", False),  # a partial that now returns wrong data
    ("b", "pass", "fixed", True),              # newly passing: its matrix.yaml entry can go
    ("b", "partial", "fixed", False),
    ("b", "unsupported", "fixed", False),
    ("e", "crash", "regression", False),
    ("b", "timeout", "as-expected", False),    # error -> timeout: the same rank is "changed"... unless the class is the same
    ("z", "pass", "new", False),
    ("a", "not-installed", "not-tested", False),
])
def test_each_cell_against_the_released_column(fixture, now, kind, newly):
    column = released.make(RUN, "0.3.0")
    change = released.compare(_cell("zarr3", fixture, now, entry=7), column)
    if (fixture, now) == ("b", "timeout"):   # error and timeout: the same rank, other classes
        kind = "changed"
    assert (change.kind, change.newly_passing) == (kind, newly), change
    assert change.matrix_entry == (7 if newly else None)
    assert change.baseline == "zarr3 (zarr-python 3 3.4.2)"


def test_an_older_release_is_compared_with_the_newest_releases_column():
    column = released.make(RUN, "0.3.0")
    change = released.compare(_cell("zarr3", "a", "error") | {"version": "3.1.6"}, column)
    assert change.kind == "regression" and change.baseline.startswith("zarr3 ")


def test_a_cell_matrix_yaml_says_varies_is_as_released():
    column = released.make(RUN, "0.3.0")
    assert released.compare(_cell("zarr3", "a", "error"), column, allowed_by_matrix=True).kind == "as-expected"


def test_the_summary_names_regressions_wrong_data_and_the_entry_to_remove():
    column = released.make(RUN, "0.3.0")
    cells = [_cell("zarr3", "a", "error"), _cell("zarr3", "b", "pass", entry=0), _cell("zarr3", "d", "wrong-data")]
    for cell in cells:
        cell["released"] = released.compare(cell, column).as_json()
    entries = [{"cells": ["zarr3--b"], "outcome": "error", "reason": "a reason long enough", "link": "https://example.org/issue/1"}]
    text = summary_markdown({"run": {"current_env": "/usr/bin/python3"}, "cells": cells}, column, entries=entries)
    assert text.startswith("## zipstore-compat: FAILED against the released column of zipstore-compat 0.3.0")
    assert "### NEWLY FAILING against the released version (regressions) (1)" in text and "`zarr3--a`" in text
    assert "### WRONG DATA" in text and "`zarr3--d`" in text
    assert "### Newly passing: the matrix.yaml entry to remove" in text and "entry 1: cells zarr3--b (error: https://example.org/issue/1)" in text
    lines = [line for line, _ in terminal_lines([c["released"] for c in cells], column)]
    assert any(line.startswith("NEWLY FAILING  zarr3--a") for line in lines) and any(line.startswith("newly passing  zarr3--b") for line in lines)


def _maintainer_run(tmp_path: Path, corpus: Path, column: dict, *extra: str) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp_path / f"run-{len(list(tmp_path.glob('run-*')))}"
    out.mkdir()
    (out / "released.json").write_text(json.dumps(column), encoding="utf-8")
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(out / "step-summary.md")}
    proc = subprocess.run([sys.executable, "-m", "pytest", "compat_tests", "--use-current-env", "--readers", "h5py", "--corpus", str(corpus),
                           "--released", str(out / "released.json"), "--results", str(out / "results.json"), "--junitxml", str(out / "junit.xml"),
                           "--report-log", str(out / "log.jsonl"), "--summary", str(out / "summary.md"), "-p", "no:cacheprovider",
                           "-p", "no:xdist", "-q", *extra], cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    return proc, out


@pytest.mark.slow
def test_a_maintainer_run_fails_on_a_regression_with_junit_report_log_and_summary(tmp_path, hostile_dir):
    """The project environment's own h5py, run as the interpreter's library (--use-current-env), over two hostile
    archives: it refuses them (unsupported). Against a column that says one of them passed, that cell is NEWLY
    FAILING: a failed test in the JUnit XML and the report log, the summary's first section, exit status 1; against
    the column as it is, everything is as released and the exit status is 0."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for fixture in ("hostile-baseline", "hostile-bad-crc"):
        for suffix in (".zip", ".manifest.json"):
            (corpus / f"{fixture}{suffix}").write_bytes((hostile_dir / f"{fixture}{suffix}").read_bytes())
    column = {"released_schema": 1, "suite": "0.3.0", "readers": {"h5py": {"family": "h5py", "lane": "default", "library": "h5py",
              "version": "3", "versions": {}, "cells": {"hostile-baseline": {"outcome": "pass"}, "hostile-bad-crc": {"outcome": "unsupported"}}}}}
    proc, out = _maintainer_run(tmp_path, corpus, column)
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-2000:]
    cells = {c["cell"]: c for c in json.loads((out / "results.json").read_text(encoding="utf-8"))["cells"]}
    assert cells["h5py--hostile-baseline"]["released"]["kind"] == "regression"
    assert cells["h5py--hostile-bad-crc"]["released"]["kind"] == "as-expected"
    assert "NEWLY FAILING" in proc.stdout
    failures = [case.get("name") for case in ET.parse(out / "junit.xml").iter("testcase") if case.find("failure") is not None]
    assert failures == ["test_cell[h5py--hostile-baseline]"], failures
    logged = [json.loads(line) for line in (out / "log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["nodeid"] for r in logged if r.get("$report_type") == "TestReport" and r["outcome"] == "failed"] == \
        ["compat_tests/test_matrix.py::test_cell[h5py--hostile-baseline]"]
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("## zipstore-compat: FAILED") and "`h5py--hostile-baseline`" in summary
    assert (out / "step-summary.md").read_text(encoding="utf-8").strip() == summary.strip()

    column["readers"]["h5py"]["cells"]["hostile-baseline"]["outcome"] = "unsupported"
    proc, out = _maintainer_run(tmp_path, corpus, column)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert (out / "summary.md").read_text(encoding="utf-8").startswith("## zipstore-compat: passed")
