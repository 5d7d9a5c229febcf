"""The store benchmark's measuring side, run inside the xarray environment (zarr-python 3 + fsspec).

python -m bench.store_worker CONFIG.json  ->  one JSON document on stdout.

For every (data, store): a warm-up, then N timed runs of write and of read
back; every read is verified by SHA-256 of its canonical bytes against the
original. The same run measures the physical limits: a raw sequential read of
the archive's bytes and a memory copy of the decoded array.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import statistics
import sys
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np

from zipstore_compat.core.canonical import canonical_bytes


def sha(a) -> str:
    return hashlib.sha256(canonical_bytes(a)).hexdigest()


def make_store(kind: str, workdir: Path):
    import zarr.storage as storage

    if kind == "zip-stored":
        return storage.ZipStore(workdir / "a.zip", mode="w", compression=zipfile.ZIP_STORED), workdir / "a.zip"
    if kind == "zip-deflate":
        return storage.ZipStore(workdir / "a.zip", mode="w", compression=zipfile.ZIP_DEFLATED), workdir / "a.zip"
    if kind == "directory":
        return storage.LocalStore(workdir / "a.zarr"), workdir / "a.zarr"
    if kind == "memory":
        return storage.MemoryStore(), None
    if kind == "fsspec-memory":
        import fsspec
        from fsspec.implementations.asyn_wrapper import AsyncFileSystemWrapper

        fs = fsspec.filesystem("memory")
        fs.rm("/bench", recursive=True) if fs.exists("/bench") else None
        return storage.FsspecStore(AsyncFileSystemWrapper(fs), path="/bench"), None
    raise ValueError(kind)


def reopen(kind: str, store, path):
    import zarr.storage as storage

    if kind.startswith("zip"):
        store.close()
        return storage.ZipStore(path, mode="r")
    return store


def one_run(data: np.ndarray, chunks, kind: str, expected: str) -> dict:
    import zarr

    workdir = Path(tempfile.mkdtemp(prefix="zipcompat-bench-"))
    try:
        store, path = make_store(kind, workdir)
        started = time.perf_counter()
        array = zarr.create_array(store, shape=data.shape, dtype=data.dtype, chunks=chunks, compressors=None)
        array[...] = data
        if kind.startswith("zip"):
            store.close()
        write = time.perf_counter() - started
        store = reopen(kind, store, path) if kind.startswith("zip") else store
        started = time.perf_counter()
        back = zarr.open_array(store, mode="r")[...]
        read = time.perf_counter() - started
        verified = sha(back) == expected
        raw = None
        if path is not None and path.is_file():
            started = time.perf_counter()
            with open(path, "rb") as handle:
                while handle.read(1 << 24):
                    pass
            raw = time.perf_counter() - started
        started = time.perf_counter()
        np.copy(back)
        memcpy = time.perf_counter() - started
        size = path.stat().st_size if path is not None and path.is_file() else None
        if kind.startswith("zip"):
            store.close()
        return {"write": write, "read": read, "verified": verified, "raw_read": raw, "memcpy": memcpy, "stored_bytes": size}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def measure(data: np.ndarray, chunks, kind: str, repeats: int) -> dict:
    expected = sha(data)
    one_run(data, chunks, kind, expected)  # warm-up
    runs = [one_run(data, chunks, kind, expected) for _ in range(repeats)]

    def stats(key):
        values = [r[key] for r in runs if r[key] is not None]
        if not values:
            return None
        return {"median": statistics.median(values), "min": min(values), "max": max(values)}

    mb = data.nbytes / 1e6
    out = {key: stats(key) for key in ("write", "read", "raw_read", "memcpy")}
    out["verified"] = all(r["verified"] for r in runs)
    out["runs"] = repeats
    out["megabytes"] = mb
    out["write_mb_s"] = mb / out["write"]["median"]
    out["read_mb_s"] = mb / out["read"]["median"]
    out["stored_bytes"] = runs[0]["stored_bytes"]
    out["read_vs_memcpy"] = out["read"]["median"] / out["memcpy"]["median"]
    out["read_vs_raw_read"] = out["read"]["median"] / out["raw_read"]["median"] if out["raw_read"] else None
    return out


def load_data(spec: dict) -> np.ndarray:
    if spec["kind"] == "random-int":
        rng = np.random.default_rng(spec.get("seed", 0))
        n = int(spec["megabytes"] * 1e6 // 4)
        return rng.integers(0, 1000, size=n, dtype="i4")
    return np.load(spec["file"], allow_pickle=False)


def main(config_path: str) -> int:
    warnings.simplefilter("ignore")
    config = json.loads(Path(config_path).read_text())
    out = {"stores": [], "size_scale": [], "chunk_scale": []}
    for spec in config["datasets"]:
        data = load_data(spec)
        chunks = tuple(min(s, c) for s, c in zip(data.shape, spec["chunks"]))
        for kind in config["stores"]:
            result = measure(data, chunks, kind, config["repeats"])
            out["stores"].append({"data": spec["name"], "store": kind, **result})
            print(f"  {spec['name']:12} {kind:14} write {result['write']['median']:.3f}s read {result['read']['median']:.3f}s verified {result['verified']}", file=sys.stderr, flush=True)
    for mb in config["size_scale_mb"]:
        data = load_data({"kind": "random-int", "megabytes": mb, "seed": 1})
        chunk = max(1, min(data.size, 262144))  # 1 MiB chunks of int32
        result = measure(data, (chunk,), "zip-stored", config["scale_repeats"])
        out["size_scale"].append({"megabytes": mb, **result})
        print(f"  size {mb} MB: read {result['read']['median']:.3f}s", file=sys.stderr, flush=True)
    base = load_data({"kind": "random-int", "megabytes": config["chunk_scale_mb"], "seed": 2})
    for count in config["chunk_counts"]:
        chunk = max(1, -(-base.size // count))
        result = measure(base, (chunk,), "zip-stored", config["scale_repeats"])
        out["chunk_scale"].append({"chunks": count, **result})
        print(f"  {count} chunks: write {result['write']['median']:.3f}s read {result['read']['median']:.3f}s", file=sys.stderr, flush=True)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
