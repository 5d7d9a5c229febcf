"""The archive doctor (doctor/): lint on every kind of archive, the evidence rule, the RFC-9 rules, repack."""

from __future__ import annotations

import ast
import json
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from zipstore_compat.doctor import rfc9
from zipstore_compat.doctor.evidence import compare_with_baseline
from zipstore_compat.doctor.lint import lint, render_ozx, render_text
from zipstore_compat.doctor.repack import RepackError, repack
from zipstore_compat.fixtures.catalogue import catalogue
from zipstore_compat.fixtures.hostile import HOSTILE

ROOT = Path(__file__).resolve().parent.parent
# what lint (with --local-headers --crc) finds in each hostile archive: the finding that names it ("" for none)
HOSTILE_FINDINGS = {
    "hostile-baseline": "", "hostile-truncated-member": "not-readable", "hostile-truncated-cd": "not-readable",
    "hostile-truncated-end": "not-readable", "hostile-bad-crc": "crc", "hostile-deflate-bomb": "bomb",
    "hostile-lying-sizes": "sizes", "hostile-overlapping": "overlapping", "hostile-encrypted": "encrypted",
    "hostile-unknown-method": "unknown-method", "hostile-traversal-names": "traversal-names",
    "hostile-duplicate-sizes": "duplicates", "hostile-non-utf8-name": "utf8-names", "hostile-cd-count-lies": "entry-count",
    "hostile-fake-end-record": "end-records", "hostile-meta-huge-shape": "huge-shape", "hostile-meta-tiny-chunks": "tiny-chunks",
    "hostile-meta-deep-json": "metadata", "hostile-meta-big-json": "metadata", "hostile-meta-root-not-json": "metadata",
    "hostile-meta-array-not-json": "metadata",
}
LINT_MEMORY = 1 * 2**30   # a hard cap that catches a runaway (the 200 MiB goal is measured by the benchmark, docs/findings/doctor.md)
LINT_SECONDS = 120


def _lint_capped(archive: Path, *flags: str) -> subprocess.CompletedProcess:
    """lint as a user runs it, in a process with a memory cap and a time limit: a runaway fails the test, never the machine."""
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (LINT_MEMORY, LINT_MEMORY))
    return subprocess.run([sys.executable, "-m", "zipstore_compat.doctor", "lint", str(archive), "--json", "--results", str(archive) + ".none", *flags],
                          cwd=ROOT, capture_output=True, text=True, timeout=LINT_SECONDS, preexec_fn=cap)


def _checked(proc: subprocess.CompletedProcess) -> dict:
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert proc.returncode == report["exit"] and report["exit"] in (0, 1, 2)
    assert report["readable"] or report["why"]
    return report


# --- the evidence rule


def _cell(reader, fixture, outcome, tags, option=None):
    return {"cell": f"{reader}--{fixture}", "reader": reader, "fixture": fixture, "outcome": outcome, "tags": tags,
            "option": option, "versions": {"lib": "1.0"}, "message": f"{outcome} message"}


BASE = ["dataset:d", "kind:grid", "baseline"]
DEFLATE = ["dataset:d", "kind:grid", "zip:deflate", "axis:compression"]
PAYLOAD = {"cells": [
    _cell("reads-both", "d-base", "pass", BASE), _cell("reads-both", "d-deflate", "pass", DEFLATE),
    _cell("breaks", "d-base", "pass", BASE), _cell("breaks", "d-deflate", "error", DEFLATE),
    _cell("fails-base", "d-base", "error", BASE), _cell("fails-base", "d-deflate", "error", DEFLATE),
    _cell("optioned", "d-base", "pass", BASE), _cell("optioned", "d-deflate", "partial", DEFLATE, option="x=1"),
    _cell("untested", "d-base", "not-installed", BASE), _cell("untested", "d-deflate", "not-installed", DEFLATE),
    _cell("wrong", "d-base", "pass", BASE), _cell("wrong", "d-deflate", "wrong-data", DEFLATE),
    _cell("breaks", "hostile-baseline", "pass", ["kind:hostile", "hostile:baseline"]),
    _cell("breaks", "hostile-bomb", "crash", ["kind:hostile", "hostile:bomb"]),
]}


