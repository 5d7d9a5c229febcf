"""The floor of the cross-reader benchmark: what reading an archive costs at the least, on one core.

    python -m bench.floor   (a worker: JSON lines on stdin/stdout, core.serve; started by bench/readers.py)

Request: {"archive": path, "manifest": path, "repeats": N}. For the archive,
a warm-up and N timed runs of each component, median, min and max:

- raw_read: the archive's bytes read sequentially from the page cache (16 MiB blocks);
- inflate: every deflate member's compressed bytes inflated with zlib (0 when all members are stored);
- decode: every chunk decoded with the array's own codec through numcodecs
  (zstd, blosc with one thread, gzip), inner chunks of shards included, from
  bytes already in memory (0 for uncompressed chunks);
- memcpy: one memory copy of the decoded arrays' bytes.

floor = the sum of the four medians. Outside the timed regions, the decoded
chunks are assembled into the arrays and each array's canonical SHA-256 is
compared with the manifest's: the floor decoded the same values the readers
must return. Runs in the project environment under the worker's memory cap;
the orchestrator never decodes an archive itself.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import zipfile
import zlib

import numpy as np

from zipstore_compat.core import canonical, ziprecords
from zipstore_compat.core.serve import serve

BLOCK = 1 << 24
NO_CHUNK = 2**64 - 1  # a shard index entry for an absent inner chunk


class FloorError(ValueError):
    """An archive whose floor this module cannot compute (a codec it does not know, a layout it does not read)."""


def _decoders():
    import numcodecs
    from numcodecs import blosc

    blosc.use_threads = False  # single core: the floor is one core's work
    try:
        blosc.set_nthreads(1)
    except Exception:  # noqa: BLE001 (older numcodecs)
        pass
    return {"zstd": numcodecs.Zstd(), "blosc": numcodecs.Blosc(), "gzip": numcodecs.GZip(), "zlib": numcodecs.Zlib(),
            "lz4": numcodecs.LZ4(), "bz2": numcodecs.BZ2(), "lzma": numcodecs.LZMA()}


def _v3_compressor(codecs: list[dict], decoders: dict):
    """The one bytes-to-bytes codec of a v3 chain (None when the chunks are not compressed)."""
    found = None
    for codec in codecs:
        name = codec["name"]
        if name in ("bytes", "crc32c"):
            continue
        if name == "transpose":
            raise FloorError("the transpose codec is not part of this floor")
        if name not in decoders:
            raise FloorError(f"codec {name!r} has no decoder here")
        if found is not None:
            raise FloorError("more than one compressor in a codec chain")
        found = decoders[name]
    return found


def _member_bytes(archive: str, info: zipfile.ZipInfo) -> bytes:
    """A member's bytes as stored in the archive (compressed or not), found through its local header."""
    with open(archive, "rb") as handle:
        header = ziprecords.read_local_header(handle, handle.seek(0, 2), info.header_offset)   # the one reading of the layout
        if header is None:
            raise FloorError(f"{info.filename}: no local header at {info.header_offset}")
        handle.seek(header.data_at)
        return handle.read(info.compress_size)


