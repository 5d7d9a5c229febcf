"""Incremental runs (compat_tests/result_cache.py): unchanged cells are not run again.

The quick tests run a stub reader (tests/cache_stub_reader.py) in the project environment's worker,
so they need no reader environment; the end-to-end one runs zarr-python 3 through pytest (slow).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from zipstore_compat.compat_tests import result_cache
from zipstore_compat.compat_tests.cells import CellResult, Describer, run_cell
from zipstore_compat.compat_tests.readers import Reader, all_readers
from zipstore_compat.compat_tests.reports.markdown import write_markdown
from zipstore_compat.compat_tests.result_cache import CachedDescriber, CachedReference, CellCache, Mode, closure, mode_for
from zipstore_compat.compat_tests.workers import Worker, WorkerPool

ROOT = Path(__file__).resolve().parent.parent
STUB = Reader(id="cache-stub", env="project", adapter="tests.cache_stub_reader", library="stub", call="stub.read(path)", test_only=True)
OTHER = Reader(id="cache-other", env="project", adapter="tests.cache_stub_other", library="stub", call="stub.read(path)", test_only=True)
READ_WRITE = Mode(True, True)


@pytest.fixture(autouse=True)
def _fresh_memos():
    result_cache.forget()
    yield
    result_cache.forget()


@pytest.fixture
def archives(tmp_path) -> dict[str, tuple[Path, Path]]:
    """Two tiny fixtures: id -> (archive, manifest)."""
    out = {}
    for n in (1, 2):
        archive, manifest = tmp_path / f"tiny{n}.zip", tmp_path / f"tiny{n}.manifest.json"
        archive.write_bytes(b"PK\x05\x06" + bytes(17) + bytes([n]))
        manifest.write_text(json.dumps({"arrays": [{"path": f"a{n}"}], "zip": {"entries": 1}}), encoding="utf-8")
        out[f"tiny{n}"] = (archive, manifest)
    return out


class Run:
    """One pytest session's worth of cache: its own worker pool, describer and cell cache."""

    def __init__(self, folder: Path, mode: Mode = READ_WRITE, timeout: float = 60):
        self.pool = WorkerPool()
        self.describe = CachedDescriber(Describer(self.pool), mode, folder=folder)
        self.cache = CellCache(mode, timeout, folder=folder)

    def cell(self, reader, fixture_id, paths, verdict=None):
        archive, manifest = paths
        return self.cache.run(reader, fixture_id, archive, manifest, self.describe,
                              lambda: run_cell(reader, fixture_id, archive, manifest, self.pool, self.describe),
                              verdict=verdict or (lambda result, versions: (True, False)))

    def close(self):
        self.pool.close()


@pytest.fixture
def no_worker(monkeypatch):
    """Starting a worker process fails the test."""
    def refuse(self):
        raise AssertionError(f"a worker was started for environment {self.env!r}")
    monkeypatch.setattr(Worker, "_start", refuse)


def test_a_second_run_reuses_the_cache_and_starts_no_worker(tmp_path, archives, monkeypatch):
    first = Run(tmp_path)
    try:
        ran = [first.cell(STUB, f, paths) for f, paths in archives.items()]
    finally:
        first.close()
    assert [r.cached for r in ran] == [False, False] and {r.result.outcome for r in ran} == {"error"}
    assert ran[0].description["versions"] == {"stub": "1"}

    monkeypatch.setattr(Worker, "_start", lambda self: pytest.fail("a worker was started"))
    second = Run(tmp_path)
    again = [second.cell(STUB, f, paths) for f, paths in archives.items()]
    assert [r.cached for r in again] == [True, True]
    assert [r.result.to_json() for r in again] == [r.result.to_json() for r in ran]
    assert [r.ran for r in again] == [r.ran for r in ran]            # when it ran, not now
    assert second.describe(STUB)["versions"] == {"stub": "1"}        # the describer's answer too
    assert not second.pool.workers or all(w.proc is None for w in second.pool.workers.values())


