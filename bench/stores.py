"""python -m bench [--quick]: the store benchmark, written to reports/bench.json and bench.html (also: python -m compat_tests bench).

Stores: zarr-python 3 ZipStore (stored and deflate), LocalStore (a directory),
MemoryStore and an fsspec in-memory store, on the seed write-up's random
integers and on real MNIST and COADS arrays; write, read back, SHA-256 check,
a warm-up plus N runs (median, min, max, MB/s). The same run measures the
physical limits (a raw sequential read of the archive, a memory copy of the
decoded array) and every figure is also given as a ratio to them. Scale
sweeps: array size and number of chunks. Readers: each reader's full read of
the MNIST and COADS archives, timed inside its worker, from the last matrix
run's results.json. Absolute times depend on the machine; compare ratios.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from zipstore_compat.core import locations
from zipstore_compat.bench.page import screenshot
from zipstore_compat.core.commands import program_name
from zipstore_compat.core.processes import child_environ
from zipstore_compat.datasets.cache import load_array, materialize, read_meta
from zipstore_compat.envs import ensure_environment

ROOT = Path(__file__).resolve().parents[1]
REPORTS = locations.reports()
BENCH_ENV = "xarray"  # zarr-python 3 with fsspec
STORES = ["zip-stored", "zip-deflate", "directory", "memory", "fsspec-memory"]

QUICK = {"repeats": 2, "scale_repeats": 1, "random_mb": 4, "real": ["coads"],
         "size_scale_mb": [1, 4, 16], "chunk_scale_mb": 4, "chunk_counts": [1, 16, 256, 1024]}
FULL = {"repeats": 5, "scale_repeats": 3, "random_mb": 40, "real": ["mnist", "coads"],
        "size_scale_mb": [1, 10, 100, 1000], "chunk_scale_mb": 40, "chunk_counts": [1, 10, 100, 1000, 10000, 100000]}
REAL = {"mnist": ("train/images", [1000, 28, 28]), "coads": ("sst", [3, 45, 90])}


def _real_dataset(name: str, workdir: Path) -> dict:
    folder = materialize(name)
    path, chunks = REAL[name]
    record = next(r for r in read_meta(folder)["arrays"] if r["path"] == path)
    file = workdir / f"{name}.npy"
    np.save(file, load_array(folder, record))
    return {"name": f"{name}:{path}", "kind": "file", "file": str(file), "chunks": chunks}


def _reader_speeds(archives: dict[str, Path]) -> list[dict]:
    """Each reader's read of the same archives, timed in its worker by the last matrix run."""
    try:
        cells = json.loads((REPORTS / "results.json").read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return []
    out = []
    for fixture, archive in archives.items():
        raw = _raw_read_seconds(archive)
        manifest = json.loads(archive.with_name(f"{fixture}.manifest.json").read_text(encoding="utf-8"))
        nbytes = sum(int(np.prod(a["shape"])) * np.dtype(a["dtype"]).itemsize for a in manifest["arrays"] if a["dtype"] != "string")
        memcpy = _memcpy_seconds(nbytes)
        for cell in cells:
            if cell["fixture"] == fixture and cell["outcome"] in ("pass", "partial") and cell.get("seconds"):
                out.append({"reader": cell["reader"], "fixture": fixture, "outcome": cell["outcome"], "seconds": cell["seconds"],
                            "megabytes": nbytes / 1e6, "mb_s": nbytes / 1e6 / cell["seconds"],
                            "vs_raw_read": cell["seconds"] / raw, "vs_memcpy": cell["seconds"] / memcpy})
    return out


def _raw_read_seconds(path: Path, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        with open(path, "rb") as handle:
            while handle.read(1 << 24):
                pass
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _memcpy_seconds(nbytes: int, repeats: int = 3) -> float:
    source = np.ones(max(1, nbytes), dtype=np.uint8)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        np.copy(source)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(quick: bool) -> dict:
    settings = QUICK if quick else FULL
    python = ensure_environment(BENCH_ENV)
    with tempfile.TemporaryDirectory(prefix="zipcompat-bench-") as tmp:
        tmp = Path(tmp)
        datasets = [{"name": f"random-int {settings['random_mb']} MB", "kind": "random-int", "megabytes": settings["random_mb"], "seed": 0, "chunks": [262144]}]
        datasets += [_real_dataset(name, tmp) for name in settings["real"]]
        config = {"datasets": datasets, "stores": STORES, "repeats": settings["repeats"], "scale_repeats": settings["scale_repeats"],
                  "size_scale_mb": settings["size_scale_mb"], "chunk_scale_mb": settings["chunk_scale_mb"], "chunk_counts": settings["chunk_counts"]}
        (tmp / "config.json").write_text(json.dumps(config))
        env = child_environ()
        started = time.perf_counter()
        proc = subprocess.run([str(python), "-m", "zipstore_compat.bench.store_worker", str(tmp / "config.json")],
                              cwd=str(locations.work_root()), env=env, stdout=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"benchmark worker failed with code {proc.returncode}")
        measured = json.loads(proc.stdout)
    fixtures = locations.fixtures_dir()
    archives = {f: fixtures / f"{f}.zip" for f in ("mnist-v3-stored", "coads-v3-stored") if (fixtures / f"{f}.zip").exists()}
    return {
        "bench_schema": 1,
        "mode": "quick" if quick else "full",
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "seconds": time.perf_counter() - started,
        "settings": settings,
        **measured,
        "readers": _reader_speeds(archives),
        "note": "absolute times depend on the machine; ratios to the raw read and the memory copy are what to compare",
    }


def charts_html(bench: dict) -> str:
    import plotly.graph_objects as go

    figures = []
    for metric, title in (("write", "write time (median, s)"), ("read", "read time (median, s)")):
        fig = go.Figure()
        for store in STORES:
            rows = [r for r in bench["stores"] if r["store"] == store]
            fig.add_bar(name=store, x=[r["data"] for r in rows], y=[r[metric]["median"] for r in rows],
                        error_y={"type": "data", "symmetric": False,
                                 "array": [r[metric]["max"] - r[metric]["median"] for r in rows],
                                 "arrayminus": [r[metric]["median"] - r[metric]["min"] for r in rows]})
        fig.update_layout(title=title, barmode="group", yaxis_title="seconds")
        figures.append(fig)
    fig = go.Figure()
    for store in STORES:
        rows = [r for r in bench["stores"] if r["store"] == store]
        fig.add_bar(name=store, x=[r["data"] for r in rows], y=[r["read_vs_memcpy"] for r in rows])
    fig.update_layout(title="read time / memory copy of the decoded array (1 = the physical limit)", barmode="group", yaxis_type="log")
    figures.append(fig)
    size = bench["size_scale"]
    fig = go.Figure([go.Scatter(x=[r["megabytes"] for r in size], y=[r["read"]["median"] for r in size], name="read", mode="lines+markers"),
                     go.Scatter(x=[r["megabytes"] for r in size], y=[r["write"]["median"] for r in size], name="write", mode="lines+markers"),
                     go.Scatter(x=[r["megabytes"] for r in size], y=[r["raw_read"]["median"] for r in size], name="raw read of the archive", mode="lines+markers")])
    fig.update_layout(title="ZipStore (stored): time against array size", xaxis_type="log", yaxis_type="log", xaxis_title="MB", yaxis_title="seconds")
    figures.append(fig)
    count = bench["chunk_scale"]
    fig = go.Figure([go.Scatter(x=[r["chunks"] for r in count], y=[r["read"]["median"] for r in count], name="read", mode="lines+markers"),
                     go.Scatter(x=[r["chunks"] for r in count], y=[r["write"]["median"] for r in count], name="write", mode="lines+markers")])
    fig.update_layout(title="ZipStore (stored): time against number of chunks (same array)", xaxis_type="log", yaxis_type="log", xaxis_title="chunks", yaxis_title="seconds")
    figures.append(fig)
    if bench["readers"]:
        rows = sorted(bench["readers"], key=lambda r: (r["fixture"], r["seconds"]))
        fig = go.Figure()
        for fixture in sorted({r["fixture"] for r in rows}):
            sub = [r for r in rows if r["fixture"] == fixture]
            fig.add_bar(name=fixture, x=[r["reader"] for r in sub], y=[r["vs_raw_read"] for r in sub])
        fig.update_layout(title="each reader's full read / raw read of the archive (timed inside its worker)", barmode="group", yaxis_type="log")
        figures.append(fig)
    parts = [f.to_html(full_html=False, include_plotlyjs=(i == 0)) for i, f in enumerate(figures)]
    head = (f"<h1>Store benchmark ({bench['mode']})</h1><p>{bench['machine']['platform']}, {bench['machine']['cpus']} CPUs, Python {bench['machine']['python']}. "
            f"{bench['note']}. Every read verified by SHA-256: {all(r['verified'] for r in bench['stores'] + bench['size_scale'] + bench['chunk_scale'])}.</p>")
    return "<!doctype html><html><head><meta charset=utf-8><title>zipstore-compat store benchmark</title></head><body>" + head + "".join(parts) + "</body></html>"


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog=program_name("bench"))
    parser.add_argument("--quick", action="store_true", help="small sizes, under a minute (what the tests run)")
    parser.add_argument("--out", default=str(REPORTS))
    args = parser.parse_args(argv)
    bench = run(args.quick)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(bench, indent=1) + "\n", encoding="utf-8")
    (out / "bench.html").write_text(charts_html(bench), encoding="utf-8")
    screenshot(out / "bench.html", out / "bench.png")
    failed = [r for r in bench["stores"] + bench["size_scale"] + bench["chunk_scale"] if not r["verified"]]
    print(f"wrote {out / 'bench.json'} and {out / 'bench.html'} in {bench['seconds']:.0f} s" + (f"; {len(failed)} reads FAILED verification" if failed else "; every read verified"), file=sys.stderr)
    return 1 if failed else 0