def test_a_reader_breaks_when_it_reads_the_baseline_and_not_the_property():
    found = compare_with_baseline(PAYLOAD, lambda f, tags: "zip:deflate" in tags)
    verdicts = {r: v["verdict"] for r, v in found["readers"].items()}
    assert verdicts == {"reads-both": "reads", "breaks": "breaks", "fails-base": "baseline-fails", "optioned": "reads-with-option",
                        "untested": "not-tested", "wrong": "breaks"}
    assert found["breaks"] == ["breaks", "wrong"] and found["readers"]["wrong"]["wrong_data"]
    pair = found["readers"]["breaks"]["pairs"][0]
    assert (pair["cell"], pair["baseline_cell"], pair["why"]) == ("breaks--d-deflate", "breaks--d-base", "error message")
    assert found["readers"]["breaks"]["version"] == "1.0"


def test_hostile_archives_are_compared_with_the_hostile_control_and_no_cell_is_said():
    found = compare_with_baseline(PAYLOAD, lambda f, tags: f == "hostile-bomb")
    assert found["breaks"] == ["breaks"]
    assert compare_with_baseline(PAYLOAD, lambda f, tags: False) == {"fixtures": [], "breaks": [], "readers": {}}
    only = compare_with_baseline(PAYLOAD, lambda f, tags: "zip:deflate" in tags, readers=["reads-both", "nobody"])
    assert only["readers"]["nobody"]["verdict"] == "not-tested"


def test_lint_names_the_readers_from_the_results_with_cell_ids(tmp_path):
    results = tmp_path / "results.json"
    rows = [{"id": "zip-deflate", "fixtures": ["d-deflate"]}]
    results.write_text(json.dumps({**PAYLOAD, "summary": {"rows": rows}, "run": {"started": "now"}}), encoding="utf-8")
    archive = tmp_path / "x.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zarr.json", json.dumps({"zarr_format": 3, "node_type": "group", "attributes": {}}))
    report = lint(archive, results)
    compression = next(f for f in report["findings"] if f["id"] == "compression")
    assert [b["reader"] for b in compression["results"]["breaks"]] == ["breaks", "wrong"]
    assert compression["results"]["breaks"][0]["cells"] == ["breaks--d-deflate"] and report["exit"] == 1
    assert "breaks breaks 1.0: breaks--d-deflate (error) vs breaks--d-base (reads)" in render_text(report)
    assert report["breaks"] == ["breaks", "wrong"]


# --- lint on every kind of archive


@pytest.mark.parametrize("fixture_id", list(HOSTILE))
def test_lint_on_every_hostile_archive(hostile_dir, fixture_id):
    proc = _lint_capped(hostile_dir / f"{fixture_id}.zip", "--local-headers", "--crc")
    report = _checked(proc)
    expected = HOSTILE_FINDINGS[fixture_id]
    if expected == "not-readable":
        assert report["exit"] == 2 and not report["readable"]
    elif expected:
        assert expected in {f["id"] for f in report["findings"] if f["level"] in ("unsafe", "departs")}, report["findings"]
    else:
        assert report["exit"] == 0


def test_lint_never_inflates_a_bomb(hostile_dir, monkeypatch):
    import zipstore_compat.doctor.archive
    from zipstore_compat import doctor
    import zipstore_compat.doctor.lint
    from zipstore_compat import doctor

    inflated = []
    original = doctor.archive.iter_member

    def spy(archive, entry, handle, limit):
        inflated.append(entry.name)
        return original(archive, entry, handle, limit)

    monkeypatch.setattr(doctor.lint, "iter_member", spy)
    monkeypatch.setattr(doctor.archive, "iter_member", spy)
    report = lint(hostile_dir / "hostile-deflate-bomb.zip", hostile_dir / "none.json", crc=True)
    assert "bomb" in {f["id"] for f in report["findings"]}
    assert "bomb/c/0" not in inflated and "intact/c/0/0" in inflated