def test_editing_an_adapter_runs_only_that_readers_cells(tmp_path, archives, monkeypatch):
    first = Run(tmp_path)
    try:
        for reader in (STUB, OTHER):
            for f, paths in archives.items():
                assert not first.cell(reader, f, paths).cached
    finally:
        first.close()
    edited = ROOT / "tests" / "cache_stub_other.py"
    real = result_cache.source_digest
    monkeypatch.setattr(result_cache, "source_digest", lambda path: "edited" if Path(path) == edited else real(path))
    result_cache.forget()
    second = Run(tmp_path)
    try:
        ran = {(r.id, f): second.cell(r, f, paths).cached for r in (STUB, OTHER) for f, paths in archives.items()}
    finally:
        second.close()
    assert ran == {("cache-stub", "tiny1"): True, ("cache-stub", "tiny2"): True,
                   ("cache-other", "tiny1"): False, ("cache-other", "tiny2"): False}


def test_rerun_and_ci_run_every_cell_and_still_record_it(tmp_path, archives):
    warm = Run(tmp_path)
    try:
        assert not warm.cell(STUB, "tiny1", archives["tiny1"]).cached
    finally:
        warm.close()
    for mode in (mode_for(rerun=True, environ={}), mode_for(environ={"CI": "true"})):
        assert not mode.read and mode.write and mode.why
        again = Run(tmp_path, mode)
        try:
            assert not again.cell(STUB, "tiny1", archives["tiny1"]).cached
        finally:
            again.close()
    assert mode_for(environ={"CI": "true"}, rerun=False).why == "CI runs every cell (CI=true)"
    assert mode_for(environ={}).read and not mode_for(archives=True, environ={}).write  # your own archives: never


def test_rerun_outcomes_runs_only_the_cached_cells_that_match(tmp_path, archives):
    warm = Run(tmp_path)
    try:
        warm.cell(STUB, "tiny1", archives["tiny1"])
    finally:
        warm.close()
    for outcomes, cached in (("timeout,crash", True), ("error", False)):
        again = Run(tmp_path, mode_for(outcomes=outcomes, environ={}))
        try:
            assert again.cell(STUB, "tiny1", archives["tiny1"]).cached is cached
        finally:
            again.close()
    # "also": the cells matrix.yaml marks non-deterministic run again; the others stay cached
    for non_deterministic in (True, False):
        again = Run(tmp_path, mode_for(outcomes="also", environ={}))
        try:
            got = again.cell(STUB, "tiny1", archives["tiny1"], verdict=lambda r, v: (True, non_deterministic))
            assert got.cached is not non_deterministic
        finally:
            again.close()
    with pytest.raises(ValueError, match="unknown timeouts"):
        mode_for(outcomes="timeouts", environ={})


def test_an_outcome_matrix_yaml_does_not_allow_is_run_again(tmp_path, archives):
    warm = Run(tmp_path)
    try:
        warm.cell(STUB, "tiny1", archives["tiny1"])
        assert warm.cell(STUB, "tiny1", archives["tiny1"], verdict=lambda result, versions: (False, False)).cached is False
        assert warm.cell(STUB, "tiny1", archives["tiny1"]).cached is True
    finally:
        warm.close()


def test_not_installed_is_never_kept(tmp_path, archives, no_worker):
    cache = CellCache(READ_WRITE, 60, folder=tmp_path / "cache")
    archive, manifest = archives["tiny1"]
    missing = CellResult("cache-stub--tiny1", "cache-stub", "tiny1", "not-installed", "environment missing")
    got = cache.run(STUB, "tiny1", archive, manifest, lambda reader: {}, lambda: missing)
    assert got.result.outcome == "not-installed" and not (tmp_path / "cache").exists()


