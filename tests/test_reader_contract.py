"""The contract every declared reader passes, whatever its language (docs/worker-protocol.md).

1. versions: its worker answers `describe` with the installed version of the library it tests
   (the entry its declaration names as version_key), never "unknown";
2. one cell: a tiny stored archive of one int32 array (Zarr 3, and Zarr 2 for the readers of
   format 2) is judged through the protocol: an outcome, never a crash, a timeout or a broken answer;
3. a missing file: a clean error, not a crash.

The Node.js test reader (tests/readers/selftest_node_int32.mjs) must pass the Zarr 3 cell: it
shows that a reader in another language is one file plus an environment.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from zipstore_compat.compat_tests.byo import reference_reading
from zipstore_compat.compat_tests.cells import Describer, run_cell
from zipstore_compat.compat_tests.readers import all_readers, readers
from tests.conftest import reader_under_test

VALUES = np.arange(24, dtype="<i4").reshape(4, 6) * 7 - 50
CHUNKS = (2, 4)
PROTOCOL_FAILURES = ("crash", "timeout", "not-installed", "fixture-error")
# readers that are not meant to read or answer (the test readers that crash, hang or exhaust memory on purpose)
MISBEHAVING = {"selftest-crash", "selftest-hang", "selftest-memory", "selftest-heap-limit", "selftest-tool-hang"}
CONTRACT_READERS = sorted(reader_under_test(r) for r in readers() if r not in MISBEHAVING)   # GDAL's at its Debian release (conftest)


def _chunks():
    for i in range(0, VALUES.shape[0], CHUNKS[0]):
        for j in range(0, VALUES.shape[1], CHUNKS[1]):
            block = np.zeros(CHUNKS, dtype="<i4")
            part = VALUES[i:i + CHUNKS[0], j:j + CHUNKS[1]]
            block[:part.shape[0], :part.shape[1]] = part
            yield (i // CHUNKS[0], j // CHUNKS[1]), block.tobytes()


def tiny_zarr3(path: Path) -> Path:
    """A stored ZIP of a Zarr 3 group with one int32 array "a" (4 x 6, chunks 2 x 4, one partial chunk column)."""
    array = {"zarr_format": 3, "node_type": "array", "shape": list(VALUES.shape), "data_type": "int32",
             "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": list(CHUNKS)}},
             "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
             "fill_value": 0, "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
             "attributes": {"units": "m"}, "dimension_names": ["y", "x"]}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("zarr.json", json.dumps({"zarr_format": 3, "node_type": "group", "attributes": {}}))
        zf.writestr("a/zarr.json", json.dumps(array))
        for (i, j), data in _chunks():
            zf.writestr(f"a/c/{i}/{j}", data)
    return path


def tiny_zarr2(path: Path) -> Path:
    """The same array in Zarr 2 (no compressor), with xarray's dimension names."""
    array = {"zarr_format": 2, "shape": list(VALUES.shape), "chunks": list(CHUNKS), "dtype": "<i4", "compressor": None,
             "fill_value": 0, "filters": None, "order": "C"}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(".zgroup", json.dumps({"zarr_format": 2}))
        zf.writestr("a/.zarray", json.dumps(array))
        zf.writestr("a/.zattrs", json.dumps({"units": "m", "_ARRAY_DIMENSIONS": ["y", "x"]}))
        for (i, j), data in _chunks():
            zf.writestr(f"a/{i}.{j}", data)
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, worker_pool):
    """fixture id -> (archive, manifest path): the two tiny archives with the reference's manifests."""
    folder = tmp_path_factory.mktemp("contract")
    out = {}
    for fixture_id, make in (("contract-v3", tiny_zarr3), ("contract-v2", tiny_zarr2)):
        archive = make(folder / f"{fixture_id}.zip")
        manifest_path = folder / f"{fixture_id}.manifest.json"
        manifest = reference_reading(worker_pool, archive, fixture_id, "tests/test_reader_contract.py", manifest_path)
        assert not manifest.get("unjudged"), manifest
        assert [a["path"] for a in manifest["arrays"]] == ["a"]
        manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
        out[fixture_id] = (archive, manifest_path)
    return out


