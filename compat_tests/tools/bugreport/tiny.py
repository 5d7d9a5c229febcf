"""Tiny archives: a mini-dataset (a few arrays cut from a real one) written by our own writers.

The writers run in their writer environments exactly as for the fixtures
(fixtures.build), so a tiny archive has the writer, Zarr format, ZIP layout,
compression and codec of the fixture it stands for, and is built
deterministically (frozen clock, fixed order).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from datasets.cache import dataset_dir, load_array, read_meta
from envs import EnvUnavailable, ensure_environment
from core import canonical
from fixtures.build import _finish, _run_writer_batch
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


def build_tiny(mini: MiniDataset, out: Path, name: str) -> tuple[Path, Path]:
    """Write `mini` with its variant's writer: returns (archive, manifest) in `out` as <name>.zip/.manifest.json."""
    problems = mini.variant.problems(mini.kind)
    if problems:
        raise TinyBuildError("; ".join(problems))
    try:
        python = ensure_environment(mini.variant.writer_env)
    except EnvUnavailable as exc:
        raise TinyBuildError(str(exc)) from None
    out.mkdir(parents=True, exist_ok=True)
    spec = FixtureSpec(name, mini.name, mini.variant)
    with tempfile.TemporaryDirectory(dir=out, prefix=".tiny-") as tmp:
        tmp = Path(tmp)
        meta = _materialise(mini, tmp / "dataset")
        workdir = tmp / "work"
        workdir.mkdir()
        directory = mini.variant.writes_directory
        job = {"id": name, "dataset_dir": meta["folder"], "variant": mini.variant.to_dict(),
               "target": str(workdir / ("store" if directory else f"{name}.zip")),
               "target_kind": "directory" if directory else "zip", "workdir": str(workdir)}
        results = {}
        _run_writer_batch(python, [(spec, job)], tmp, on_done=lambda i, r: results.__setitem__(i, r))
        if not results.get(name, {}).get("ok"):
            raise TinyBuildError(f"writer {mini.variant.writer} failed: {results.get(name, {}).get('error')}")
        entry = _finish(spec, job, results[name], meta, name, tmp)
        archive, manifest = out / f"{name}.zip", out / f"{name}.manifest.json"
        for source, target in ((entry / spec.archive_name, archive), (entry / manifest.name, manifest)):
            if target.exists():
                target.unlink()
            shutil.move(str(source), target)
    return archive, manifest


__all__ = ["MiniArray", "MiniDataset", "TinyBuildError", "build_tiny", "load_dataset_arrays", "needed_groups", "replace"]