def test_lint_on_every_default_fixture(built_fixtures):
    for fixture_id, manifest in built_fixtures.items():
        report = _checked(_lint_capped(Path(manifest["_archive"])))
        assert report["readable"], fixture_id
        assert report["entries"] == manifest["zip"]["entries"], fixture_id
        assert report["store"]["prefix"] == manifest["zip"]["root_prefix"], fixture_id
        ids = {f["id"]: f["level"] for f in report["findings"]}
        if not manifest["writer_check"]["intact"]:   # a writer's broken archive (its finding): lint says it is not safe to read
            assert {i for i, level in ids.items() if level in ("unsafe", "fatal")}, (fixture_id, ids)
            # and says no Zarr format when the metadata it would be read from is itself broken (dask writing in parallel
            # can overwrite the first local header: zarr-python #3516)
            assert report["store"]["zarr_format"] == manifest["zarr_format"] or ids.get("metadata") == "unsafe", (fixture_id, ids)
            continue
        assert report["store"]["zarr_format"] == manifest["zarr_format"], fixture_id
        assert (ids.get("duplicates") == "departs") == bool(manifest["zip"]["duplicates"]["count"]), fixture_id
        # entries under a folder (zip -r, netCDF-C's own, bsdtar's "./")
        assert (ids.get("layout") == "departs") == (manifest["zip"]["root_prefix"] != ""), fixture_id
        assert not {i for i, level in ids.items() if level in ("unsafe", "fatal")}, (fixture_id, ids)


@pytest.mark.parametrize("fixture_id", sorted(catalogue()))
def test_lint_on_every_external_archive(external_archive, fixture_id):
    report = _checked(_lint_capped(external_archive(fixture_id), "--local-headers"))
    assert report["readable"] and report["entries"] > 0


def test_lint_never_raises_on_damaged_bytes(hostile_dir, tmp_path):
    """300 seeded damages of one archive (bytes changed, cut, a 4-byte field overwritten): a report every time."""
    import random

    original = (hostile_dir / "hostile-baseline.zip").read_bytes()
    rng = random.Random(25)
    for n in range(300):
        data = bytearray(original)
        if n % 3 == 0:
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif n % 3 == 1:
            data = data[:rng.randrange(len(data))]
        else:
            at = rng.randrange(len(data) - 4)
            data[at:at + 4] = rng.randrange(2**32).to_bytes(4, "little")
        path = tmp_path / "damaged.zip"
        path.write_bytes(bytes(data))
        assert lint(path, tmp_path / "none.json", local_headers=True, crc=True)["exit"] in (0, 1, 2), n


def test_not_an_archive_is_one_line_and_exit_2(tmp_path):
    for content in (b"", b"hello", b"PK\x03\x04" + bytes(40)):
        path = tmp_path / "x.zip"
        path.write_bytes(content)
        proc = subprocess.run([sys.executable, "-m", "zipstore_compat.doctor", "lint", str(path)], cwd=ROOT, capture_output=True, text=True)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert len(proc.stdout.strip().splitlines()) == 1 and "not a readable archive" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "zipstore_compat.doctor", "lint", str(tmp_path / "missing.zip"), "--format", "ozx"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stdout.strip().endswith("::None::ERROR::not a readable ZIP archive: no such file")


# --- the RFC-9 rules, as ozx-tck's validate states them


