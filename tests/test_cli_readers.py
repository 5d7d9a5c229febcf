"""The command-line readers' parsers: exact values, and no pass for an output that is not complete.

The readers (compat_tests/adapters/gdal_cli_mdim.py, ncdump_cli.py) run a tool and parse what it
printed or wrote. These tests need neither tool: they feed the parsers outputs written here, the
way the tools write them, then garbled ones (truncated, a count that does not match, a chunk of
the wrong size, an array the tool did not write), and check that a garbled output never passes
even when the tool's exit status was 0 (fake tools on PATH / in the netCDF-C prefix).
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest

from zipstore_compat.compat_tests.adapters import gdal_cli_mdim, ncdump_cli
from zipstore_compat.compat_tests.adapters.cli_common import CommandFailed, GarbledOutput
from zipstore_compat.compat_tests.checks import judge
from zipstore_compat.compat_tests.worker import summarise
from zipstore_compat.core import canonical

# ---- exact floats: ncdump -p 9,17 prints %.9g / %.17g; the parser must give back the very bits ---------------


def _float_patterns(dtype, count: int) -> np.ndarray:
    rng = np.random.default_rng(20261123)
    bits = np.dtype(dtype).itemsize * 8
    uint = np.dtype(f"u{bits // 8}")
    random = rng.integers(0, 2 ** bits - 1, size=count, dtype=np.uint64 if bits == 64 else np.uint32, endpoint=True).astype(uint)
    info = np.finfo(dtype)
    special = np.array([0.0, -0.0, 1.0, -1.0, info.tiny, -info.tiny, info.max, -info.max, info.eps, np.inf, -np.inf,
                        info.smallest_subnormal, -info.smallest_subnormal, 0.1, 1 / 3, 1e-30, 9.96921e36], dtype=dtype)
    values = np.concatenate([random.view(dtype), special])
    return values[~np.isnan(values)]


@pytest.mark.parametrize("dtype, digits, suffix", [("f4", 9, "f"), ("f8", 17, "")])
def test_ncdump_floats_round_trip_bit_for_bit(dtype, digits, suffix):
    values = _float_patterns(dtype, 200_000)
    tokens = [f"{v:.{digits}g}" for v in values.astype("f8")]
    tokens = [t.replace("inf", "Infinity") for t in tokens]  # ncdump's spelling of infinities
    var = {"type": "float" if dtype == "f4" else "double", "shape": [len(tokens)], "attrs": {}, "values": tokens}
    got = ncdump_cli.values_of(var, "x")
    assert got.dtype == np.dtype(dtype)
    assert np.array_equal(got.view(f"u{got.dtype.itemsize}"), values.view(f"u{values.dtype.itemsize}")), "a float did not round-trip"


def test_fewer_digits_would_not_round_trip():
    """The proof has teeth: ncdump's default 7 significant digits for float lose bits."""
    values = _float_patterns("f4", 10_000)
    var = {"type": "float", "shape": [len(values)], "attrs": {}, "values": [f"{v:.7g}".replace("inf", "Infinity") for v in values.astype("f8")]}
    assert not np.array_equal(ncdump_cli.values_of(var, "x"), values)


# ---- CDL as ncdump 4.9.3 prints it (checked against its output on an NCZarr zip written by netCDF4) ------------------------------------------------------------------------

CDL = '''netcdf coads\\-v2 {
dimensions:
	lat = 3 ;
	time = 2 ;
variables:
	double lat(lat) ;
		lat:units = "degrees_north" ;
		lat:_FillValue = NaN ;
	float sst(time, lat) ;
		sst:_FillValue = -1.00000003e+34f ;
		sst:long_name = "SEA SURFACE TEMPERATURE" ;
		sst:history = "line one\\n",
			"line two" ;
		sst:valid_range = -5.f, 40.5f ;
		sst:count = 3 ;
	int data ;
		data:units = "1" ;

// global attributes:
		string :title = "a \\"quoted\\" title" ;
data:

 lat = -89.000000000000014, NaN, 1.0000000000000001e-300 ;

 sst = 1.5, _, -0,
    Infinityf, -Infinityf, NaNf ;

 data = 7 ;

group: g\\ 1 {
  dimensions:
  	n = 2 ;
  variables:
  	ubyte b(n) ;
  	int64 big(n) ;
  	short s(time) ;
  data:

   b = 255, _ ;

   big = -9223372036854775807, 9223372036854775807 ;

   s = -32768, 32767 ;
  } // group g\\ 1
}
'''


def test_a_dataset_with_only_global_attributes_has_no_variables():
    """ncdump prints the global attributes of a dataset without variables with no "variables:" header."""
    text = 'netcdf x {\n\n// global attributes:\n\t\t:description = "A group with spaces in the name" ;\n\t\tstring :s = "a" ;\n}\n'
    assert ncdump_cli.parse_cdl(text)["variables"] == {}


