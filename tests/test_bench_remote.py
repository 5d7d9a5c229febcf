"""The remote section of the cross-reader benchmark (bench/remote.py), on a made-up results file.

Every cell record below is a copy of a real remote cell (tests/data/remote-cell.json: gdal-vsicurl's one-chunk
cell of a matrix run) with its ids, outcome and figures changed, so the shape is the matrix's own.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from zipstore_compat.bench.remote import main

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = json.loads((Path(__file__).parent / "data" / "remote-cell.json").read_text(encoding="utf-8"))
MNIST_BYTES, MANY_BYTES = 47_610_000, 60_220_000   # made-up archive sizes


def remote_cell(reader, fixture, kind, outcome="pass", *, requests=None, body=None, minimum=None, archive_bytes=MNIST_BYTES,
                behaviour=("read",), option=None, attempts=(), expected=None, message=""):
    """The real record with these ids and figures; `requests=None`: no remote record (the reader could not run)."""
    cell = copy.deepcopy(TEMPLATE)
    cell.update(cell=f"{reader}--{fixture}--{kind}", reader=reader, fixture=f"{fixture}--{kind}", outcome=outcome, option=option,
                message=message, expected=expected or outcome, as_expected=expected in (None, outcome))
    if requests is None:
        cell["remote"] = None
        return cell
    record = cell["remote"]
    record.update(fixture=fixture, kind=kind, requests=requests, body_bytes=body, bytes_sent=body + 300 * requests,
                  minimum_bytes=minimum, archive_bytes=archive_bytes, minimum_members=7, central_directory_bytes=4_321,
                  ratio=round(body / minimum, 3), behaviour=list(behaviour), full_downloads=int("full download" in behaviour),
                  methods={"GET": requests}, statuses={"206": requests}, attempt=option or "default", attempts=list(attempts),
                  url=f"http://127.0.0.1:40000/c/0001/{fixture}.zip")
    return cell


def payload(cells):
    return {"results_schema": 1, "run": {"started": "2026-12-07T01:00:00Z", "platform": "Linux-test", "python": "3.11.7",
                                         "readers": {}}, "cells": cells}


def cells_of_a_run():
    local = copy.deepcopy(TEMPLATE)
    local.update(cell="zarr3--mnist-v3-stored", reader="zarr3", fixture="mnist-v3-stored", remote=None)
    fault = remote_cell("gdal-vsicurl", "coads-v2-stored", "transient-503", requests=9, body=900_000, minimum=832_566)
    other_archive = remote_cell("gdal-vsicurl", "coads-v2-stored", "read", requests=30, body=840_000, minimum=832_566)
    tried = [{"label": "default", "requests": 3, "bytes_sent": 2_000, "body_bytes": 1_100, "ratio": 0.01, "full_downloads": 0,
              "behaviour": ["failed"], "url": "http://127.0.0.1:40000/c/0002/x.zip", "methods": {"HEAD": 1, "GET": 2}},
             {"label": "CPL_VSIL_CURL_USE_HEAD=NO", "requests": 6, "bytes_sent": 1_260_000, "body_bytes": 1_250_000, "ratio": 4.0,
              "full_downloads": 0, "behaviour": ["read"], "url": "http://127.0.0.1:40000/c/0003/x.zip"}]
    return [
        local, fault, other_archive,
        remote_cell("zarrita-js-http", "mnist-v3-stored", "read", requests=2, body=MNIST_BYTES, minimum=47_400_000,
                    behaviour=("full download", "read")),
        remote_cell("gdal-vsicurl", "mnist-v3-stored", "read", requests=41, body=47_512_300, minimum=47_400_000),
        remote_cell("fsspec-zip-http", "mnist-v3-stored", "one-chunk", "error", requests=3, body=65_536, minimum=16_000,
                    behaviour=("failed",), expected="pass", message="ValueError: boom"),
        remote_cell("gdal-vsicurl", "mnist-v3-stored-manyentries", "one-chunk", "partial", requests=6, body=1_250_000,
                    minimum=312_500, archive_bytes=MANY_BYTES, option="CPL_VSIL_CURL_USE_HEAD=NO", attempts=tried),
        remote_cell("tensorstore-http", "mnist-v3-stored-manyentries", "one-chunk", "not-installed",
                    message="tensorstore is not installed"),
    ]


def write_results(tmp_path, cells) -> Path:
    path = tmp_path / "results.json"
    path.write_text(json.dumps(payload(cells)), encoding="utf-8")
    return path


def test_the_table_gives_each_cells_figures_against_the_minimum(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["--results", str(write_results(tmp_path, cells_of_a_run())), "--out", str(out), "--no-png"]) == 0
    table = (out / "bench-remote.md").read_text(encoding="utf-8")
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| reader ")]
    assert rows == [   # MNIST's whole read, its one chunk, then the 70,014-entry archive's; readers by name; nothing else
        "| gdal-vsicurl | `mnist-v3-stored` | read | pass | 41 | 47,512,300 | 47,400,000 | 1.00 | read |",
        "| zarrita-js-http | `mnist-v3-stored` | read | pass | 2 | 47,610,000 | 47,400,000 | 1.00 | full download, read |",
        "| fsspec-zip-http | `mnist-v3-stored` | one-chunk | error (UNEXPECTED: matrix.yaml says pass) | 3 | 65,536 | 16,000 | 4.10 | failed |",
        "| gdal-vsicurl | `mnist-v3-stored-manyentries` | one-chunk | partial with CPL_VSIL_CURL_USE_HEAD=NO | 6 | 1,250,000 | "
        "312,500 | 4.00 | read |",
        "| tensorstore-http | `mnist-v3-stored-manyentries` | one-chunk | not-installed | - | - | - | - | - |",
    ]
    assert "`mnist-v3-stored` read: 47,400,000 bytes (7 members, archive 47,610,000 bytes, central directory 4,321)" in table
    assert "`mnist-v3-stored-manyentries` one-chunk: 312,500 bytes" in table
    assert "matrix run of 2026-12-07T01:00:00Z (Linux-test)" in table
    assert capsys.readouterr().out == table + "\n"   # the table is also what the command prints

    bench = json.loads((out / "bench-remote.json").read_text(encoding="utf-8"))
    assert bench["benchmark"] == "remote" and bench["archives"] == ["mnist-v3-stored", "mnist-v3-stored-manyentries"]
    assert bench["readers"] == ["fsspec-zip-http", "gdal-vsicurl", "tensorstore-http", "zarrita-js-http"]
    assert bench["command"].startswith("./run python -m bench.remote --results ")
    rows = {r["cell"]: r for r in bench["rows"]}
    assert len(rows) == 5 and "gdal-vsicurl--coads-v2-stored--read" not in rows and "zarr3--mnist-v3-stored" not in rows
    chosen = rows["gdal-vsicurl--mnist-v3-stored-manyentries--one-chunk"]
    assert chosen["attempt"] == "CPL_VSIL_CURL_USE_HEAD=NO" and chosen["body_bytes"] / chosen["minimum_bytes"] == chosen["ratio"]
    assert [(a["label"], a["requests"], a["behaviour"]) for a in chosen["attempts"]] == [
        ("default", 3, ["failed"]), ("CPL_VSIL_CURL_USE_HEAD=NO", 6, ["read"])]   # every attempt's cost kept
    assert rows["zarrita-js-http--mnist-v3-stored--read"]["full_downloads"] == 1
    assert {(m["archive"], m["case"]): m["minimum_bytes"] for m in bench["minimums"]} == {
        ("mnist-v3-stored", "read"): 47_400_000, ("mnist-v3-stored", "one-chunk"): 16_000,
        ("mnist-v3-stored-manyentries", "one-chunk"): 312_500}

    page = (out / "bench-remote.html").read_text(encoding="utf-8")
    head = page.split("<body>")[0]
    assert "<script" in page and "plotly" in page.lower() and "http" not in head   # self-contained: no script from elsewhere
    assert "<td>47,512,300</td>" in page and "title='ValueError: boom'" in page


def test_without_chromium_the_command_says_there_is_no_png(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: None)
    out = tmp_path / "out"
    assert main(["--results", str(write_results(tmp_path, cells_of_a_run())), "--out", str(out)]) == 0
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.endswith("no PNG: Debian's chromium is not installed (apt-get install -y chromium)")
    assert (out / "bench-remote.html").exists() and not (out / "bench-remote.png").exists()


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_with_chromium_the_plot_is_a_png(tmp_path):
    out = tmp_path / "out"
    assert main(["--results", str(write_results(tmp_path, cells_of_a_run())), "--out", str(out)]) == 0
    png = (out / "bench-remote.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000


def _both(*args: str) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    run = lambda *prefix: subprocess.run([sys.executable, "-m", *prefix, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
    return run("zipstore_compat.bench.remote"), run("zipstore_compat.compat_tests", "bench-remote")


def _one_line(alone, hub) -> str:
    assert alone.returncode == hub.returncode == 2 and alone.stderr == hub.stderr and not alone.stdout
    lines = hub.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), hub.stderr
    return lines[0]


PRODUCING = "--fixture-ids 'mnist-v3-stored,mnist-v3-stored-manyentries'"


def test_a_missing_results_file_is_one_line_with_the_command_that_writes_it(tmp_path):
    line = _one_line(*_both("--results", str(tmp_path / "nowhere.json"), "--out", str(tmp_path)))
    assert "nowhere.json: no such results file" in line and "./run matrix --readers " in line and line.endswith(PRODUCING)
    assert not list(tmp_path.iterdir())   # nothing written


def test_a_file_that_is_no_results_file_is_one_line(tmp_path):
    (tmp_path / "other.json").write_text(json.dumps({"bench_schema": 1, "rows": []}))
    (tmp_path / "broken.json").write_text("{not json")
    assert "other.json: not a zipstore-compat results file" in _one_line(*_both("--results", str(tmp_path / "other.json"), "--out", str(tmp_path)))
    assert "broken.json: not JSON" in _one_line(*_both("--results", str(tmp_path / "broken.json"), "--out", str(tmp_path)))


def test_results_without_these_remote_cells_name_the_matrix_run_that_makes_them(tmp_path):
    cells = [c for c in cells_of_a_run() if not c["fixture"].startswith("mnist-v3-stored--") and "manyentries" not in c["fixture"]]
    assert [c["cell"] for c in cells] == ["zarr3--mnist-v3-stored", "gdal-vsicurl--coads-v2-stored--transient-503",
                                          "gdal-vsicurl--coads-v2-stored--read"]   # a local MNIST cell and COADS remote cells only
    line = _one_line(*_both("--results", str(write_results(tmp_path, cells)), "--out", str(tmp_path / "out")))
    assert "results.json: no remote cell of mnist-v3-stored, mnist-v3-stored-manyentries (cases read, one-chunk)" in line
    readers = line.split("./run matrix --readers ", 1)[1].split(" ", 1)[0].split(",")
    assert {"gdal-vsicurl", "zarrita-js-http", "fsspec-zip-http", "tensorstore-http"} <= set(readers) and "zarr3" not in readers
    assert line.endswith(PRODUCING) and not (tmp_path / "out").exists()
