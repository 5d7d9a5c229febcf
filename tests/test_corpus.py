"""The corpus travels: an index of sha256s shipped in the package, one deterministic artifact, fetched and verified
(from a server this test starts on 127.0.0.1), refused when it is not the release's (compat_tests/corpus.py)."""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import pytest

from zipstore_compat.compat_tests import corpus
from zipstore_compat.compat_tests.corpus import CorpusError

ROOT = Path(__file__).resolve().parent.parent


def _index(folder: Path, files: dict[str, bytes], suite: str = "9.9.9") -> dict:
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return {"corpus_schema": corpus.SCHEMA, "suite": suite, "artifact": None, "url": None,
            "files": {name: {"fixture": name.split(".")[0], "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                      for name, data in sorted(files.items())}}


FILES = {"a.zip": b"PK\x05\x06" + bytes(18), "a.manifest.json": b'{"id": "a"}\n', "b.zip": bytes(range(256)) * 64, "b.manifest.json": b"{}\n"}


@pytest.fixture
def served(tmp_path):
    """A web server on 127.0.0.1 that serves tmp_path/www (stopped after the test)."""
    www = tmp_path / "www"
    www.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(www))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield www, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_artifact_is_deterministic_and_fetched_verified(tmp_path, served):
    source = tmp_path / "built"
    source.mkdir()
    index = _index(source, FILES)
    first = corpus.pack(source, index, tmp_path / "one")
    second = corpus.pack(source, index, tmp_path / "two")
    assert first == second, "the same files give the same artifact bytes"
    index["artifact"] = first
    www, base = served
    (www / first["name"]).write_bytes((tmp_path / "one" / first["name"]).read_bytes())
    target = tmp_path / "fetched"
    said = []
    assert corpus.fetch(target, index, f"{base}/{first['name']}", log=said.append) == len(FILES)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == FILES
    assert corpus.verify(target, index, complete=True) == [] and any("sha256 verified" in s for s in said)
    assert corpus.fetch(target, index, f"{base}/{first['name']}", log=said.append) == 0   # already there: nothing downloaded


def test_an_artifact_that_is_not_the_releases_is_refused(tmp_path, served):
    source = tmp_path / "built"
    source.mkdir()
    index = _index(source, FILES)
    index["artifact"] = corpus.pack(source, index, tmp_path / "out")
    data = (tmp_path / "out" / index["artifact"]["name"]).read_bytes()
    www, base = served
    (www / "tampered.tar.gz").write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    (www / "longer.tar.gz").write_bytes(data + b"x")
    for name, said in (("tampered.tar.gz", "refused"), ("longer.tar.gz", "larger than"), ("absent.tar.gz", "cannot be downloaded")):
        with pytest.raises(CorpusError, match=said):
            corpus.fetch(tmp_path / name, index, f"{base}/{name}", log=lambda line: None)
        assert not [p for p in (tmp_path / name).rglob("*") if p.is_file()], "nothing is left of a refused download"


def test_a_member_outside_the_corpus_is_refused(tmp_path):
    index = _index(tmp_path, {"a.zip": b"x"})
    artifact = tmp_path / "evil.tar.gz"
    with tarfile.open(artifact, "w:gz") as tar:
        info = tarfile.TarInfo("../escape.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(CorpusError, match="not a file of the corpus"):
        corpus.unpack(artifact, tmp_path / "out", index)
    assert not (tmp_path / "escape.txt").exists()


def test_verify_says_which_file_differs(tmp_path):
    index = _index(tmp_path, FILES)
    (tmp_path / "b.zip").write_bytes(FILES["b.zip"][:-1] + b"!")
    (tmp_path / "a.manifest.json").unlink()
    assert corpus.verify(tmp_path, index) == ["b.zip: differs from the corpus of zipstore-compat 9.9.9 (sha256 " +
                                              index["files"]["b.zip"]["sha256"][:12] + "...)"]
    assert "a.manifest.json: missing" in corpus.verify(tmp_path, index, complete=True)
    assert corpus.present_fixtures(tmp_path, index) == ["b"]   # a lacks its manifest


def test_the_shipped_index_names_the_corpus_fixtures_and_their_files():
    """release/corpus.json is the corpus of this release: every generated, hostile and habit fixture, two files each
    (one for a habit: its manifest is its archive), and never another project's archive."""
    from zipstore_compat.fixtures.external import external_ids

    index = corpus.load_index()
    fixtures = {f["fixture"] for f in index["files"].values()}
    assert fixtures == set(corpus.corpus_ids()), "the corpus changed: write the index again (python -m zipstore_compat corpus index DIR)"
    assert not fixtures & set(external_ids())
    import zipstore_compat

    assert index["suite"] == zipstore_compat.__version__


@pytest.mark.slow
def test_the_shipped_index_is_what_the_fixtures_build(built_fixtures, hostile_dir):
    """The default set and the hostile archives, built here, have the bytes the index says (deterministic builds); a
    nondeterministic writer's fixtures, and only those, are marked in the index as ones a rebuild cannot reproduce."""
    index = corpus.load_index()
    folder = Path(next(iter(built_fixtures.values()))["_archive"]).parent
    differs = corpus.verify(folder, index, rebuilt=True) + corpus.verify(hostile_dir, index, rebuilt=True)
    assert not differs, differs[:5]
    marked = {facts["fixture"] for facts in index["files"].values() if facts.get("rebuilds_differ")}
    assert marked == {fixture_id for fixture_id, m in built_fixtures.items() if m["writer"].get("nondeterministic")}


def test_a_corpus_folder_that_differs_is_one_line_and_exit_status_4(tmp_path, hostile_dir):
    """pytest --corpus DIR checks DIR against the package's index before anything runs."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in ("hostile-baseline.zip", "hostile-baseline.manifest.json"):
        (folder / name).write_bytes((hostile_dir / name).read_bytes())
    (folder / "hostile-baseline.zip").write_bytes((folder / "hostile-baseline.zip").read_bytes() + b"\0")
    proc = subprocess.run([sys.executable, "-m", "pytest", "compat_tests", "--collect-only", "-q", "--corpus", str(folder),
                           "--readers", "zarr3", "-p", "no:cacheprovider", "-p", "no:xdist"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 4 and "hostile-baseline.zip: differs from the corpus" in proc.stderr, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
