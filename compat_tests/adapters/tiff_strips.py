"""Read the uncompressed, striped GeoTIFF that `gdal_translate -of GTiff -co COMPRESS=NONE -co TILED=NO
-co INTERLEAVE=BAND` writes, with numpy alone: exactly the bytes GDAL wrote, no decoding.

The classic command-line reader (gdal_cli_classic.py) turns gdal_translate's output into values with this. It
refuses anything it cannot read exactly (a compression, tiles, a sample layout it does not know, a strip of the
wrong size) instead of guessing: an output that is not the complete reading raises GarbledOutput.
Standard library at import time (repro bundles import the adapters to list their commands).
"""

from __future__ import annotations

import struct
from pathlib import Path

from zipstore_compat.compat_tests.adapters.cli_common import GarbledOutput

TAGS = {256: "width", 257: "length", 258: "bits", 259: "compression", 273: "strip_offsets", 277: "samples",
        278: "rows_per_strip", 279: "strip_counts", 284: "planar", 322: "tile_width", 339: "sample_format"}
TYPE_SIZES = {1: 1, 3: 2, 4: 4, 16: 8}   # BYTE, SHORT, LONG, LONG8 (BigTIFF)
# SampleFormat -> numpy kind: 1 unsigned, 2 signed, 3 float, 6 complex float (5, complex integers, never comes from Zarr)
SAMPLE_KINDS = {1: "u", 2: "i", 3: "f", 6: "c"}


def _ifd(data: bytes) -> tuple[str, dict]:
    order = {b"II": "<", b"MM": ">"}.get(data[:2])
    if order is None:
        raise GarbledOutput(f"not a TIFF file (starts {data[:4]!r})")
    magic = struct.unpack(order + "H", data[2:4])[0]
    big = magic == 43
    if magic not in (42, 43):
        raise GarbledOutput(f"not a TIFF file (magic {magic})")
    offset = struct.unpack(order + ("Q" if big else "I"), data[8:16] if big else data[4:8])[0]
    count_fmt, entry_size = (("Q", 20) if big else ("H", 12))
    count = struct.unpack(order + count_fmt, data[offset:offset + struct.calcsize(count_fmt)])[0]
    start = offset + struct.calcsize(count_fmt)
    fields = {}
    for i in range(count):
        entry = data[start + i * entry_size:start + (i + 1) * entry_size]
        tag, kind = struct.unpack(order + "HH", entry[:4])
        if tag not in TAGS:
            continue
        n = struct.unpack(order + ("Q" if big else "I"), entry[4:12] if big else entry[4:8])[0]
        size = TYPE_SIZES.get(kind)
        if size is None:
            raise GarbledOutput(f"TIFF tag {tag} has a field type {kind} this reader does not take")
        inline = entry[12:20] if big else entry[8:12]
        raw = inline[:n * size] if n * size <= len(inline) else \
            data[(at := struct.unpack(order + ("Q" if big else "I"), inline)[0]):at + n * size]
        code = {1: "B", 3: "H", 4: "I", 16: "Q"}[kind]
        fields[TAGS[tag]] = list(struct.unpack(order + code * n, raw))
    return order, fields


def read_strips(path: Path):
    """The TIFF's samples as an array of shape (bands, lines, samples); raises GarbledOutput unless it is exactly the
    uncompressed, striped, band-interleaved layout asked of gdal_translate."""
    import numpy as np

    data = Path(path).read_bytes()
    order, f = _ifd(data)
    one = {k: v[0] for k, v in f.items() if len(v) == 1}
    if one.get("compression", 1) != 1 or "tile_width" in f:
        raise GarbledOutput(f"{path.name}: compressed or tiled TIFF (compression {one.get('compression')}), not what was asked")
    width, length, bands = one["width"], one["length"], one.get("samples", 1)
    bits = set(f.get("bits", [1]))
    formats = set(f.get("sample_format", [1]))
    if len(bits) != 1 or len(formats) != 1:
        raise GarbledOutput(f"{path.name}: bands of different types ({bits}, {formats})")
    bit, fmt = bits.pop(), formats.pop()
    if fmt in SAMPLE_KINDS and bit % 8 == 0:
        dtype = np.dtype(f"{order}{SAMPLE_KINDS[fmt]}{bit // 8}")
    else:
        raise GarbledOutput(f"{path.name}: sample format {fmt} with {bit} bits is not a type this reader knows")
    if bands > 1 and one.get("planar", 1) != 2:
        raise GarbledOutput(f"{path.name}: {bands} bands interleaved by pixel, not by band as asked")
    offsets, counts = f["strip_offsets"], f["strip_counts"]
    rows = one.get("rows_per_strip", length)
    per_band = -(-length // rows)
    if len(offsets) != per_band * bands or len(counts) != len(offsets):
        raise GarbledOutput(f"{path.name}: {len(offsets)} strips for {bands} band(s) of {length} rows by {rows}")
    item = dtype.itemsize
    out = []
    for band in range(bands):
        raw = b"".join(data[o:o + c] for o, c in zip(offsets[band * per_band:(band + 1) * per_band], counts[band * per_band:(band + 1) * per_band]))
        if len(raw) != width * length * item:
            raise GarbledOutput(f"{path.name}: band {band + 1} holds {len(raw)} bytes, {width} x {length} samples of {item} bytes need {width * length * item}")
        out.append(np.frombuffer(raw, dtype=dtype).reshape(length, width))
    return np.stack(out)