def test_cdl_is_parsed_exactly():
    parsed = ncdump_cli.parse_cdl(CDL)["variables"]
    assert sorted(parsed) == ["data", "g 1/b", "g 1/big", "g 1/s", "lat", "sst"]
    lat = ncdump_cli.values_of(parsed["lat"])
    assert lat.dtype == np.float64 and lat[0] == -89.000000000000014 and np.isnan(lat[1]) and lat[2] == 1e-300
    sst = ncdump_cli.values_of(parsed["sst"])
    assert sst.shape == (2, 3) and sst.dtype == np.float32
    assert sst[0, 1] == np.float32(-1.00000003e+34)  # `_` is the variable's _FillValue
    assert sst[0, 2] == 0 and np.signbit(sst[0, 2]) and sst[1, 0] == np.inf and sst[1, 1] == -np.inf and np.isnan(sst[1, 2])
    assert parsed["sst"]["attrs"]["history"] == "line one\nline two"
    assert parsed["sst"]["attrs"]["valid_range"] == [-5.0, 40.5] and parsed["sst"]["attrs"]["count"] == 3
    assert parsed["sst"]["dims"] == ["time", "lat"] and parsed["lat"]["attrs"]["units"] == "degrees_north"
    assert ncdump_cli.values_of(parsed["data"]).tolist() == 7 and parsed["data"]["attrs"] == {"units": "1"}
    assert ncdump_cli.values_of(parsed["g 1/b"]).tolist() == [255, 255]  # ubyte's default fill
    assert ncdump_cli.values_of(parsed["g 1/big"]).tolist() == [-9223372036854775807, 9223372036854775807]
    assert parsed["g 1/s"]["shape"] == [2]  # a dimension of the parent group


@pytest.mark.parametrize("garble", [
    lambda t: t[: t.index("Infinityf, -Infinityf")],                       # the dump stops in the middle of the data
    lambda t: t.replace(" NaNf ;", " NaNf, 1 ;"),                         # one value too many
    lambda t: t.replace("1.5, _, -0,", "1.5, -0,"),                     # one value too few
    lambda t: t.replace(" data = 7 ;\n", ""),                           # a variable without its data
    lambda t: t.replace("1.5,", "1.5x,"),                               # a token that is no number
    lambda t: t.replace("1.5, _,", "1.5 _,"),                           # values not separated
    lambda t: t.replace("   big = -9223372036854775807", "   big = -9223372036854775807.5"),  # no integer in int64 data
    lambda t: t.rstrip().rstrip("}"),                                   # the dataset is not closed
])
def test_a_garbled_cdl_is_refused(garble):
    with pytest.raises(GarbledOutput):
        parsed = ncdump_cli.parse_cdl(garble(CDL))
        for path, var in parsed["variables"].items():
            ncdump_cli.values_of(var, path)


# ---- gdalmdimtranslate's output: an uncompressed Zarr v2 array ---------------------------------------------