def _zip(path: Path, names: list[str], comment: bytes = b"", compression=zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name in names:
            zf.writestr(name, b"{}")
        zf.comment = comment
    return path


JSON_FIRST = json.dumps({"ome": {"version": "0.5", "zipFile": {"centralDirectory": {"jsonFirst": True}}}}).encode()


@pytest.mark.parametrize("names, comment, suffix, expected", [
    (["zarr.json", "a/zarr.json", "a/b/zarr.json", "a/c/0"], JSON_FIRST, ".ozx", ["WARN::does not use ZIP64"]),
    (["zarr.json"], b"", ".zip", ["None::WARN::does not end in .ozx", "None::WARN::no JSON comment", "WARN::does not use ZIP64"]),
    (["a/c/0", "zarr.json"], JSON_FIRST, ".ozx", ["None::ERROR::should be JSON first but isn't", "WARN::does not use ZIP64"]),
    (["zarr.json", "a/b/zarr.json", "a/zarr.json"], JSON_FIRST, ".ozx", ["None::ERROR::should be BFS but isn't", "WARN::does not use ZIP64"]),
    (["x/zarr.json", "inner.ozx"], b'{"ome": {}}', ".ozx", ["None::WARN::JSON comment missing `ome.version`",
                                                           "None::WARN::JSON comment does not show metadata files as sorted",
                                                           "inner.ozx::ERROR::probably contains archive",
                                                           "zarr.json::ERROR::missing root metadata", "WARN::does not use ZIP64"]),
    (["zarr.json"], b"[1]", ".ozx", ["None::WARN::JSON comment is not an object", "WARN::does not use ZIP64"]),
])
def test_ozx_tck_rules_and_format(tmp_path, names, comment, suffix, expected):
    path = _zip(tmp_path / f"x{suffix}", names, comment)
    report = lint(path, tmp_path / "none.json")
    lines = render_ozx(report).splitlines()
    assert len(lines) == len(expected)
    for line, end in zip(lines, expected):
        assert line.startswith(f"{path}::") and line.endswith(end), (line, end)
    states = {line.split("::")[2] for line in lines}
    assert rfc9.exit_status([rfc9.Event(**e) for e in report["rfc9"]]) == (2 if "ERROR" in states else 0)
    assert rfc9.exit_status([rfc9.Event(**e) for e in report["rfc9"]], strict=True) == (2 if "ERROR" in states else 1)


def test_compressed_members_warn_per_member(tmp_path):
    path = _zip(tmp_path / "x.ozx", ["zarr.json", "a"], JSON_FIRST, zipfile.ZIP_DEFLATED)
    lines = render_ozx(lint(path, tmp_path / "none.json")).splitlines()
    assert f"{path}::zarr.json::WARN::zip compressed" in lines and f"{path}::a::WARN::zip compressed" in lines


# --- repack


def _store(path: Path, names: dict[str, bytes], compression=zipfile.ZIP_DEFLATED, comment=b"") -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in names.items():
            zf.writestr(zipfile.ZipInfo(name, (2024, 5, 6, 7, 8, 10)), data, compress_type=compression)
        zf.comment = comment
    return path


def _array(values: list[int]) -> dict[str, bytes]:
    import numpy as np

    meta = {"zarr_format": 3, "node_type": "array", "shape": [len(values)], "data_type": "int32",
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2]}},
            "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}}, "fill_value": 0,
            "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}], "attributes": {"units": "m"}}
    out = {"x.zarr/zarr.json": json.dumps({"zarr_format": 3, "node_type": "group", "attributes": {}}).encode(),
           "x.zarr/a/zarr.json": json.dumps(meta).encode()}
    for i in range(0, len(values), 2):   # an edge chunk is written whole, the part past the shape with the fill value
        out[f"x.zarr/a/c/{i // 2}"] = np.array((values[i:i + 2] + [0])[:2], dtype="<i4").tobytes()
    return out


def test_repack_is_byte_deterministic_and_keeps_the_values(tmp_path):
    names = {"x.zarr/": b"", "__MACOSX/._x": b"junk", **_array([1, 2, 3, 4, 5])}
    names["x.zarr/.DS_Store"] = b"junk"
    source = _store(tmp_path / "in.zip", names)
    outputs = []
    for n in (1, 2):
        out = tmp_path / f"out{n}" / "x.zip"
        assert repack(source, out, tmp_path / "none.json", run_matrix=False, log=lambda m: None) == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    with zipfile.ZipFile(tmp_path / "out1" / "x.zip") as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == ["zarr.json", "a/zarr.json", "a/c/0", "a/c/1", "a/c/2"]   # metadata first, at the root
        assert {i.compress_type for i in infos} == {zipfile.ZIP_STORED} and {i.date_time for i in infos} == {(2020, 1, 1, 0, 0, 0)}
        assert zf.testzip() is None
    report = lint(tmp_path / "out1" / "x.zip", tmp_path / "none.json")
    assert report["exit"] == 0 and [f["id"] for f in report["findings"] if f["level"] != "info"] == ["codecs"]   # raw chunks: kept


