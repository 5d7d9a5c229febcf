"""The store benchmark's quick mode: every read verified, ratios to the physical limits filled."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmark(tmp_path, built_fixtures):
    proc = subprocess.run([sys.executable, "-m", "zipstore_compat.compat_tests", "bench", "--quick", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    bench = json.loads((tmp_path / "bench.json").read_text())
    stores = {r["store"] for r in bench["stores"]}
    assert stores == {"zip-stored", "zip-deflate", "directory", "memory", "fsspec-memory"}
    for row in bench["stores"] + bench["size_scale"] + bench["chunk_scale"]:
        assert row["verified"], row
        assert row["read"]["min"] <= row["read"]["median"] <= row["read"]["max"]
        assert row["read_vs_memcpy"] > 0
    for row in bench["stores"]:
        if row["store"].startswith("zip"):
            assert row["read_vs_raw_read"] > 0 and row["stored_bytes"] > 0
    assert [r["chunks"] for r in bench["chunk_scale"]] == sorted(r["chunks"] for r in bench["chunk_scale"])
    page = (tmp_path / "bench.html").read_text()
    assert "plotly" in page.lower() and "<script" in page and "http" not in page.split("<body>")[0]
