"""Tiny archives: a mini-dataset (a few arrays cut from a real one) written by our own writers.

The writers run in their writer environments exactly as for the fixtures
(fixtures.build), so a tiny archive has the writer, Zarr format, ZIP layout,
compression and codec of the fixture it stands for, and is built
deterministically (frozen clock, fixed order).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from datasets.cache import dataset_dir, load_array, read_meta
from envs import EnvUnavailable, cache_root, ensure_environment
from core import canonical
from fixtures.build import _code_hash, _finish, _run_writer_batch, link_or_copy
from fixtures.ziptools import zip_cli_version
from fixtures.registry import FixtureSpec
from fixtures.variants import Variant


@dataclass(frozen=True)
class MiniArray:
    """One array of a mini-dataset: a dataset record with its (possibly cut) values."""
    path: str
    data: np.ndarray
    record: dict                      # the dataset's record: dtype, chunks, attrs, dims, fill_value, missing_chunks

    @property
    def shape(self) -> list[int]:
        return list(self.data.shape)

    def with_(self, **changes) -> "MiniArray":
        record = dict(self.record, **{k: v for k, v in changes.items() if k not in ("data", "path")})
        return MiniArray(changes.get("path", self.path), changes.get("data", self.data), record)


@dataclass(frozen=True)
class MiniDataset:
    """What a tiny archive holds: its source dataset's name and kind, group attributes, arrays, and the variant."""
    name: str
    kind: str
    groups: dict
    arrays: tuple[MiniArray, ...]
    variant: Variant
    notes: tuple[str, ...] = field(default=())   # what was cut, in words

    def describe(self) -> str:
        return ", ".join(f"{a.path} {a.shape} {a.record['dtype']} chunks {a.record['chunks']}" for a in self.arrays)


@functools.lru_cache(maxsize=8)
def load_dataset_arrays(name: str, fmt: int) -> tuple[dict, list[MiniArray]]:
    """The cached dataset `name` (materialised by the fixture build) as mini arrays, those written in format `fmt`."""
    folder = dataset_dir(name)
    meta = read_meta(folder)
    arrays = [MiniArray(r["path"], load_array(folder, r), r) for r in meta["arrays"] if fmt in r["formats"]]
    return meta, arrays


def needed_groups(groups: dict, arrays) -> dict:
    """The root and every group that holds one of `arrays` (with their attributes)."""
    keep = {""}
    for array in arrays:
        parts = array.path.split("/")[:-1]
        keep |= {"/".join(parts[:i]) for i in range(1, len(parts) + 1)}
    return {g: groups.get(g, {}) for g in sorted(keep)}