@pytest.mark.parametrize("reader_id", CONTRACT_READERS)
def test_a_declared_reader_keeps_the_contract(reader_id, tiny, worker_pool, tmp_path):
    reader = all_readers()[reader_id]
    describe = Describer(worker_pool)
    description = describe(reader)
    assert "unavailable" not in description, description
    versions = description["versions"]
    if reader.version_key:
        found = str(versions.get(reader.version_key, ""))
        assert found and not found.startswith("unknown"), f"{reader_id}: no version for {reader.version_key!r} in {versions}"
    assert isinstance(description.get("fallbacks"), list)
    from zipstore_compat.compat_tests.attempts import CONDITIONS, DECODING_PARTS

    for declared in description["fallbacks"]:  # every documented option links its documentation (Python or not)
        assert set(declared) - {"avoids"} == {"label", "options", "doc", "family", "when"}, (reader_id, declared)
        assert set(declared.get("avoids", ())) <= set(DECODING_PARTS), (reader_id, declared)
        assert "avoids" not in declared or (declared["avoids"] and declared["family"] == "decoding"), (reader_id, declared)
        assert declared["doc"].startswith("https://") and declared["label"] and declared["options"], (reader_id, declared)
        assert declared["when"] is None or declared["when"] in CONDITIONS, (reader_id, declared)

    servers = _served(reader, next(iter(tiny.values()))[0].parent)
    try:
        outcomes = {}
        for fixture_id, (archive, manifest) in tiny.items():
            result = run_cell(reader, fixture_id, archive, manifest, worker_pool, describe, timeout=120, locate=_where(servers, archive))
            assert result.outcome not in PROTOCOL_FAILURES, (fixture_id, result.outcome, result.message)
            assert "broke the protocol" not in result.message, result.message
            outcomes[fixture_id] = result.outcome
        if reader_id == "selftest-node-int32":
            assert outcomes["contract-v3"] == "pass", outcomes

        archive, manifest = tiny["contract-v3"]
        gone = tmp_path / "no-such-archive.zip"
        missing = run_cell(reader, "contract-missing", gone, manifest, worker_pool, describe, timeout=120, locate=_where(servers, gone))
        assert missing.outcome not in ("pass", "partial", *PROTOCOL_FAILURES), (missing.outcome, missing.message)
    finally:
        if servers is not None:
            servers.stop()


def _served(reader, folder):
    """A remote reader reads the tiny archives from the suite's nginx (docs/reference/remote.md); None for the others."""
    if not reader.remote:
        return None
    from zipstore_compat.compat_tests.remote import nginx
    from zipstore_compat.compat_tests.remote.servers import RemoteServers

    if nginx.binary() is None:
        pytest.skip("nginx is not installed (apt-get install -y nginx)")
    servers = RemoteServers(folder)
    servers.start()
    return servers


def _where(servers, archive):
    """Where the reader finds `archive`: its path, or for a remote reader its URL on nginx (a 404 when it is missing)."""
    if servers is None:
        return None
    from zipstore_compat.compat_tests.remote.plan import Case

    return lambda attempt: servers.url(Case(archive.stem), servers.new_token(), archive.name)


def test_a_reader_program_that_dies_is_a_crash(tmp_path, worker_pool):
    """The shim dies the way the program died: a Node.js reader killed by a signal ends its cell as a crash."""
    from zipstore_compat.compat_tests.readers import reader_from, declaration_of

    program = tmp_path / "dies.mjs"
    program.write_text("\n".join([
        '// reader: id = "selftest-node-dies"', '// reader: env = "node"', '// reader: library = "none"',
        '// reader: call = "process.kill(process.pid, \\"SIGSEGV\\")"', '// reader: test_only = true',
        '// reader: worker = ["node", "{file}"]',
        'import readline from "node:readline";',
        'readline.createInterface({ input: process.stdin }).on("line", (line) => {',
        '  if (JSON.parse(line).command === "describe") process.stdout.write(JSON.stringify({ ok: true, result: { versions: {}, fallbacks: [] } }) + "\\n");',
        '  else process.kill(process.pid, "SIGSEGV");',
        '});',
    ]) + "\n", encoding="utf-8")
    reader = reader_from(program, declaration_of(program))
    archive = tiny_zarr3(tmp_path / "t.zip")
    manifest = tmp_path / "t.manifest.json"
    reference_reading(worker_pool, archive, "t", "test", manifest)
    result = run_cell(reader, "t", archive, manifest, worker_pool, Describer(worker_pool), timeout=60)
    assert result.outcome == "crash" and "SIGSEGV" in result.message, (result.outcome, result.message)


def test_without_node_a_node_reader_is_not_installed_with_the_fix(tmp_path, monkeypatch):
    """No `node` on PATH: the Node.js environment cannot be built; the cell says not-installed and what fixes it."""
    from zipstore_compat.envs import registry
    from zipstore_compat.compat_tests.workers import WorkerPool

    monkeypatch.setattr(registry, "node_version", lambda: "")  # what `node --version` gives where there is no node
    monkeypatch.setenv("ZIPCOMPAT_CACHE", str(tmp_path / "cache"))
    pool = WorkerPool()
    reply = pool.for_reader(readers()["selftest-node-int32"]).request({"command": "describe"}, timeout=30)
    pool.close()
    assert reply.status == "not-installed", reply
    assert "Node.js" in reply.error and "apt-get install -y nodejs npm" in reply.error, reply.error