def _zarr_array(folder: Path, values: np.ndarray, chunks: list[int], fill=0, drop=()) -> Path:
    folder.mkdir(parents=True)
    meta = {"chunks": chunks, "compressor": None, "dtype": values.dtype.str, "fill_value": fill, "filters": None,
            "order": "C", "shape": list(values.shape), "zarr_format": 2}
    (folder / ".zarray").write_text(json.dumps(meta))
    grid = [range(-(-n // c)) for n, c in zip(values.shape, chunks)]
    for index in np.ndindex(*[len(g) for g in grid]) if values.ndim else [()]:
        block = np.full(chunks, fill, dtype=values.dtype) if values.ndim else values.copy()
        region = tuple(slice(i * c, min((i + 1) * c, n)) for i, c, n in zip(index, chunks, values.shape))
        if values.ndim:
            block[tuple(slice(0, r.stop - r.start) for r in region)] = values[region]
        key = ".".join(map(str, index)) or "0"
        if key not in drop:
            (folder / key).write_bytes(block.tobytes())
    return folder


def test_uncompressed_zarr_is_read_exactly(tmp_path):
    values = (np.arange(7 * 5).reshape(7, 5) - 3.25).astype(">f8")
    got = gdal_cli_mdim.read_uncompressed_zarr(_zarr_array(tmp_path / "a", values, [3, 2]), [7, 5])
    assert got.dtype == np.dtype(">f8") and np.array_equal(got, values)
    scalar = gdal_cli_mdim.read_uncompressed_zarr(_zarr_array(tmp_path / "s", np.array(2.5), []), [])
    assert scalar.shape == () and scalar == 2.5
    # a chunk the writer left out is the fill value (Zarr v2)
    sparse = gdal_cli_mdim.read_uncompressed_zarr(_zarr_array(tmp_path / "f", np.zeros((4, 4), "<i4"), [2, 2], drop={"1.1"}), [4, 4])
    assert np.array_equal(sparse, np.zeros((4, 4)))


def test_a_garbled_zarr_output_is_refused(tmp_path):
    values = np.arange(12, dtype="<i4").reshape(3, 4)
    truncated = _zarr_array(tmp_path / "t", values, [2, 2])
    (truncated / "1.1").write_bytes((truncated / "1.1").read_bytes()[:-1])
    stray = _zarr_array(tmp_path / "x", values, [2, 2])
    (stray / "9.9").write_bytes(b"\0" * 16)
    compressed = _zarr_array(tmp_path / "c", values, [2, 2])
    meta = json.loads((compressed / ".zarray").read_text())
    (compressed / ".zarray").write_text(json.dumps(dict(meta, compressor={"id": "zlib", "level": 1})))
    for folder, shape in ((truncated, [3, 4]), (stray, [3, 4]), (compressed, [3, 4]), (_zarr_array(tmp_path / "s", values, [2, 2]), [4, 4]),
                          (tmp_path / "none", [3, 4])):
        with pytest.raises(GarbledOutput):
            gdal_cli_mdim.read_uncompressed_zarr(folder, shape)


# ---- the whole reader, with a fake tool that exits 0 and prints or writes something incomplete ---------------

MANIFEST_ARRAY = {"path": "v", "shape": [4], "dtype": "<i4", "dtype_class": "int32", "slice": [[1, 3]],
                  "attributes": {}, "dimension_names": ["n"]}


def _manifest(values: np.ndarray) -> dict:
    array = dict(MANIFEST_ARRAY, sha256=canonical.digest(values), slice_sha256=canonical.digest(values[1:3]),
                 preview=values.tolist()[:4], nan_count=0)
    return {"arrays": [array], "store_prefix": "", "archive": "x.zip"}


def _script(path: Path, body: str) -> None:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def _ncdump_outcome(tmp_path, monkeypatch, cdl: str, status: int = 0) -> str:
    (tmp_path / "bin").mkdir(parents=True)
    (tmp_path / "out.cdl").write_text(cdl)
    _script(tmp_path / "bin" / "ncdump", f'cat "{tmp_path}/out.cdl"\nexit {status}\n')
    monkeypatch.setenv("ZIPCOMPAT_NETCDF_C_PREFIX", str(tmp_path))
    values = np.array([1, 2, 3, 4], dtype="<i4")
    manifest = _manifest(values)
    try:
        reading = ncdump_cli.read(str(tmp_path / "x.zip"), manifest, {})
    except (GarbledOutput, CommandFailed) as exc:
        return f"error: {exc}"
    return judge(manifest, summarise(reading, manifest)).outcome


GOOD_CDL = "netcdf x {\ndimensions:\n\tn = 4 ;\nvariables:\n\tint v(n) ;\ndata:\n\n v = 1, 2, 3, 4 ;\n}\n"


def test_ncdump_reader_passes_a_complete_dump_and_nothing_less(tmp_path, monkeypatch):
    assert _ncdump_outcome(tmp_path / "a", monkeypatch, GOOD_CDL) == "pass"
    assert _ncdump_outcome(tmp_path / "b", monkeypatch, GOOD_CDL.replace("3, 4 ;\n}", "3,\n")).startswith("error: ")  # cut short, status 0
    assert _ncdump_outcome(tmp_path / "c", monkeypatch, GOOD_CDL.replace("1, 2, 3, 4", "1, 2, 3, 5")) == "wrong-data"
    assert _ncdump_outcome(tmp_path / "d", monkeypatch, GOOD_CDL.replace("v(n)", "w(n)").replace(" v =", " w =")) == "silent-missing"
    failed = _ncdump_outcome(tmp_path / "e", monkeypatch, GOOD_CDL, status=1)
    assert failed.startswith("error: exit status 1") and "ncdump -p 9,17 'file://" in failed  # the command line is in the message


def test_gdal_cli_reader_refuses_a_truncated_output_written_with_status_0(tmp_path, monkeypatch):
    values = np.array([1, 2, 3, 4], dtype="<i4")
    info = {"type": "group", "name": "/", "arrays": {"v": {"datatype": "Int32", "dimensions": ["/n"], "dimension_size": [4]}}}
    (tmp_path / "bin").mkdir()
    (tmp_path / "info.json").write_text(json.dumps(info))
    _script(tmp_path / "bin" / "gdalmdiminfo", f'cat "{tmp_path}/info.json"\n')
    # writes the array's .zarray and a chunk one byte short, and exits 0
    meta = json.dumps({"chunks": [4], "compressor": None, "dtype": "<i4", "fill_value": 0, "filters": None, "order": "C",
                       "shape": [4], "zarr_format": 2})
    _script(tmp_path / "bin" / "gdalmdimtranslate", '\n'.join([
        'for last; do :; done', 'case "$*" in *zipcompat_slice*) name=zipcompat_slice ;; *) name=zipcompat_values ;; esac',
        'mkdir -p "$last/$name"', f"printf '%s' '{meta}' > \"$last/$name/.zarray\"",
        "printf '\\001\\000\\000\\000\\002\\000\\000\\000\\003\\000\\000\\000\\004\\000\\000' > \"$last/$name/0\"", "exit 0", ""]))
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    manifest = _manifest(values)
    reading = gdal_cli_mdim.read(str(tmp_path / "x.zip"), manifest, {})
    verdict = judge(manifest, summarise(reading, manifest))
    assert verdict.outcome == "error" and "GarbledOutput" in reading["errors"]["v"], (verdict, reading["errors"])
    assert any(n.startswith("$ gdalmdimtranslate -q -of Zarr") for n in reading["notes"]), reading["notes"]
