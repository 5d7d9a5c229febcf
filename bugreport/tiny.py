"""Tiny archives: a mini-dataset (a few arrays cut from a real one) written by our own writers.

The writers run in their writer environments exactly as for the fixtures
(fixtures.build.write_archives, the one way this project writes an archive), so a tiny archive has the writer, Zarr format, ZIP layout,
compression and codec of the fixture it stands for, and is built
deterministically (frozen clock, fixed order).
"""

from __future__ import annotations

import functools
import hashlib
import json
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from zipstore_compat.datasets.cache import dataset_dir, load_array, read_meta
from zipstore_compat.envs import cache_root
from zipstore_compat.core import canonical
from zipstore_compat.fixtures.build import ArchiveJob, builder_code, link_or_copy, tool_versions, write_archives
from zipstore_compat.fixtures.writer_registry import get_writer
from zipstore_compat.fixtures.registry import FixtureSpec
from zipstore_compat.fixtures.variants import Variant


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
    return builder_code()


def tiny_key(mini: MiniDataset) -> str:
    """A content key of what a tiny archive holds and how it is written (the writers' code included)."""
    digest = hashlib.sha256(json.dumps({"name": mini.name, "kind": mini.kind, "groups": mini.groups, "variant": mini.variant.to_dict(),
                                        "code": _writers_code(), "tools": tool_versions(get_writer(mini.variant.writer))},
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
    """Build every mini-dataset not yet in the tiny-archive cache, with the fixture build's own writers
    (fixtures.build.write_archives: one writer process per batch of each writer environment).

    Returns {tiny_key: (archive, manifest) in the cache, or the TinyBuildError}. Equal mini-datasets
    (the same cut of the same fixture, tried for several readers) are built once.
    """
    cache = tiny_cache()
    cache.mkdir(parents=True, exist_ok=True)
    out: dict[str, tuple[Path, Path] | TinyBuildError] = {}
    todo: dict[str, MiniDataset] = {}
    for mini in minis:
        key = tiny_key(mini)
        if key in out or key in todo:
            continue
        spec = FixtureSpec(NAME, mini.name, mini.variant)
        if (cache / key / spec.archive_name).exists() and (cache / key / f"{NAME}.manifest.json").exists():
            out[key] = (cache / key / spec.archive_name, cache / key / f"{NAME}.manifest.json")
            continue
        problems = mini.variant.problems(mini.kind)
        if problems:
            out[key] = TinyBuildError("; ".join(problems))
            continue
        todo[key] = mini
    if not todo:
        return out
    with tempfile.TemporaryDirectory(dir=cache, prefix=".batch-") as tmp:   # the mini-datasets, as the writers read them
        jobs = [ArchiveJob(FixtureSpec(NAME, mini.name, mini.variant), _materialise(mini, Path(tmp) / key / "dataset"), key)
                for key, mini in todo.items()]
        for key, written in write_archives(jobs, cache).items():
            if isinstance(written, Path):
                spec = FixtureSpec(NAME, todo[key].name, todo[key].variant)
                out[key] = (written / spec.archive_name, written / f"{NAME}.manifest.json")
            else:
                out[key] = TinyBuildError(written)
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
