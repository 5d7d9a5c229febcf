"""The zarrs-pipeline reader proves which pipeline decoded each array: a positive control and the zip case.

On a LocalStore (a store zarrs-python supports) the adapter's counting must see zarrs' Rust implementation
decode the chunks; on zarr-python's ZipStore (which it does not support) the adapter must report every array as
an error, never as values read. Runs in the reader's own environment.
"""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from zipstore_compat.envs import ensure_environment
from tests.test_reader_contract import tiny_zarr3

ROOT = Path(__file__).resolve().parent.parent

PROBE = r"""
import json, sys, zarr
from zipstore_compat.compat_tests.adapters import zarrs_pipeline as zp
archive, folder, manifest = sys.argv[1], sys.argv[2], json.loads(open(sys.argv[3]).read())
zarr.config.set({"codec_pipeline.path": zp.PIPELINE}); zp._instrument()
array = zarr.open_group(zarr.storage.LocalStore(folder, read_only=True), mode="r")["a"]
zp._counts.clear(); array[...]
local = {"pipeline": type(array._async_array.codec_pipeline).__name__, **zp._counts}
reading = zp.read(archive, manifest, {})
print(json.dumps({"local": local, "zip_errors": reading["errors"], "zip_arrays": sorted(reading["arrays"])}))
"""


@pytest.mark.slow
@pytest.mark.network
def test_zarrs_decodes_a_local_store_and_the_zip_cell_never_counts_zarr_python_work(tmp_path):
    python = ensure_environment("zarrs-pipeline")
    archive = tiny_zarr3(tmp_path / "t.zip")
    folder = tmp_path / "t.zarr"
    zipfile.ZipFile(archive).extractall(folder)
    manifest = tmp_path / "m.json"
    manifest.write_text(json.dumps({"arrays": [{"path": "a", "slice": [[0, 2], [0, 3]], "shape": [4, 6]}], "store_prefix": ""}))
    proc = subprocess.run([str(python), "-c", PROBE, str(archive), str(folder), str(manifest)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert found["local"]["pipeline"] == "ZarrsCodecPipeline" and found["local"].get("rust", 0) >= 1, found
    assert not found["local"].get("python") and not found["local"].get("direct"), found
    assert found["zip_arrays"] == [] and "zarrs did not decode" in found["zip_errors"]["a"], found
