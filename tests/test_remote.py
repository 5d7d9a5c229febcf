"""The remote machinery: nginx's lifecycle and access log, the fault server, the minimum bytes, the cases, and one real
remote cell per reader family (slow)."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import zipfile
from pathlib import Path

import pytest

from zipstore_compat.compat_tests.remote import nginx
from zipstore_compat.compat_tests.remote.cost import behaviour, retried
from zipstore_compat.compat_tests.remote.minimum import minimum_bytes, needed_members, structure
from zipstore_compat.compat_tests.remote.plan import FAULTS, Case, case_ids, cases_for, parse_case
from zipstore_compat.compat_tests.remote.servers import RemoteServers

ROOT = Path(__file__).resolve().parent.parent
needs_nginx = pytest.mark.skipif(nginx.binary() is None, reason="nginx is not installed (apt-get install -y nginx)")


def _get(port: int, path: str, method: str = "GET", headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        reply = connection.getresponse()
        return reply.status, dict(reply.getheaders()), reply.read()
    finally:
        connection.close()


@pytest.fixture
def served(tmp_path):
    folder = tmp_path / "fixtures"
    folder.mkdir()
    (folder / "a.zip").write_bytes(bytes(range(256)) * 400)  # 102,400 bytes
    return folder


@needs_nginx
def test_nginx_starts_on_loopback_counts_from_its_log_and_stops(served, tmp_path):
    server = nginx.Nginx(served, tmp_path / "srv")
    server.start()
    try:
        assert server.running and server.port
        listening = [line for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
                     if line.split()[1].endswith(f":{server.port:04X}") and line.split()[3] == "0A"]
        assert listening and all(line.split()[1].startswith("0100007F:") for line in listening)  # 127.0.0.1 only
        status, headers, body = _get(server.port, "/c/tok1/a.zip", headers={"Range": "bytes=10-19"})
        assert (status, body) == (206, bytes(range(10, 20)))
        assert _get(server.port, "/c/tok1/a.zip", "HEAD")[1]["Content-Length"] == "102400"
        assert _get(server.port, "/range-ignored/tok2/a.zip", headers={"Range": "bytes=0-9"})[0] == 200
        assert _get(server.port, "/head-refused/tok3/a.zip", "HEAD")[0] == 405
        assert _get(server.port, "/suffix-416/tok4/a.zip", headers={"Range": "bytes=-22"})[0] == 416
        assert _get(server.port, "/nothing-here")[0] == 404  # no default site
        lines = server.requests("tok1")
        assert [(l["method"], l["status"], l["range"], l["body_bytes_sent"]) for l in lines] == [("GET", 206, "bytes=10-19", 10), ("HEAD", 200, "", 0)]
        assert all(l["bytes_sent"] > l["body_bytes_sent"] and l["request"].startswith(l["method"] + " /c/tok1/") for l in lines)
        assert [l["body_bytes_sent"] for l in server.requests("tok2")] == [102400]
        config = (tmp_path / "srv" / "nginx.conf").read_text()
        assert "include" not in config and f"listen 127.0.0.1:{server.port};" in config
    finally:
        server.stop()
    assert not server.running
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()


def test_missing_nginx_is_one_line_with_the_fix(served, tmp_path, monkeypatch):
    server = nginx.Nginx(served, tmp_path / "srv", path=None)
    server.path = None
    with pytest.raises(nginx.ServerUnavailable) as raised:
        server.start()
    assert raised.value.fix == "apt-get install -y nginx" and "\n" not in str(raised.value)


@needs_nginx
def test_fault_server_makes_each_fault_and_records_it(served, tmp_path, monkeypatch):
    servers = RemoteServers(served)
    servers.start()
    try:
        def fetch(fault, method="GET", rng="bytes=0-99"):
            token = servers.new_token()
            url = servers.url(Case("x", "read", fault), token, "a.zip").split(str(servers.fault_port), 1)[1]
            first = _try(servers.fault_port, url, method, rng)
            second = _try(servers.fault_port, url, method, rng)
            return token, first, second

        token, first, second = fetch("transient-503")
        assert first[0] == 503 and second[0] == 206
        assert [a["status"] for a in servers.fault_actions(token)] == [503, 206]
        assert len(servers.requests(token)) == 1  # the 503 never reached nginx
        token, first, _ = fetch("head-no-length", "HEAD", "")
        assert first[0] == 200 and "Content-Length" not in first[1]
        token, first, _ = fetch("head-length-differs", "HEAD", "")
        assert first[1]["Content-Length"] == str(102400 + 1024)
        for fault in ("closed-mid-body", "short-body"):
            token, first, second = fetch(fault)
            assert first == "cut" and second[0] == 206 and len(second[2]) == 100
            assert servers.fault_actions(token)[0]["action"].startswith("sent 50 of 100 body bytes")
    finally:
        servers.stop()
    assert servers.fault_proc is None


def _try(port, path, method, rng):
    try:
        return _get(port, path, method, {"Range": rng} if rng else {})
    except (http.client.IncompleteRead, ConnectionError):
        return "cut"


def _zip(path: Path, members: dict[str, bytes], method=zipfile.ZIP_STORED, comment=b"") -> Path:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.comment = comment
    return path


def test_minimum_is_end_records_directory_and_the_members_read(tmp_path):
    members = {"zarr.json": b"{}", "a/zarr.json": b'{"x": 1}', "a/c/0/0": b"x" * 100, "a/c/0/1": b"y" * 50,
               "b/.zarray": b"{}", "b/.zattrs": b"{}", "b/0.0": b"z" * 10, "b/1.0": b"w" * 10}
    path = _zip(tmp_path / "t.zip", members, comment=b"hello")
    found = structure(path)
    assert found.end_records == 22 + 5 and found.size == path.stat().st_size
    with zipfile.ZipFile(path) as archive:
        infos = {i.filename: i for i in archive.infolist()}
        directory = sum(46 + len(i.filename) + len(i.extra) + len(i.comment) for i in infos.values())
    assert found.central_directory == directory
    local = lambda name: 30 + len(name) + len(infos[name].extra) + infos[name].compress_size  # noqa: E731
    whole = minimum_bytes(path, {"store_prefix": ""}, ["a", "b"])
    assert whole["bytes"] == 27 + directory + sum(local(n) for n in members if n != "zarr.json")
    one = minimum_bytes(path, {"store_prefix": ""}, ["a"], first_chunk_only=True)
    assert one["members"] == 2 and one["bytes"] == 27 + directory + local("a/zarr.json") + local("a/c/0/0")
    assert needed_members(list(members), "", ["b"], True) == ["b/.zarray", "b/.zattrs", "b/0.0"]
    assert needed_members(["s.zarr/a/zarr.json", "s.zarr/a/c.0.0"], "s.zarr/", ["a"], True) == ["s.zarr/a/zarr.json", "s.zarr/a/c.0.0"]


def test_minimum_of_a_zip64_archive(tmp_path):
    path = tmp_path / "z.zip"
    with zipfile.ZipFile(path, "w", allowZip64=True) as archive:
        with archive.open("a/c/0", "w", force_zip64=True) as handle:
            handle.write(b"q" * 1000)
        archive.writestr("a/zarr.json", b"{}")
    found = structure(path)
    assert {m.name: m.stored for m in found.members} == {"a/c/0": 1000, "a/zarr.json": 2}


def test_cases_ids_are_unique_never_a_fixture_id_and_parse_back():
    ids = case_ids()
    assert len(ids) == len(set(ids))
    assert all("--" in i for i in ids)
    assert all(parse_case(i).id == i for i in ids)
    assert parse_case("coads-v3-stored") is None
    assert {c.server for c in cases_for(["coads-v2-stored"])} == {"nginx", *FAULTS}
    assert cases_for(["synthetic-v3-stored"]) == []


def test_behaviour_words():
    assert retried([{"method": "GET", "range": "bytes=0-9", "status": 503}, {"method": "GET", "range": "bytes=0-9", "status": 206}])
    assert not retried([{"method": "HEAD", "range": "", "status": 405}, {"method": "GET", "range": "", "status": 200}])
    full = [{"method": "GET", "range": "bytes=5-9", "status": 200, "body_bytes_sent": 1000}]
    assert behaviour("error", None, full, [], 1000) == ["full download", "failed"]
    assert behaviour("partial", "X=NO", [], [], 1000) == ["read"]


REMOTE_FAMILIES = ["fsspec-zip-http", "zarr-zipstore-http", "xarray-open_zarr-http", "gdal-vsicurl", "tensorstore-http",
                   "zarrista-http", "zarrita-js-http"]


@pytest.mark.slow
@needs_nginx
@pytest.mark.parametrize("reader_id", REMOTE_FAMILIES)
def test_one_real_remote_cell_per_family(reader_id, tmp_path):
    """A whole read of the stored Zarr 2 COADS archive over nginx: the reader's outcome, with requests and bytes from the log."""
    from zipstore_compat.compat_tests.cells import Describer
    from zipstore_compat.compat_tests.readers import readers
    from zipstore_compat.compat_tests.remote.cell import run_remote_cell
    from zipstore_compat.compat_tests.workers import WorkerPool
    from zipstore_compat.fixtures.build import build
    from zipstore_compat.fixtures.registry import resolve

    out = tmp_path / "fixtures"
    result = build(resolve(["coads-v2-stored"]), out=out, progress=False)
    assert not result.errors
    reader = readers()[reader_id]
    pool, servers = WorkerPool(), RemoteServers(out)
    try:
        cell = run_remote_cell(reader, parse_case("coads-v2-stored--read"), out / "coads-v2-stored.zip",
                               out / "coads-v2-stored.manifest.json", pool, Describer(pool), servers, 120)
    finally:
        pool.close()
        servers.stop()
    if cell.outcome == "not-installed":
        pytest.skip(cell.message)
    assert cell.outcome in ("pass", "partial", "error"), cell.message  # read, or raised: never wrong data, never a crash
    remote = cell.remote
    assert remote["requests"] >= 1 and remote["bytes_sent"] >= remote["body_bytes"] > 0
    assert remote["minimum_bytes"] <= remote["archive_bytes"] == (out / "coads-v2-stored.zip").stat().st_size
    assert remote["url"].startswith("http://127.0.0.1:")
    if cell.outcome == "pass":
        assert remote["behaviour"] == ["read"] and remote["body_bytes"] >= remote["minimum_bytes"] * 0.9
