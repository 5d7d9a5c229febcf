"""Datasets materialised once into the cache, for writers in other environments.

<cache>/datasets/<name>-<key>/ holds dataset.json (tree, metadata, per-array
digests) and one file per array (.npy, or .json for variable-length
strings). The key hashes the dataset code and the pinned sources, so a warm
run finds the folder without loading a single array. A folder counts only
once its dataset.json exists; it is written last, after every array.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from zipstore_compat.datasets.model import ArraySpec, DatasetSpec
from zipstore_compat.datasets.registry import DATASET_SOURCES, load_dataset
from zipstore_compat.datasets.sources import SOURCES
from zipstore_compat.envs import cache_root
from zipstore_compat.core import canonical

CODE_FILES = ["datasets/model.py", "datasets/mnist.py", "datasets/grid.py", "datasets/synthetic.py", "datasets/entries.py", "datasets/cache.py", "core/canonical.py"]
ROOT = Path(__file__).resolve().parent.parent


class DatasetCacheError(RuntimeError):
    pass


def encode_fill(value: Any) -> Any:
    """JSON form of a fill value: NaN and infinities as the strings Zarr uses."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def decode_fill(value: Any) -> Any:
    return {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}.get(value, value) if isinstance(value, str) else value


def dataset_key(name: str) -> str:
    digest = hashlib.sha256(name.encode())
    for rel in CODE_FILES:
        digest.update((ROOT / rel).read_bytes())
    for source in DATASET_SOURCES[name]:
        digest.update(SOURCES[source].package_sha256.encode())
    return digest.hexdigest()[:16]


def dataset_dir(name: str) -> Path:
    return cache_root() / "datasets" / f"{name}-{dataset_key(name)}"


def _array_file(index: int, spec: ArraySpec) -> str:
    return f"a{index:03d}.json" if spec.is_string else f"a{index:03d}.npy"


def materialize(name: str, fetch: bool = True) -> Path:
    """Load a dataset and write it to the cache (once); return the folder."""
    folder = dataset_dir(name)
    if (folder / "dataset.json").exists():
        return folder
    spec = load_dataset(name, fetch=fetch)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent, prefix=f".{name}-") as tmp:
        tmp = Path(tmp)
        records = []
        content = hashlib.sha256()
        for index, array in enumerate(spec.arrays):
            filename = _array_file(index, array)
            if array.is_string:
                (tmp / filename).write_text(json.dumps([str(v) for v in array.data.reshape(-1)], ensure_ascii=False), encoding="utf-8")
            else:
                np.save(tmp / filename, array.data, allow_pickle=False)
            summary = canonical.summary(array.data)
            record = {
                "path": array.path,
                "file": filename,
                "dtype": "string" if array.is_string else array.data.dtype.str,
                "shape": list(array.data.shape),
                "chunks": list(array.chunks),
                "attrs": array.attrs,
                "dims": list(array.dims) if array.dims else None,
                "fill_value": encode_fill(array.fill_value),
                "formats": list(array.formats),
                "missing_chunks": [list(c) for c in array.missing_chunks],
                "missing_value": encode_fill(array.missing_value),
                "summary": summary,
            }
            content.update(json.dumps(record, sort_keys=True, ensure_ascii=False).encode())
            records.append(record)
        content.update(json.dumps(spec.groups, sort_keys=True, ensure_ascii=False).encode())
        meta = {
            "name": spec.name,
            "kind": spec.kind,
            "source": spec.source,
            "licence": spec.licence,
            "key": dataset_key(name),
            "content_sha256": content.hexdigest(),
            "groups": spec.groups,
            "arrays": records,
        }
        (tmp / "dataset.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False), encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        tmp.rename(folder)
        tmp.mkdir()  # TemporaryDirectory wants something to remove
    return folder


def read_meta(folder: Path) -> dict:
    path = Path(folder) / "dataset.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DatasetCacheError(f"dataset cache entry {folder} is unreadable ({exc}); delete it and build again") from exc


def load_array(folder: Path, record: dict) -> np.ndarray:
    """An array of a materialised dataset, checked against its recorded digest."""
    path = Path(folder) / record["file"]
    try:
        if record["dtype"] == "string":
            data = np.array(json.loads(path.read_text(encoding="utf-8")), dtype=object).reshape(record["shape"])
        else:
            data = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise DatasetCacheError(f"dataset cache entry {path} is unreadable ({exc}); delete {folder} and build again") from exc
    if canonical.digest(data) != record["summary"]["sha256"]:
        raise DatasetCacheError(f"dataset cache entry {path} is corrupt (digest mismatch); delete {folder} and build again")
    return data
