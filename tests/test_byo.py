"""Your own archives (--archive): never a traceback, every reader runs, no expectations; a killed run loses nothing."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from zipstore_compat.compat_tests.reports import results

ROOT = Path(__file__).resolve().parent.parent


def _matrix(tmp: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zipstore_compat.compat_tests", "run", "--results", str(tmp / "results.json"), "-p", "no:xdist", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_not_a_zip_is_one_line_and_exit_status_2(tmp_path):
    empty = tmp_path / "empty.zip"
    empty.write_bytes(b"")
    text = tmp_path / "notes.zip"
    text.write_text("hello, not a zip\n")
    for path in (empty, text, tmp_path / "missing.zip"):
        proc = _matrix(tmp_path, "--archive", str(path), "--readers", "zarr3")
        assert proc.returncode == 2, proc.stdout[-1500:] + proc.stderr[-1500:]
        assert "Traceback" not in proc.stdout + proc.stderr
        lines = [line for line in proc.stderr.splitlines() if str(path) in line]
        assert len(lines) == 1, proc.stderr


def test_several_archives_one_bad_equal_names_unjudged_and_repro(tmp_path, hostile_dir):
    for folder, fixture in (("a", "hostile-baseline"), ("b", "hostile-meta-root-not-json")):
        (tmp_path / folder).mkdir()
        shutil.copyfile(hostile_dir / f"{fixture}.zip", tmp_path / folder / "x-v3-consolidated.zip")  # a name matrix.yaml patterns match
    (tmp_path / "bad.zip").write_bytes(b"")
    proc = _matrix(tmp_path, "--archive", str(tmp_path / "a" / "x-v3-consolidated.zip"), "--archive", str(tmp_path / "bad.zip"),
                   "--archive", str(tmp_path / "b" / "x-v3-consolidated.zip"), "--readers", "zarr3,tensorstore-zarr")
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out and "UNEXPECTED" not in out, out[-3000:]
    assert proc.returncode == 2 and sum(str(tmp_path / "bad.zip") in line for line in proc.stderr.splitlines()) == 1
    cells = {c["cell"]: c for c in results.load(tmp_path / "results.json")["cells"]}
    assert set(cells) == {f"{r}--byo-x-v3-consolidated{s}" for r in ("zarr3", "tensorstore-zarr") for s in ("", "-2")}
    for cell in cells.values():
        assert cell["expected"] is None and cell["as_expected"], cell  # no expectations from matrix.yaml
    assert cells["zarr3--byo-x-v3-consolidated"]["outcome"] == "pass"
    unjudged = cells["zarr3--byo-x-v3-consolidated-2"]
    assert unjudged["outcome"] == "unjudged" and "reference could not read" in unjudged["message"], unjudged
    # the printed repro command works
    repro = unjudged["repro"].split()
    assert repro[:4] == ["./run", "python", "-m", "compat_tests"] and "--archive" in repro
    import tempfile

    scratch = set(Path(tempfile.gettempdir()).glob("zipcompat-repro-byo-*"))
    proc = subprocess.run([sys.executable, *repro[2:], "--out", str(tmp_path / "bundle")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "bundle" / "zipstore_compat.repro.py").exists() and (tmp_path / "bundle" / "byo-x-v3-consolidated-2.zip").exists()
    assert set(Path(tempfile.gettempdir()).glob("zipcompat-repro-byo-*")) == scratch  # nothing left behind


def test_a_deflate_bomb_does_not_reach_the_orchestrator(tmp_path, hostile_dir):
    bomb = hostile_dir / "hostile-deflate-bomb.zip"
    proc = _matrix(tmp_path, "--archive", str(bomb), "--readers", "zarr3")
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout[-2000:]
    data = results.load(tmp_path / "results.json")
    assert data["run"]["orchestrator_peak_rss_mib"]["main"] < 500, data["run"]["orchestrator_peak_rss_mib"]
    assert data["cells"][0]["outcome"] not in ("fixture-error",), data["cells"][0]


def test_a_killed_run_loses_no_finished_cell(tmp_path, hostile_dir):
    fixtures = "hostile-baseline,hostile-bad-crc"
    args = [sys.executable, "-m", "zipstore_compat.compat_tests", "run", "--no-build", "--fixtures-dir", str(hostile_dir), "--fixture-ids", fixtures,
            "--readers", "zarr3,selftest-hang", "--cell-timeout", "300", "--results", str(tmp_path / "results.json"), "-p", "no:xdist"]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    lines = tmp_path / "results.jsonl"
    try:
        deadline = time.time() + 240
        while time.time() < deadline:
            if lines.exists() and len(lines.read_text(encoding="utf-8").splitlines()) >= 3:  # run line + 2 cells
                break
            time.sleep(0.5)
        time.sleep(1)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its workers, as kill -9 of a terminal's job would
        proc.wait()
    assert not (tmp_path / "results.json").exists()
    render = subprocess.run([sys.executable, "-m", "zipstore_compat.compat_tests", "report", "render", str(lines), "--out", str(tmp_path / "r")],
                            cwd=ROOT, capture_output=True, text=True)
    assert render.returncode == 0, render.stderr
    table = (tmp_path / "r" / "matrix.md").read_text(encoding="utf-8")
    data = results.load(lines)
    assert {c["cell"] for c in data["cells"]} == {"zarr3--hostile-baseline", "zarr3--hostile-bad-crc"}
    assert "hostile-baseline" in table and "hostile-bad-crc" in table
    assert json.loads(lines.read_text(encoding="utf-8").splitlines()[0])["run"]["started"]


def test_a_pre_release_zarr3_layout_gets_a_reason_not_an_empty_stopiteration(tmp_path):
    import zipfile

    from zipstore_compat.fixtures.external import reference_manifest

    archive = tmp_path / "early.zip"
    meta = {"zarr_format": 3, "node_type": "array", "shape": [4], "data_type": "int32",
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [4]}},
            "chunk_key_encoding": {"name": "default"}, "fill_value": 0,
            "codecs": [{"name": "endian", "configuration": {"endian": "little"}}]}  # before "bytes" was named
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("zarr.json", json.dumps({"zarr_format": 3, "node_type": "group"}))
        zf.writestr("a/zarr.json", json.dumps(meta))
        zf.writestr("a/c/0", bytes(16))
    manifest = reference_manifest(archive, "byo-early", source="test")
    reason = manifest["reference_skipped"]["a"]
    assert "pre-release" in reason and "endian" in reason, reason


@pytest.mark.parametrize("xdist", [["-p", "no:xdist"], ["-n", "1"]], ids=["one-process", "xdist"])
def test_ctrl_c_stops_the_run_in_order_and_the_results_say_so(tmp_path, hostile_dir, xdist):
    """A terminal's Ctrl-C (SIGINT to the whole process group): the running cell finishes, no new one starts, one line and no
    traceback, results.json and the tables say "interrupted after N of M cells"."""
    fixtures = "hostile-baseline,hostile-bad-crc,hostile-encrypted"
    args = [sys.executable, "-m", "zipstore_compat.compat_tests", "run", "--no-build", "--fixtures-dir", str(hostile_dir), "--fixture-ids", fixtures,
            "--readers", "zarr3,selftest-hang", "--cell-timeout", "8", "--rerun", "--results", str(tmp_path / "results.json"), *xdist]
    # as a terminal's shell starts it: SIGINT at its default disposition (a process of the suite's own test run may have
    # set it to SIG_IGN, which a child inherits, and then Ctrl-C would reach no handler)
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines = tmp_path / "results.jsonl"
    deadline = time.time() + 240
    while time.time() < deadline and not (lines.exists() and len(lines.read_text(encoding="utf-8").splitlines()) >= 2):
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=240)
    assert proc.returncode == 2, (out[-2000:], err[-2000:])   # pytest's "interrupted"
    assert "Traceback" not in err and "Traceback" not in out, err[-3000:]
    data = results.load(tmp_path / "results.json")
    stopped = data["run"]["interrupted"]
    assert stopped["of"] == 6 and 1 <= stopped["after"] == len(data["cells"]) < 6, stopped
    assert f"INTERRUPTED after {stopped['after']} of 6 cells" in out
    assert f"INTERRUPTED after {stopped['after']} of 6 cells" in (tmp_path / "matrix.md").read_text(encoding="utf-8")
    assert "INTERRUPTED after" in (tmp_path / "matrix.html").read_text(encoding="utf-8")