def test_repack_to_ozx_is_rfc9_clean(tmp_path):
    source = _store(tmp_path / "in.zip", _array([1, 2, 3]))
    out = tmp_path / "x.ozx"
    assert repack(source, out, tmp_path / "none.json", run_matrix=False, log=lambda m: None) == 0
    report = lint(out, tmp_path / "none.json")
    assert report["rfc9"] == []
    assert {f["id"]: f["level"] for f in report["findings"]}["zip64"] == "departs"   # forced, as RFC-9 asks


def test_repack_refuses_what_it_cannot_repair(tmp_path, hostile_dir):
    for fixture_id, finding in HOSTILE_FINDINGS.items():
        if finding in ("", "duplicates", "crc", "sizes"):   # the control; a name twice (resolved); found only by inflating
            continue
        with pytest.raises(RepackError) as refused:
            repack(hostile_dir / f"{fixture_id}.zip", tmp_path / f"{fixture_id}.zip", tmp_path / "none.json", run_matrix=False,
                   log=lambda m: None)
        assert "not repaired" in str(refused.value) or "not a readable archive" in str(refused.value), fixture_id
        assert not (tmp_path / f"{fixture_id}.zip").exists()
    for fixture_id in ("hostile-bad-crc", "hostile-lying-sizes"):   # found while copying: the data is lost
        with pytest.raises(RepackError, match="data is lost|not repaired"):
            repack(hostile_dir / f"{fixture_id}.zip", tmp_path / f"{fixture_id}.zip", tmp_path / "none.json", run_matrix=False,
                   log=lambda m: None)
        assert not (tmp_path / f"{fixture_id}.zip").exists()


def test_repack_refuses_v2_as_ozx_and_its_own_input(tmp_path):
    source = _store(tmp_path / "in.zip", {".zgroup": b'{"zarr_format": 2}'})
    with pytest.raises(RepackError, match="format 3"):
        repack(source, tmp_path / "x.ozx", tmp_path / "none.json", run_matrix=False, log=lambda m: None)
    with pytest.raises(RepackError, match="is the input"):
        repack(source, source, tmp_path / "none.json", run_matrix=False, log=lambda m: None)


@pytest.mark.slow
def test_repack_reads_in_more_readers_or_says_why(tmp_path, built_fixtures, capsys):
    """A duplicate-entry archive (tensorstore refuses it) repacked: the readers run on both, through the suite's command line."""
    source = Path(built_fixtures["coads-v3-stored-dup"]["_archive"])
    code = repack(source, tmp_path / "x.zip", tmp_path / "none.json", ["zarr3", "tensorstore-zarr"], log=lambda m: None)
    out = capsys.readouterr().out
    assert code == 0 and "| tensorstore-zarr | error | pass |" in out and "by 2 of 2 readers after repacking (1 before)" in out


# --- the structure: a product the harness never imports


def _imports(folder: Path) -> list[tuple[Path, str, list[str]]]:
    out = []
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "zipstore_compat":   # from zipstore_compat import core
                out += [(path, a.name, []) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                out.append((path, node.module.removeprefix("zipstore_compat."), [a.name for a in node.names]))
            elif isinstance(node, ast.Import):
                out += [(path, a.name.removeprefix("zipstore_compat."), []) for a in node.names]
    return out


def test_the_harness_never_imports_the_doctor_and_the_doctor_no_adapter():
    assert not [p for p, module, _ in _imports(ROOT / "compat_tests") if module.split(".")[0] == "doctor"]
    for path, module, names in _imports(ROOT / "doctor"):
        assert module.split(".")[0] not in ("compat_tests", "envs", "datasets"), (path, module)
        if module.split(".")[0] in ("fixtures", "core"):
            assert not [n for n in names if n.startswith("_")], (path, module, names)
    assert not [p for p, module, _ in _imports(ROOT / "core") if module.split(".")[0] in ("compat_tests", "fixtures", "doctor", "envs")]


def test_the_summary_rows_the_doctor_names_exist():
    from zipstore_compat.compat_tests.reports.summary import PROPERTIES
    from zipstore_compat.doctor.findings import SUMMARY_ROWS

    assert set(SUMMARY_ROWS) <= {p.id for p in PROPERTIES}