def test_every_input_is_in_the_key(tmp_path, archives, monkeypatch):
    archive, manifest = archives["tiny1"]

    def key(timeout=60.0, memory=7.8, reader=STUB):
        result_cache.forget()
        return json.dumps(result_cache.cell_parts(reader, archive, manifest, timeout, memory), sort_keys=True)

    base = key()
    assert key() == base
    assert key(timeout=30.0) != base and key(memory=2.0) != base
    assert key(reader=Reader(**{**STUB.__dict__, "adapter": "tests.cache_stub_other"})) != base
    archive.write_bytes(archive.read_bytes() + b"\0")
    assert key() != base
    changed = key()
    manifest.write_text(manifest.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert key() != changed
    changed = key()
    # the environment: a reader environment's Debian package versions and installed distributions
    monkeypatch.setattr(result_cache, "environment_fingerprint", lambda name: {"apt": {"libgdal-dev": "3.6.2"}})
    with_apt = key()
    monkeypatch.setattr(result_cache, "environment_fingerprint", lambda name: {"apt": {"libgdal-dev": "3.6.3"}})
    assert key() != with_apt != changed
    # the harness: a change to the checks
    monkeypatch.setattr(result_cache, "harness_digest", lambda: "edited checks")
    assert key() != changed


def test_the_environment_covers_what_it_takes_from_the_system(monkeypatch):
    gdal = result_cache.environment_fingerprint("gdal@gdal-3.6.2")   # Debian's GDAL: the Debian packages are the library
    if gdal is None:
        pytest.skip("the gdal@gdal-3.6.2 environment is not built here")
    assert {"libgdal-dev", "gdal-bin", "libblosc-dev"} <= set(gdal["apt"]) and gdal["apt"]["libgdal-dev"].startswith("3.6.2")
    assert gdal["declaration"] and gdal["python"] and any(d.startswith("numpy-") for d in gdal["distributions"])
    assert gdal["system"]["machine"]


def test_the_harness_and_each_adapter_are_their_own_imports():
    harness = closure(result_cache.HARNESS_ROOTS, result_cache.HARNESS_EXCLUDES)
    for judge in ("compat_tests/checks.py", "compat_tests/outcomes.py", "compat_tests/attempts.py", "compat_tests/worker.py",
                  "compat_tests/cells.py", "compat_tests/workers.py", "compat_tests/bounded.py", "compat_tests/foreign_worker.py",
                  "core/canonical.py", "core/outcomes.py", "core/limits.py"):
        assert judge in harness
    assert not [p for p in harness if p.startswith(("compat_tests/adapters/", "datasets/", "envs/")) or p == "compat_tests/readers.py"]
    readers = all_readers()
    gdal_classic = result_cache.adapter_files(readers["gdal-classic"])
    assert {"compat_tests/adapters/gdal_classic.py", "compat_tests/adapters/gdal_classic_common.py",
            "compat_tests/adapters/gdal_multidim.py", "compat_tests/adapters/common.py"} <= set(gdal_classic)
    assert "compat_tests/adapters/zarr3.py" not in gdal_classic
    assert result_cache.adapter_digest(readers["zarr3"]) != result_cache.adapter_digest(readers["dask"])
    node = result_cache.adapter_files(readers["selftest-node-int32"])  # another language: its file and its relative imports
    assert set(node) == {"tests/readers/selftest_node_int32.mjs", "compat_tests/adapters/node_protocol.mjs"}


def test_an_edit_to_a_shared_adapter_module_reaches_every_adapter_that_imports_it(tmp_path):
    adapters = tmp_path / "compat_tests" / "adapters"
    adapters.mkdir(parents=True)
    (tmp_path / "compat_tests" / "__init__.py").write_text("")
    (adapters / "__init__.py").write_text("")
    (adapters / "common.py").write_text("def box():\n    return 1\n")
    (adapters / "uses_common.py").write_text("def read():\n    from compat_tests.adapters.common import box\n    return box()\n")
    (adapters / "alone.py").write_text("import numpy\n")

    def digests():
        result_cache.forget()
        return {name: result_cache._digest(closure((f"zipstore_compat.compat_tests.adapters.{name}",), root=tmp_path)) for name in ("uses_common", "alone")}

    before = digests()
    (adapters / "common.py").write_text("def box():\n    return 2\n")
    after = digests()
    assert after["uses_common"] != before["uses_common"] and after["alone"] == before["alone"]
    (adapters / "alone.py").write_text("import numpy as np\n")
    assert digests()["alone"] != after["alone"]


def test_entries_are_written_whole_and_few_per_cell(tmp_path, archives, no_worker):
    cache = CellCache(READ_WRITE, 60, folder=tmp_path)
    archive, manifest = archives["tiny1"]
    for timeout in (10, 20, 30, 40, 50):  # five keys of one cell
        cache.cell_timeout = timeout
        result = CellResult("cache-stub--tiny1", "cache-stub", "tiny1", "error", f"limit {timeout}")
        cache.run(STUB, "tiny1", archive, manifest, lambda reader: {"versions": {}}, lambda: result)
    entries = list((tmp_path / "cells" / "cache-stub--tiny1").iterdir())
    assert len(entries) == result_cache.KEEP_PER_CELL and not [p for p in entries if p.name.startswith(".tmp-")]
    assert all(json.loads(p.read_text(encoding="utf-8"))["result"]["cell"] == "cache-stub--tiny1" for p in entries)


def test_the_reference_reading_of_an_external_archive_is_cached(tmp_path, archives):
    calls = []

    def reference(archive, fixture_id, source):
        calls.append(fixture_id)
        return {"arrays": [], "source": source}

    archive, _ = archives["tiny1"]
    for expected_calls in (1, 1):
        assert CachedReference(reference, READ_WRITE, folder=tmp_path)(archive, "ext-tiny", source="tiny1.zip") == {"arrays": [], "source": "tiny1.zip"}
        assert len(calls) == expected_calls
    CachedReference(reference, mode_for(rerun=True, environ={}), folder=tmp_path)(archive, "ext-tiny", source="tiny1.zip")
    assert len(calls) == 2


def test_the_table_says_which_cells_came_from_the_cache(tmp_path):
    cells = [{"cell": f"zarr3--f{n}", "reader": "zarr3", "fixture": f"f{n}", "outcome": "pass", "as_expected": True,
              "message": "", "repro": "", "cached": n < 2, "ran": f"2026-11-23T10:0{n}:00Z"} for n in range(3)]
    payload = {"run": {"started": "2026-11-23T11:00:00Z", "python": "3.11", "platform": "Linux", "readers": {},
                       "cache": {"reads": True, "why_not_read": ""}}, "cells": cells}
    line = result_cache.run_info_text(payload)
    assert line == "3 cells: 1 run now, 2 from the cache (they ran 2026-11-23T10:00:00Z to 2026-11-23T10:01:00Z, inputs unchanged since)."
    write_markdown(payload, tmp_path / "matrix.md")
    assert line in (tmp_path / "matrix.md").read_text(encoding="utf-8")
    unjudgeable = {**cells[2], "cell": "zarr3--f3", "fixture": "f3", "outcome": "fixture-error", "cached": False, "ran": None}
    assert result_cache.run_info_text({**payload, "cells": cells + [unjudgeable]}).endswith(", 1 with no reader run (fixture-error).")
    payload["run"]["cache"] = {"reads": False, "why_not_read": "--rerun"}
    assert result_cache.run_info_text({**payload, "cells": cells[2:]}).endswith("the cache was not read: --rerun.")


@pytest.mark.slow
@pytest.mark.network
def test_a_pytest_run_from_the_cache_starts_no_worker(tmp_path, hostile_dir):
    """Through pytest: a run records, the next one takes every cell from the cache with worker starts
    forbidden (tests/no_worker_plugin.py), and CI=true runs them all again."""
    def run(name, *extra, env=None):
        out = tmp_path / name / "results.json"
        proc = subprocess.run([sys.executable, "-m", "pytest", "compat_tests", "-p", "no:xdist", "-q", "--no-build",
                               "--readers", "zarr3", "--fixture-ids", "hostile-baseline,hostile-bad-crc",
                               "--fixtures-dir", str(hostile_dir), "--results", str(out), *extra],
                              cwd=ROOT, capture_output=True, text=True, timeout=600, env={**os.environ, "CI": "", **(env or {})})
        assert proc.returncode == 0 and out.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
        return json.loads(out.read_text(encoding="utf-8")), proc.stdout

    first, _ = run("first", "--rerun")
    assert [c["cached"] for c in first["cells"]] == [False, False] and first["run"]["cache"]["why_not_read"] == "--rerun"
    second, stdout = run("second", "-p", "tests.no_worker_plugin")
    assert [c["cached"] for c in second["cells"]] == [True, True] and second["run"]["cache"]["cached"] == 2
    assert [(c["outcome"], c["versions"], c["ran"]) for c in second["cells"]] == [(c["outcome"], c["versions"], c["ran"]) for c in first["cells"]]
    assert "2 cells: 0 run now, 2 from the cache" in stdout
    assert "2 from the cache" in (tmp_path / "second" / "matrix.md").read_text(encoding="utf-8")
    third, _ = run("third", env={"CI": "true"})
    assert [c["cached"] for c in third["cells"]] == [False, False] and third["run"]["cache"]["reads"] is False


def test_a_foreign_readers_key_is_the_same_in_every_checkout():
    """A Node.js reader's adapter is an absolute path; two clones of the same code share its cached cells."""
    from dataclasses import replace

    from zipstore_compat.compat_tests.readers import readers
    from zipstore_compat.compat_tests.result_cache import declaration

    reader = readers()["selftest-node-int32"]
    elsewhere = replace(reader, adapter="/some/other/clone/" + reader.file)
    assert declaration(reader) == declaration(elsewhere)
    assert declaration(reader) != declaration(replace(reader, file="tests/readers/another.mjs"))
