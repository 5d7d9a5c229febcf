"""The determinism check: which cells changed outcome class between runs, over runs it makes or results it is given."""

from __future__ import annotations

import json
from pathlib import Path

from zipstore_compat.compat_tests import determinism
from zipstore_compat.core.outcomes import MEMORY_CAP_MARK


def _cell(name: str, outcome: str, message: str = "") -> dict:
    return {"cell": name, "reader": name.split("--")[0], "fixture": name.split("--")[1], "outcome": outcome, "message": message}


def _results(tmp_path: Path, name: str, cells: list[dict]) -> Path:
    path = tmp_path / name / "results.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"results_schema": 1, "run": {}, "cells": cells}), encoding="utf-8")
    return path


def test_a_changed_class_is_listed_and_the_two_limits_are_one_class():
    runs = [{"cells": [_cell("a--x", "error"), _cell("b--x", "timeout"), _cell("c--x", "pass")]},
            {"cells": [_cell("a--x", "wrong-data"), _cell("b--x", "crash", f"{MEMORY_CAP_MARK} 4096 MiB"), _cell("c--x", "pass")]}]
    assert determinism.changes(runs) == [("a--x", ["error", "wrong-data"])]


def test_a_crash_that_is_not_the_memory_cap_is_not_a_limit():
    runs = [{"cells": [_cell("b--x", "timeout")]}, {"cells": [_cell("b--x", "crash", "Segmentation fault")]}]
    assert determinism.changes(runs) == [("b--x", ["timeout", "crash"])]


def test_compare_writes_the_table_and_exits_1_on_a_change(tmp_path, capsys):
    first = _results(tmp_path, "one", [_cell("a--x", "pass"), _cell("b--x", "error")])
    second = _results(tmp_path, "two", [_cell("a--x", "partial"), _cell("b--x", "error")])
    assert determinism.main(["--compare", str(first), str(second), "--out", str(tmp_path / "out")]) == 1
    report = (tmp_path / "out" / "determinism.md").read_text(encoding="utf-8")
    assert "| `a--x` | pass | partial |" in report and "b--x" not in report
    assert json.loads((tmp_path / "out" / "determinism.json").read_text())["changed"] == [{"cell": "a--x", "outcomes": ["pass", "partial"]}]


def test_compare_of_agreeing_runs_exits_0(tmp_path):
    runs = [_results(tmp_path, name, [_cell("a--x", "timeout")]) for name in ("one", "two", "three")]
    assert determinism.main(["--compare", *map(str, runs), "--out", str(tmp_path / "out")]) == 0
    assert "Every cell has the same outcome class in every run." in (tmp_path / "out" / "determinism.md").read_text()


def test_compare_of_a_missing_file_is_one_line_and_status_2(tmp_path, capsys):
    present = _results(tmp_path, "one", [_cell("a--x", "pass")])
    assert determinism.main(["--compare", str(tmp_path / "nosuch.json"), str(present), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0


def test_a_record_keeps_each_cells_class_is_the_same_bytes_and_compares_with_results(tmp_path, capsys):
    """--record: the run's cells, outcomes and classes, its commit, exit status and minutes, in a small gzip file that
    is the same bytes for the same run; --compare takes it beside a results.json."""
    first = _results(tmp_path, "one", [_cell("a--x", "timeout"), _cell("b--x", "pass"), _cell("c--x", "error")])
    out = tmp_path / "runs" / "run-1.classes.json.gz"
    assert determinism.main(["--record", str(first), "--out", str(out), "--commit", "abc1234", "--exit-status", "0", "--minutes", "30.5"]) == 0
    again = tmp_path / "again.classes.json.gz"
    determinism.main(["--record", str(first), "--out", str(again), "--commit", "abc1234", "--exit-status", "0", "--minutes", "30.5"])
    assert out.read_bytes() == again.read_bytes()
    kept = determinism.load_run(out)
    assert kept["commit"] == "abc1234" and kept["exit_status"] == 0 and kept["minutes"] == 30.5
    assert [(c["cell"], c["class"]) for c in kept["cells"]] == [("a--x", "limit"), ("b--x", "pass"), ("c--x", "error")]
    second = _results(tmp_path, "two", [_cell("a--x", "crash", f"{MEMORY_CAP_MARK} 4096 MiB"), _cell("b--x", "pass"),
                                         _cell("c--x", "partial")])
    assert determinism.main(["--compare", str(out), str(second), "--out", str(tmp_path / "out")]) == 1
    report = (tmp_path / "out" / "determinism.md").read_text(encoding="utf-8")
    assert "| `c--x` | error | partial |" in report and "a--x" not in report   # a limit is a limit, whichever came first
    assert "exit statuses: 0, ?" in report and "commits: abc1234, ?" in report


def test_a_record_needs_its_suffix_and_a_bad_record_is_one_line(tmp_path, capsys):
    first = _results(tmp_path, "one", [_cell("a--x", "pass")])
    bad = tmp_path / "bad.classes.json.gz"
    bad.write_bytes(b"not gzip")
    assert determinism.main(["--compare", str(bad), str(first), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0
    import pytest

    with pytest.raises(SystemExit):
        determinism.main(["--record", str(first), "--out", str(tmp_path / "x.json")])
