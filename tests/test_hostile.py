"""Hostile archives: deterministic fixtures, the outcome rules, the memory cap, nothing written outside."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from zipstore_compat.compat_tests.cells import Describer, run_cell
from zipstore_compat.compat_tests.outcomes import declared_refusal, decide_cell
from zipstore_compat.compat_tests.readers import all_readers
from zipstore_compat.compat_tests.workers import Worker, default_memory_gib, machine_memory_bytes
from zipstore_compat.fixtures.hostile import ESCAPE_NAMES, HOSTILE, build_one

ROOT = Path(__file__).resolve().parent.parent


def test_same_code_gives_byte_identical_archives(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        for hostile in HOSTILE.values():
            build_one(hostile, tmp_path / name)
    for hostile in HOSTILE.values():
        a, b = ((tmp_path / n / f"{hostile.id}.zip").read_bytes() for n in ("a", "b"))
        assert hashlib.sha256(a).digest() == hashlib.sha256(b).digest(), hostile.id


def test_every_manifest_says_what_a_correct_reader_does(hostile_dir):
    for fixture_id in HOSTILE:
        manifest = json.loads((hostile_dir / f"{fixture_id}.manifest.json").read_text(encoding="utf-8"))
        assert manifest["hostile"]["what"] and manifest["hostile"]["spec"].startswith("https://")
        assert "kind:hostile" in manifest["tags"]
        for array in manifest["arrays"]:
            assert array["expect"] in ("read", "refuse", "either"), (fixture_id, array["path"])
            assert array["expect"] == "read" or array["why"] or fixture_id.startswith("hostile-truncated") or "not-json" in fixture_id
        # the bombs stay small on disk
        assert (hostile_dir / f"{fixture_id}.zip").stat().st_size < 2 * 2**20, fixture_id


def _payload(manifest, values_for=()):
    """A worker's summary that returns the manifest's values for the intact arrays and for values_for."""
    arrays = {}
    for a in manifest["arrays"]:
        if a.get("expect", "read") == "read" or a["path"] in values_for:
            arrays[a["path"]] = {"shape": a["shape"], "dtype_class": a["dtype_class"], "sha256": a["sha256"] or "0" * 64,
                                 "preview": a["preview"], "attrs": a["attributes"], "dims": a["dimension_names"]}
        else:
            arrays[a["path"]] = {"error": "BadZipFile: Bad CRC-32"}
    return {"listed": [a["path"] for a in manifest["arrays"]], "arrays": arrays, "errors": {}, "notes": []}


def test_outcome_rules(hostile_dir):
    def manifest(fixture_id):
        return json.loads((hostile_dir / f"{fixture_id}.manifest.json").read_text(encoding="utf-8"))

    def decide(m, first):
        return tuple(decide_cell(m, first, [], lambda options: ("error", "no retry")))[:2]

    crc = manifest("hostile-bad-crc")
    assert decide(crc, ("ok", _payload(crc)))[0] == "pass"                            # refused target, read intact
    outcome, message = decide(crc, ("ok", _payload(crc, values_for=["target"])))
    assert outcome == "wrong-data" and "without an error" in message                  # values for a corrupt array
    assert decide(crc, ("error", "BadZipFile"))[0] == "error"                          # intact arrays not read
    assert decide(crc, ("crash", "memory cap reached at 2 GiB: worker died: SIGABRT"))[0] == "crash"
    truncated = manifest("hostile-truncated-end")
    outcome, message = decide(truncated, ("error", "BadZipFile: File is not a zip file"))
    assert outcome == "pass" and message.startswith("refused the archive cleanly")
    assert declared_refusal(outcome, message, "unsupported") == "unsupported"          # h5py refuses every archive
    duplicate = manifest("hostile-duplicate-sizes")
    assert decide(duplicate, ("ok", _payload(duplicate, values_for=["target"])))[0] == "pass"   # either: the last copy
    unjudged = {"unjudged": "JSONDecodeError: Expecting value", "arrays": []}
    outcome, message = decide(unjudged, ("ok", {"listed": ["a", "b"], "arrays": {}, "errors": {}}))
    assert outcome == "unjudged" and "listed 2 array(s): a, b" in message
    assert decide(unjudged, ("error", "KeyError: 'x'"))[0] == "unjudged"
    assert decide(unjudged, ("timeout", "no answer"))[0] == "timeout"


def test_memory_cap_defaults_to_a_share_of_the_machine(monkeypatch):
    monkeypatch.delenv("ZIPCOMPAT_WORKER_MEMORY_GIB", raising=False)
    share = default_memory_gib()
    assert 0 < share < machine_memory_bytes() / 2**30 / 2
    monkeypatch.setenv("ZIPCOMPAT_WORKER_MEMORY_GIB", "3.5")
    assert default_memory_gib() == 3.5


def test_a_reader_past_its_memory_cap_is_reported_as_such(hostile_dir):
    worker = Worker("zarr3", memory_gib=1.5)
    try:
        archive = hostile_dir / "hostile-baseline.zip"
        request = {"adapter": all_readers()["selftest-memory"].adapter, "archive": str(archive),
                   "manifest": str(hostile_dir / "hostile-baseline.manifest.json"), "options": {}}
        reply = worker.request(request, timeout=60)
        assert reply.status == "crash" and reply.error.startswith("memory cap reached at 1.5 GiB"), reply
        # the next request gets a fresh worker
        reply = worker.request(dict(request, adapter=all_readers()["zarr3"].adapter), timeout=60)
        assert reply.status == "ok", reply.error
    finally:
        worker.stop()


def test_a_reader_past_its_runtime_heap_limit_is_a_limit_not_a_crash_of_its_own(hostile_dir):
    """node's V8 heap limit (below the worker's cap) ends a read that never ends, as the time limit would on a faster
    or slower machine: its fatal line is found even when the stack trace after it fills the kept stderr tail, and the
    cell's class is `limit`, as a timeout's."""
    from zipstore_compat.core.outcomes import outcome_class

    worker = Worker("zarr3", memory_gib=4)
    try:
        request = {"adapter": all_readers()["selftest-heap-limit"].adapter, "archive": str(hostile_dir / "hostile-baseline.zip"),
                   "manifest": str(hostile_dir / "hostile-baseline.manifest.json"), "options": {}}
        reply = worker.request(request, timeout=60)
    finally:
        worker.stop()
    assert reply.status == "crash" and reply.error.startswith("heap limit reached (the runtime's own"), reply
    assert "JavaScript heap out of memory" in reply.error and "SIGABRT" in reply.error, reply
    assert outcome_class("crash", reply.error) == outcome_class("timeout") == "limit"
    assert outcome_class("crash", "worker died: SIGSEGV") == "crash"


def _escape_targets(*folders: Path) -> list[Path]:
    targets = []
    for name in ESCAPE_NAMES:
        for folder in folders:
            for variant in (name, name.replace("\\", "/")):
                targets.append(Path(variant) if variant.startswith("/") else (folder / variant).resolve())
    return sorted(set(targets))


def test_traversal_names_never_create_files(hostile_dir, worker_pool):
    fixture = "hostile-traversal-names"
    targets = _escape_targets(hostile_dir, ROOT, Path.cwd(), Path("/"))
    before = {t for t in targets if t.exists()}
    describe = Describer(worker_pool)
    for reader in ("zarr3", "fsspec-zip"):
        result = run_cell(all_readers()[reader], fixture, hostile_dir / f"{fixture}.zip", hostile_dir / f"{fixture}.manifest.json",
                          worker_pool, describe, timeout=60)
        assert result.outcome in ("pass", "error", "not-installed"), (reader, result.message)
    from zipstore_compat.fixtures.external import reference_manifest

    reference_manifest(hostile_dir / f"{fixture}.zip", "byo-traversal", source="test")
    created = [t for t in targets if t.exists() and t not in before]
    assert not created, f"an entry name escaped: {created}"
