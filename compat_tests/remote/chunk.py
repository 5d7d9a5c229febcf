"""The one-chunk read: which chunk, and its truth, as a manifest that the usual checks judge.

The array is the manifest's array with the most elements (the first of equals), the chunk its first
(index 0 on every axis, the chunk every reader must find: its key is the same under every encoding).
Its truth comes from the dataset the fixture was written from (datasets/cache.py, the same values the
manifest's digests were made from; the dataset's content digest must match the manifest's), sliced
to the chunk's region: the archive is not read here. The cell's manifest is the fixture's, with that
one array, its shape the region's, its digests the region's, and `region` (the box in the whole
array) added; the adapter reads `array[region]` as the values and a box inside it as the slice
(compat_tests/adapters/remote_common.py boxes), and checks.judge compares them as for every cell.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from zipstore_compat.core import canonical, cf


class ChunkTruthError(ValueError):
    """The one-chunk truth cannot be had (the dataset is not ours or differs); one line."""


def target_array(manifest: dict) -> dict:
    arrays = [a for a in manifest["arrays"] if a["shape"] and a.get("chunks")]
    if not arrays:
        raise ChunkTruthError(f"{manifest.get('id')}: no chunked array to read one chunk of")
    return max(arrays, key=lambda a: math.prod(a["shape"]))  # max keeps the first of equals


def first_chunk(expected: dict) -> list[list[int]]:
    """The box of the array's first chunk (the inner chunk of a sharded array)."""
    return [[0, min(n, c)] for n, c in zip(expected["shape"], expected["chunks"])]


def dataset_values(manifest: dict, path: str):
    """The array's values as the dataset holds them (memory-mapped: only the region is read)."""
    from zipstore_compat.datasets.cache import dataset_dir, read_meta

    dataset = manifest.get("dataset") or {}
    folder = dataset_dir(dataset.get("name", ""))
    if not (folder / "dataset.json").exists():
        from zipstore_compat.datasets.cache import materialize

        folder = materialize(dataset["name"])
    meta = read_meta(folder)
    if meta.get("content_sha256") != dataset.get("content_sha256"):
        raise ChunkTruthError(f"{manifest.get('id')}: the cached dataset {dataset.get('name')} is not the one the fixture was written from")
    record = next((r for r in meta["arrays"] if r["path"] == path), None)
    if record is None or record["dtype"] == "string":
        raise ChunkTruthError(f"{manifest.get('id')}: the dataset has no numeric array {path}")
    return np.load(Path(folder) / record["file"], mmap_mode="r", allow_pickle=False), record


def plan_of_entry(dtype, entry: dict) -> cf.Plan:
    """The plan a manifest's `cf` entry records (fixtures/manifest.py cf_entry: mask values, packing, time units
    and calendar, consumed attributes), to decode part of the same array as the whole was decoded. (Here, not in
    core/cf.py: that file is part of every fixture's build key, and this reading changes no archive.)"""
    times = entry.get("times") or {}
    mask = tuple(cf.MaskValue(float(m["value"]) if isinstance(m["value"], str) else m["value"], m["source"])
                 for m in entry.get("mask_values") or [])
    return cf.Plan(np.dtype(dtype), mask, entry.get("scale_factor"), entry.get("add_offset"), times.get("units"),
                times.get("calendar"), tuple(entry.get("consumed_attributes") or ()))


def region_cf(expected: dict, values, box, record: dict) -> dict | None:
    """The region's `cf` entry: the whole array's decoding (its plan, as the manifest records it) applied to the
    region's values, so a reader that decodes CF is judged on one chunk as on the whole array."""
    if not expected.get("cf"):
        return None
    from zipstore_compat.datasets.cache import decode_fill
    from zipstore_compat.fixtures.manifest import UNKNOWN, cf_entry

    plan = plan_of_entry(expected["dtype"], expected["cf"])
    missing = UNKNOWN if expected["cf"].get("masked_real") is None else decode_fill(record.get("missing_value"))
    return cf_entry(values, plan, box, declared_missing=missing)


def one_chunk_manifest(manifest: dict) -> dict:
    """The fixture's manifest narrowed to the one-chunk read (its truth from the dataset; its CF decoding, when the
    array has one, of the region's values)."""
    expected = target_array(manifest)
    region = first_chunk(expected)
    stored, record = dataset_values(manifest, expected["path"])
    values = np.ascontiguousarray(stored[tuple(slice(a, b) for a, b in region)])
    summary = canonical.summary(values)
    entry = dict(expected, shape=summary["shape"], sha256=summary["sha256"], slice=summary["slice"],
                 slice_sha256=summary["slice_sha256"], preview=summary["preview"], nan_count=summary.get("nan_count"),
                 region=region, missing_chunks=None)
    entry.pop("cf", None)
    if (decoded := region_cf(expected, values, summary["slice"], record)) is not None:
        entry["cf"] = decoded
    return dict(manifest, arrays=[entry], read={"kind": "one-chunk", "array": expected["path"], "region": region})


def write_one_chunk_manifest(manifest: dict, out: Path) -> Path:
    out.write_text(json.dumps(one_chunk_manifest(manifest), ensure_ascii=False), encoding="utf-8")
    return out