def prepare(archive: str, manifest: dict) -> dict:
    """Everything the timed runs need, in memory: members' stored bytes, each chunk's place and codec."""
    decoders = _decoders()
    prefix = manifest.get("store_prefix") or ""
    with zipfile.ZipFile(archive) as z:
        infos = {i.filename: i for i in z.infolist() if not i.is_dir()}
        arrays = []
        for expected in manifest["arrays"]:
            base = f"{prefix}{expected['path']}/"
            dtype = np.dtype(expected["dtype"]) if expected["dtype"] != "string" else None
            if dtype is None or dtype.kind in "OTUS" or dtype.names:
                raise FloorError(f"{expected['path']}: dtype {expected['dtype']} is not part of this floor")
            if base + "zarr.json" in infos:
                meta = json.loads(z.read(infos[base + "zarr.json"]))
                chunks = meta["chunk_grid"]["configuration"]["chunk_shape"]
                encoding = meta.get("chunk_key_encoding", {"name": "default"})
                separator = encoding.get("configuration", {}).get("separator", "/" if encoding["name"] == "default" else ".")
                key_prefix = "c" + separator if encoding["name"] == "default" else ""
                codecs = meta["codecs"]
                shard = None
                if codecs and codecs[0]["name"] == "sharding_indexed":
                    config = codecs[0]["configuration"]
                    if config.get("index_location", "end") != "end" or _v3_compressor(config.get("index_codecs", []), decoders):
                        raise FloorError(f"{expected['path']}: a shard index this floor does not read")
                    shard = {"inner": config["chunk_shape"], "compressor": _v3_compressor(config["codecs"], decoders)}
                    compressor = None
                else:
                    compressor = _v3_compressor(codecs, decoders)
                if dtype.itemsize > 1 and any(c.get("configuration", {}).get("endian", "little") == "big"
                                              for c in (shard and config["codecs"] or codecs)):
                    dtype = dtype.newbyteorder(">")
                fill = meta.get("fill_value")
            elif base + ".zarray" in infos:
                import numcodecs

                meta = json.loads(z.read(infos[base + ".zarray"]))
                chunks, separator, key_prefix, shard = meta["chunks"], meta.get("dimension_separator", "."), "", None
                compressor = numcodecs.get_codec(meta["compressor"]) if meta.get("compressor") else None
                if meta.get("filters"):
                    raise FloorError(f"{expected['path']}: filters are not part of this floor")
                if meta.get("order", "C") != "C":
                    raise FloorError(f"{expected['path']}: order F is not part of this floor")
                dtype, fill = np.dtype(meta["dtype"]), meta.get("fill_value")
            else:
                raise FloorError(f"{expected['path']}: no zarr.json or .zarray in the archive")
            grid = [-(-s // c) for s, c in zip(expected["shape"], chunks)]
            items = []
            for index in np.ndindex(*grid) if grid else [()]:
                name = base + key_prefix + (separator.join(map(str, index)) if index else "0")
                if name in infos:
                    items.append((index, infos[name]))
            arrays.append({"path": expected["path"], "shape": expected["shape"], "chunks": chunks, "dtype": dtype, "fill": fill,
                           "compressor": compressor, "shard": shard, "items": items, "sha256": expected["sha256"]})
    members = {}
    for array in arrays:
        for _, info in array["items"]:
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise FloorError(f"{info.filename}: ZIP compression method {info.compress_type} is not part of this floor (stored and deflate are)")
            members[info.filename] = (info.compress_type, _member_bytes(archive, info))
    return {"arrays": arrays, "members": members}


def _inflate_all(members: dict) -> dict:
    out = {}
    for name, (method, data) in members.items():
        if method == zipfile.ZIP_DEFLATED:
            inflater = zlib.decompressobj(-15)
            out[name] = inflater.decompress(data) + inflater.flush()
        else:
            out[name] = data
    return out


def _shard_parts(data: bytes, shard: dict, chunk_shape) -> list:
    """(inner index, encoded bytes) of each inner chunk of a shard, from the index at its end."""
    inner_grid = [-(-c // i) for c, i in zip(chunk_shape, shard["inner"])]
    count = int(np.prod(inner_grid))
    index = np.frombuffer(data, dtype="<u8", count=2 * count, offset=len(data) - 16 * count - 4).reshape(count, 2)
    parts = []
    for n, inner in enumerate(np.ndindex(*inner_grid)):
        offset, nbytes = int(index[n, 0]), int(index[n, 1])
        if offset == NO_CHUNK:
            continue
        parts.append((inner, data[offset:offset + nbytes]))
    return parts


def _decode_all(prepared: dict, payloads: dict) -> list:
    """Every chunk decoded: per array a list of (chunk index, inner index or None, decoded bytes)."""
    decoded = []
    for array in prepared["arrays"]:
        chunks = []
        for index, info in array["items"]:
            data = payloads[info.filename]
            if array["shard"] is None:
                codec = array["compressor"]
                chunks.append((index, None, codec.decode(data) if codec is not None else data))
                continue
            codec = array["shard"]["compressor"]
            for inner, part in _shard_parts(data, array["shard"], array["chunks"]):
                chunks.append((index, inner, codec.decode(part) if codec is not None else part))
        decoded.append(chunks)
    return decoded


def _assemble(array: dict, chunks: list) -> np.ndarray:
    fill = array["fill"]
    out = np.full(array["shape"], 0 if fill is None else fill, dtype=array["dtype"])
    outer, inner_shape = array["chunks"], (array["shard"] or {}).get("inner")
    for index, inner, data in chunks:
        start = [i * c for i, c in zip(index, outer)]
        shape = outer
        if inner is not None:
            start = [s + i * c for s, i, c in zip(start, inner, inner_shape)]
            shape = inner_shape
        block = np.frombuffer(bytes(data), dtype=array["dtype"]).reshape(shape)
        box = tuple(slice(s, min(s + c, n)) for s, c, n in zip(start, shape, array["shape"]))
        if any(b.start >= b.stop for b in box):
            continue  # an inner chunk wholly past the array's edge
        out[box] = block[tuple(slice(0, b.stop - b.start) for b in box)]
    return out


def _timed(function, repeats: int) -> dict:
    function()  # warm-up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "runs": repeats}


def measure(archive: str, manifest: dict, repeats: int) -> dict:
    prepared = prepare(archive, manifest)
    payloads = _inflate_all(prepared["members"])
    decoded = _decode_all(prepared, payloads)
    verified, nbytes = {}, 0
    for array, chunks in zip(prepared["arrays"], decoded):
        values = _assemble(array, chunks)
        nbytes += values.nbytes
        verified[array["path"]] = canonical.digest(values) == array["sha256"]
    del decoded

    def raw_read():
        with open(archive, "rb") as handle:
            while handle.read(BLOCK):
                pass

    deflated = {k: v for k, v in prepared["members"].items() if v[0] == zipfile.ZIP_DEFLATED}
    compressed = any(a["compressor"] is not None or (a["shard"] or {}).get("compressor") is not None for a in prepared["arrays"])
    source = np.ones(max(1, nbytes), dtype=np.uint8)
    components = {
        "raw_read": _timed(raw_read, repeats),
        "inflate": _timed(lambda: _inflate_all(deflated), repeats) if deflated else None,
        "decode": _timed(lambda: _decode_all(prepared, payloads), repeats) if compressed else None,
        "memcpy": _timed(lambda: np.copy(source), repeats),
    }
    codecs = sorted({type(c).__name__.lower() for a in prepared["arrays"]
                     for c in (a["compressor"], (a["shard"] or {}).get("compressor")) if c is not None})
    return {
        "components": components,
        "seconds": sum(c["median"] for c in components.values() if c),
        "archive_bytes": os.path.getsize(archive),
        "decoded_bytes": nbytes,
        "members": len(prepared["members"]),
        "deflate_members": len(deflated),
        "chunk_members": sum(len(a["items"]) for a in prepared["arrays"]),
        "codecs": codecs,
        "sharded": any(a["shard"] for a in prepared["arrays"]),
        "verified": all(verified.values()),
        "verified_arrays": verified,
    }


def versions() -> dict:
    import numcodecs

    return {"numcodecs": numcodecs.__version__, "numpy": np.__version__, "zlib": zlib.ZLIB_RUNTIME_VERSION,
            "python": sys.version.split()[0]}


def answer(request: dict) -> dict:
    if request.get("command") == "describe":
        return {"ok": True, "result": {"versions": versions()}}
    manifest = json.loads(open(request["manifest"], encoding="utf-8").read())
    try:
        return {"ok": True, "result": measure(request["archive"], manifest, int(request.get("repeats", 5)))}
    except FloorError as exc:  # an archive this floor does not read: said so, the run goes on
        return {"ok": False, "error": f"no floor: {exc}"}


def main() -> int:
    return serve(answer)


if __name__ == "__main__":
    sys.exit(main())
