"""The cross-reader benchmark (bench/readers.py): structure, the floor, and values that do not match."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from zipstore_compat.bench.readers import cell_text, markdown

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.network
def test_two_readers_one_archive_and_a_wrong_digest(tmp_path):
    """zarr3 reads COADS (timed, verified, a ratio to the floor); h5py does not read it (its outcome shown);
    the same archive under a manifest whose digest is wrong is reported as wrong-data, never timed."""
    from zipstore_compat.fixtures.build import build
    from zipstore_compat.fixtures.registry import resolve

    folder = tmp_path / "fixtures"
    result = build(resolve(["coads-v3-stored"]), out=folder, progress=False)
    assert not result.errors, result.errors
    archive = Path(result.built["coads-v3-stored"])
    shutil.copy(archive, folder / "coads-wrong.zip")
    manifest = json.loads((folder / "coads-v3-stored.manifest.json").read_text())
    sst = next(a for a in manifest["arrays"] if a["path"] == "sst")
    sst["sha256"] = "0" * 64
    (folder / "coads-wrong.manifest.json").write_text(json.dumps(dict(manifest, id="coads-wrong")))

    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "zipstore_compat.compat_tests", "bench-readers", "--readers", "zarr3,h5py",
                           "--fixtures", "coads-v3-stored,coads-wrong", "--fixtures-dir", str(folder),
                           "--repeats", "2", "--out", str(out), "--no-png"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    bench = json.loads((out / "bench-readers.json").read_text())
    assert bench["benchmark"] == "readers" and bench["readers"] == ["zarr3", "h5py"]
    assert bench["command"].startswith("./run python -m compat_tests bench-readers --readers zarr3,h5py")
    assert set(bench["versions"]) == {"zarr3", "h5py", "floor"} and bench["versions"]["zarr3"]["zarr"]

    floors = {a["fixture"]: a["floor"] for a in bench["archives"]}
    good = floors["coads-v3-stored"]
    assert good["verified"] and good["codecs"] == ["zstd"] and good["seconds"] > 0
    assert good["seconds"] == pytest.approx(sum(c["median"] for c in good["components"].values() if c))
    assert good["components"]["inflate"] is None  # every member stored
    assert not floors["coads-wrong"]["verified"]  # the floor checks its own decoding against the manifest too

    cells = {(c["reader"], c["fixture"]): c for c in bench["cells"]}
    timed = cells[("zarr3", "coads-v3-stored")]
    assert timed["status"] == "timed" and timed["outcome"] == "pass" and timed["runs"] == 2 and len(timed["times"]) == 2
    assert timed["min"] <= timed["median"] <= timed["max"]
    assert timed["ratio"] == pytest.approx(timed["median"] / good["seconds"])
    wrong = cells[("zarr3", "coads-wrong")]
    assert wrong["status"] == "wrong-data" and "median" not in wrong and "ratio" not in wrong and wrong["times"] == []
    assert "sst" in wrong["message"]
    for fixture in ("coads-v3-stored", "coads-wrong"):
        refused = cells[("h5py", fixture)]
        assert refused["status"] == "does not read" and refused["outcome"] in ("error", "unsupported") and "median" not in refused

    table = (out / "bench-readers.md").read_text()
    assert "| reader | `coads-v3-stored` | `coads-wrong` |" in table
    assert "**wrong-data**" in table and "does not read (error)" in table
    assert "floor values do NOT match" in table
    page = (out / "bench-readers.html").read_text()
    assert "plotly" in page.lower() and "<script" in page and "http" not in page.split("<body>")[0]


def _row(reader, fixture, status, **extra):
    return {"reader": reader, "fixture": fixture, "status": status, "outcome": extra.pop("outcome", "pass"), "runs": 5,
            "limit_seconds": 60.0, "option": None, "message": "", **extra}


def test_table_says_what_each_cell_did():
    """Without workers: the Markdown table of a made-up run."""
    floor = {"seconds": 0.1, "components": {"raw_read": {"median": 0.01}, "inflate": {"median": 0.02}, "decode": {"median": 0.06},
                                            "memcpy": {"median": 0.01}}, "codecs": ["zstd"], "verified": True, "decoded_bytes": 5e7}
    bench = {"started": "2026-01-01T00:00:00+00:00", "seconds": 12.0, "settings": {"repeats": 5},
             "machine": {"cpus": 2, "cpu": "x", "memory_gib": 24, "platform": "linux"}, "readers": ["a", "b", "c", "d"],
             "archives": [{"fixture": "f", "archive_bytes": 1e6, "entries": 84, "compression": {"deflate": 84}, "floor": floor}],
             "cells": [_row("a", "f", "timed", median=0.25, ratio=2.5, runs=5),
                       _row("b", "f", "timed", median=0.5, ratio=5.0, runs=2, option="mask_and_scale=False", outcome="partial"),
                       _row("c", "f", "wrong-data", outcome="wrong-data"),
                       _row("d", "f", "over the limit", outcome="timeout", runs=2)],
             "measured": "m"}
    table = markdown(bench)
    assert "| **floor** | 100 ms = raw 10 ms + inflate 20 ms + zstd 60 ms + copy 10 ms |" in table
    lines = [line for line in table.splitlines() if line.startswith("| ")]
    assert [line.split(" | ")[0] for line in lines[2:]] == ["| a", "| b", "| c", "| d"]  # readers that read first, fastest first
    assert "| a | **2.5x** (250 ms) |" in table
    assert "**5.0x** (500 ms, 2 runs, with mask_and_scale=False)" in table
    assert "**wrong-data** (values do not match the manifest)" in table
    assert cell_text(bench["cells"][3]) == "over 60 s (run 3)"
    assert cell_text(dict(bench["cells"][3], runs=0)) == "over 60 s (warm-up)"