def _materialise(mini: MiniDataset, folder: Path) -> dict:
    """Write the mini-dataset as a dataset cache folder (dataset.json + .npy/.json), as the writers read it."""
    folder.mkdir(parents=True)
    records, content = [], hashlib.sha256()
    for index, array in enumerate(mini.arrays):
        is_string = array.record["dtype"] == "string"
        filename = f"a{index:03d}." + ("json" if is_string else "npy")
        if is_string:
            (folder / filename).write_text(json.dumps([str(v) for v in array.data.reshape(-1)], ensure_ascii=False), encoding="utf-8")
        else:
            np.save(folder / filename, array.data, allow_pickle=False)
        record = dict(array.record, path=array.path, file=filename, shape=array.shape, summary=canonical.summary(array.data),
                      formats=[mini.variant.zarr_format])
        content.update(json.dumps(record, sort_keys=True, ensure_ascii=False).encode())
        records.append(record)
    meta = {"name": mini.name, "kind": mini.kind, "source": f"cut from the {mini.name} dataset", "licence": "as the source dataset",
            "key": "tiny", "content_sha256": content.hexdigest(), "groups": mini.groups, "arrays": records}
    (folder / "dataset.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return dict(meta, folder=str(folder))


class TinyBuildError(RuntimeError):
    pass


NAME = "tiny"                     # every tiny archive is built under this id (its folder prefix is tiny.zarr/)


@functools.lru_cache(maxsize=1)
def _writers_code() -> str:
    return _code_hash()


def tiny_key(mini: MiniDataset) -> str:
    """A content key of what a tiny archive holds and how it is written (the writers' code included)."""
    digest = hashlib.sha256(json.dumps({"name": mini.name, "kind": mini.kind, "groups": mini.groups, "variant": mini.variant.to_dict(),
                                        "code": _writers_code(), "zip": zip_cli_version() if mini.variant.writer == "zipcli" else None},
                                       sort_keys=True, default=str).encode())
    for array in mini.arrays:
        record = {k: v for k, v in array.record.items() if k not in ("file", "summary", "formats", "shape", "path")}
        digest.update(json.dumps([array.path, array.shape, str(array.data.dtype), record], sort_keys=True, default=str).encode())
        data = array.data
        digest.update(json.dumps(data.tolist(), default=str).encode() if data.dtype.kind == "O" else np.ascontiguousarray(data).tobytes())
    return digest.hexdigest()[:24]


def tiny_cache() -> Path:
    return cache_root() / "bugreport-tiny"


def build_many(minis: list[MiniDataset]) -> dict[str, tuple[Path, Path] | TinyBuildError]:
    """Build every mini-dataset not yet in the tiny-archive cache: one writer process per writer environment.

    Returns {tiny_key: (archive, manifest) in the cache, or the TinyBuildError}. Equal mini-datasets
    (the same cut of the same fixture, tried for several readers) are built once.
    """
    cache = tiny_cache()
    cache.mkdir(parents=True, exist_ok=True)
    out: dict[str, tuple[Path, Path] | TinyBuildError] = {}
    todo: dict[str, list[tuple[str, MiniDataset]]] = {}
    for mini in minis:
        key = tiny_key(mini)
        if key in out or any(key == k for group in todo.values() for k, _ in group):
            continue
        entry = cache / key
        spec = FixtureSpec(NAME, mini.name, mini.variant)
        if (entry / spec.archive_name).exists() and (entry / f"{NAME}.manifest.json").exists():
            out[key] = (entry / spec.archive_name, entry / f"{NAME}.manifest.json")
            continue
        problems = mini.variant.problems(mini.kind)
        if problems:
            out[key] = TinyBuildError("; ".join(problems))
            continue
        todo.setdefault(mini.variant.writer_env, []).append((key, mini))
    for env_name, group in todo.items():
        try:
            python = ensure_environment(env_name)
        except EnvUnavailable as exc:
            out.update({key: TinyBuildError(str(exc)) for key, _ in group})
            continue
        with tempfile.TemporaryDirectory(dir=cache, prefix=".batch-") as tmp:
            tmp = Path(tmp)
            jobs, metas = [], {}
            for key, mini in group:
                metas[key] = _materialise(mini, tmp / key / "dataset")
                workdir = tmp / key / "work"
                workdir.mkdir()
                directory = mini.variant.writes_directory
                jobs.append((FixtureSpec(NAME, mini.name, mini.variant),
                             {"id": key, "dataset_dir": metas[key]["folder"], "variant": mini.variant.to_dict(),
                              "target": str(workdir / ("store" if directory else f"{NAME}.zip")),
                              "target_kind": "directory" if directory else "zip", "workdir": str(workdir)}))
            results: dict[str, dict] = {}
            _run_writer_batch(python, jobs, tmp, on_done=lambda i, r: results.__setitem__(i, r))
            for spec, job in jobs:
                key = job["id"]
                result = results.get(key, {})
                if not result.get("ok"):
                    out[key] = TinyBuildError(f"writer {spec.variant.writer} failed: {result.get('error')}")
                    continue
                try:
                    entry = _finish(spec, job, result, metas[key], key, cache)
                except Exception as exc:  # a zip step that fails for this cut: that try is not built
                    out[key] = TinyBuildError(f"{type(exc).__name__}: {exc}"[:300])
                    continue
                out[key] = (entry / spec.archive_name, entry / f"{NAME}.manifest.json")
    return out


def cached_tiny(mini: MiniDataset) -> tuple[Path, Path]:
    """(archive, manifest) of `mini` in the tiny-archive cache, built first if missing; TinyBuildError if it cannot be."""
    built = build_many([mini])[tiny_key(mini)]
    if isinstance(built, TinyBuildError):
        raise built
    return built


def build_tiny(mini: MiniDataset, out: Path, name: str = NAME) -> tuple[Path, Path]:
    """Write `mini` with its variant's writer (or take it from the cache): (archive, manifest) in `out`, hard-linked."""
    built = cached_tiny(mini)
    out.mkdir(parents=True, exist_ok=True)
    archive, manifest = out / f"{name}.zip", out / f"{name}.manifest.json"
    link_or_copy(built[0], archive)
    link_or_copy(built[1], manifest)
    return archive, manifest


__all__ = ["MiniArray", "MiniDataset", "TinyBuildError", "build_many", "build_tiny", "cached_tiny", "tiny_key", "load_dataset_arrays", "needed_groups", "replace"]
