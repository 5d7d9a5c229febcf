"""Small arrays that cover dtype and value edge cases.

Every value is computed from a fixed seed, so the dataset is the same on
every machine. Arrays that one Zarr format cannot hold say so in `formats`.
"""

from __future__ import annotations

import numpy as np

from zipstore_compat.datasets.model import ArraySpec, DatasetSpec

SEED = 20261121


def _ints(rng, dtype, n=37):
    info = np.iinfo(dtype)
    body = rng.integers(info.min, info.max, size=n - 2, dtype=dtype, endpoint=True)
    return np.concatenate([np.array([info.min, info.max], dtype=dtype), body])


def _floats(rng, dtype):
    values = rng.standard_normal(40).astype(dtype) * dtype(100)
    info = np.finfo(dtype)
    special = np.array([np.nan, np.inf, -np.inf, -0.0, info.max, info.min, info.tiny, info.eps], dtype=dtype)
    return np.concatenate([special, values]).reshape(6, 8)


def dataset(fetch: bool = True) -> DatasetSpec:
    rng = np.random.default_rng(SEED)
    arrays: list[ArraySpec] = []
    add = arrays.append

    add(ArraySpec("dtypes/bool", rng.integers(0, 2, size=(5, 7)).astype(bool), (2, 3), {"kind": "bool"}))
    for width in (8, 16, 32, 64):
        for sign in ("int", "uint"):
            dtype = np.dtype(f"{sign}{width}")
            add(ArraySpec(f"dtypes/{dtype.name}", _ints(rng, dtype), (10,), {"kind": dtype.name}))
    for dtype in (np.float16, np.float32, np.float64):
        # fill value NaN: chunks of all-NaN are still real chunks here
        add(ArraySpec(f"dtypes/{np.dtype(dtype).name}", _floats(rng, dtype), (4, 5), {"kind": np.dtype(dtype).name, "note": "NaN, inf, -inf, -0.0, max, min, tiny, eps"}, fill_value=float("nan")))
    for dtype in (np.complex64, np.complex128):
        values = (rng.standard_normal(12) + 1j * rng.standard_normal(12)).astype(dtype)
        values[0] = complex(np.nan, 1.0)
        add(ArraySpec(f"dtypes/{np.dtype(dtype).name}", values, (5,), {"kind": np.dtype(dtype).name}))
    dt = np.array(["1970-01-01T00:00:00", "2000-02-29T12:34:56", "NaT", "2262-04-11T23:47:16", "1677-09-21T00:12:44"], dtype="M8[s]")
    add(ArraySpec("dtypes/datetime64_s", dt, (2,), {"kind": "datetime64[s]"}))
    add(ArraySpec("dtypes/timedelta64_ms", np.array([0, 1, -1, 86_400_000, np.iinfo(np.int64).max], dtype="m8[ms]"), (3,), {"kind": "timedelta64[ms]"}))
    add(ArraySpec("dtypes/fixed_unicode", np.array(["", "a", "ümlaut", "日本語", "emoji😀"], dtype="U7"), (2,), {"kind": "fixed-length unicode U7"}))
    add(ArraySpec("dtypes/fixed_bytes", np.array([b"", b"a", b"abc", b"\x00\x01", b"zzzz"], dtype="S4"), (2,), {"kind": "fixed-length bytes S4"}))
    add(ArraySpec("dtypes/vlen_string", np.array(["", "short", "a much longer string than the others", "ünïcödé", "中文"], dtype=object), (2,), {"kind": "variable-length UTF-8 string"}))
    add(ArraySpec("dtypes/big_endian_i4", np.arange(-6, 6, dtype=">i4").reshape(3, 4), (2, 2), {"kind": "big-endian int32"}))
    add(ArraySpec("dtypes/big_endian_f8", np.linspace(-1, 1, 9, dtype=">f8"), (4,), {"kind": "big-endian float64"}))

    add(ArraySpec("shapes/zero_size", np.zeros((0, 4), dtype="f4"), (1, 4), {"case": "zero-size array"}, fill_value=0.0))
    add(ArraySpec("shapes/scalar", np.array(42.5, dtype="f8"), (), {"case": "0-d array"}))
    add(ArraySpec("shapes/ragged_chunks", np.arange(7 * 11 * 5, dtype="i2").reshape(7, 11, 5), (3, 4, 2), {"case": "chunks do not divide the shape"}))
    sparse = np.full((6, 6), -9999, dtype="i4")
    sparse[:3, :3] = np.arange(9, dtype="i4").reshape(3, 3)
    add(ArraySpec("shapes/missing_chunks", sparse, (3, 3), {"case": "three of four chunks never written: fill value only"}, fill_value=-9999, missing_chunks=((0, 1), (1, 0), (1, 1))))
    add(ArraySpec("shapes/all_fill_float", np.full((4, 4), np.nan, dtype="f4"), (2, 2), {"case": "no chunk written, fill value NaN"}, fill_value=float("nan"), missing_chunks=((0, 0), (0, 1), (1, 0), (1, 1))))

    add(ArraySpec("names/température_ünïcode", np.arange(4, dtype="f4"), (2,), {"description": "non-ASCII array name", "unité": "°C", "城市": "東京"}))
    add(ArraySpec("nested/level1/level2/level3/deep", np.arange(6, dtype="u1").reshape(2, 3), (1, 3), {"case": "nested groups four levels deep"}))

    groups = {
        "": {"title": "synthetic edge cases", "seed": SEED, "non_ascii_attr": "grüße ✓"},
        "dtypes": {"about": "one array per dtype"},
        "shapes": {"about": "shape and chunk edge cases"},
        "names": {"about": "non-ASCII names"},
        "nested": {},
        "nested/level1": {"level": 1},
        "nested/level1/level2": {"level": 2},
        "nested/level1/level2/level3": {"level": 3},
    }
    return DatasetSpec("synthetic", "synthetic", f"generated in datasets/synthetic.py (seed {SEED})", "CC0 (generated)", groups, arrays)
