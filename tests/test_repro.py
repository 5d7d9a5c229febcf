"""Repro bundles and bring-your-own archives."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from zipstore_compat.repro.bundle import ReproError, make_bundle, parse_cell
from zipstore_compat.repro.run import run_bundle
from zipstore_compat.envs import ensure_environment

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("cell", ["zarr3--synthetic-v3-stored", "h5py--synthetic-v3-stored", "zarr3--synthetic-v3-stored-zipcli"])
def test_bundle_runs_standalone_and_shows_the_outcome(cell, tmp_path, built_fixtures):
    bundle = make_bundle(cell, tmp_path / cell)
    assert {"zipstore_compat.repro.py", "requirements.txt", "README.md", f"{cell.split('--')[1]}.zip"} <= {p.name for p in bundle.iterdir()}
    assert "==" in (bundle / "requirements.txt").read_text()
    assert run_bundle(bundle) == 0  # exit 0: the same outcome as recorded


def test_a_bundle_of_a_cell_the_results_lack_says_so_and_checks_the_expectation(tmp_path, built_fixtures, monkeypatch):
    import json

    from zipstore_compat.repro import bundle as repro

    monkeypatch.setattr(repro, "_recorded", lambda cell: None)   # e.g. a versions-lane cell after a default run
    bundle = make_bundle("h5py--synthetic-v3-stored", tmp_path / "b")
    assert "recorded by the matrix: nothing (reports/results.json has no such cell)" in (bundle / "README.md").read_text()
    settings = json.loads((bundle / "bundle.json").read_text())
    assert settings["has_record"] is False and settings["recorded"] == settings["expected"] == "unsupported"
    assert run_bundle(bundle) == 0   # h5py refuses the archive, as matrix.yaml expects


@pytest.mark.slow
@pytest.mark.network
def test_bundle_script_needs_nothing_of_the_project(tmp_path, built_fixtures):
    bundle = make_bundle("h5py--synthetic-v3-stored", tmp_path / "b")
    moved = tmp_path / "elsewhere"
    bundle.rename(moved)
    h5py_python = ensure_environment("h5py")  # wherever ZIPCOMPAT_CACHE keeps it
    proc = subprocess.run([str(h5py_python), "zipstore_compat.repro.py"], cwd=moved, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "outcome: unsupported" in proc.stdout


@pytest.mark.parametrize("cell,message", [
    ("garbage", "not a cell id"),
    ("nosuch--coads-v3-stored", "unknown reader"),
    ("zarr3--coads-v9-stored", "did you mean coads-v3-stored"),
])
def test_bad_cell_ids_are_clear(cell, message):
    with pytest.raises(ReproError, match=message):
        parse_cell(cell)
    proc = subprocess.run([sys.executable, "-m", "zipstore_compat.compat_tests", "repro", cell], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2 and message.split()[0] in proc.stderr and "Traceback" not in proc.stderr


ZARRITA_ARCHIVE = "ext-manzt-zarrita-js-v3-data-zipped-from-within-zarr"  # a small real archive from another project


def _archive_run(path: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "zipstore_compat.compat_tests", "run", "--no-build", "--readers", "zarr3,h5py", "--archive", str(path),
         "--results", str(tmp_path / "byo.json"), "-p", "no:xdist"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
@pytest.mark.network
def test_bring_your_own_archive(tmp_path, external_archive):
    archive = external_archive(ZARRITA_ARCHIVE)
    proc = _archive_run(archive, tmp_path)
    import json

    data = json.loads((tmp_path / "byo.json").read_text())
    cells = {c["cell"]: c for c in data["cells"]}
    assert set(cells) == {"zarr3--byo-manzt-zarrita-js-v3-data-zipped-from-within-zarr", "h5py--byo-manzt-zarrita-js-v3-data-zipped-from-within-zarr"}
    assert all("independent reference reading" in c["reference"] for c in cells.values())
    assert cells["zarr3--byo-manzt-zarrita-js-v3-data-zipped-from-within-zarr"]["outcome"] == "pass", proc.stdout[-1500:]


@pytest.mark.parametrize("content,message", [(b"this is not a zip", "not a ZIP archive"), (None, "not a readable ZIP archive|not a ZIP")])
@pytest.mark.slow
def test_bring_your_own_bad_archive_is_a_clear_error(content, message, tmp_path, external_archive):
    bad = tmp_path / "bad.zip"
    if content is None:  # a truncated real archive
        real = external_archive(ZARRITA_ARCHIVE).read_bytes()
        content = real[: len(real) // 2]
    bad.write_bytes(content)
    proc = _archive_run(bad, tmp_path)
    import re

    assert re.search(message, proc.stdout + proc.stderr), proc.stdout[-800:] + proc.stderr[-800:]
    assert "Traceback" not in proc.stderr
    if content.startswith(b"PK"):  # a damaged ZIP is still a ZIP: every reader runs, its cell unjudged
        import json

        cells = json.loads((tmp_path / "byo.json").read_text())["cells"]
        assert {c["reader"] for c in cells} == {"zarr3", "h5py"} and all(c["outcome"] == "unjudged" for c in cells), cells
    else:  # not a ZIP at all: one line, exit status 2
        assert proc.returncode == 2
