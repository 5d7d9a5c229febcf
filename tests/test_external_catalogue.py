"""Other projects' archives: catalogued, fetched and verified, never committed; a missing one is a note, not a failure."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from zipstore_compat.fixtures import catalogue as cat
from zipstore_compat.fixtures.external import place_external, unavailable_external

ROOT = Path(__file__).resolve().parent.parent
REFUSED = "http://127.0.0.1:9/"  # nothing listens on the discard port: a network that says no at once


def test_the_catalogue_validates_and_provenance_is_rendered_from_it():
    archives = cat.load_catalogue()
    assert len(archives) == 23
    assert all(a.url.startswith(f"https://raw.githubusercontent.com/{a.repository}/{a.commit}/") for a in archives)
    assert cat.PROVENANCE.read_text(encoding="utf-8") == cat.render_provenance(archives), "run: ./run fixtures provenance"


def test_no_archive_is_committed():
    tracked = subprocess.run(["git", "ls-files", "external"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert tracked and not [p for p in tracked if p.endswith((".zip", ".ozx"))]


@pytest.mark.parametrize("line,replacement,message", [
    ('sha256 = "44df9b08', 'sha256 = "xyz', "does not match"),
    ('url = "https://raw.githubusercontent.com/Unidata', 'url = "https://example.invalid/Unidata', "url must be the raw address"),
    ('commit = "e62b7457dcff857b0afce427031203bd478630dc"', 'commit = "main"', "does not match"),
])
def test_a_bad_catalogue_is_one_clear_line(tmp_path, line, replacement, message):
    text = cat.CATALOGUE.read_text(encoding="utf-8")
    assert line in text
    bad = tmp_path / "catalogue.toml"
    bad.write_text(text.replace(line, replacement, 1), encoding="utf-8")
    with pytest.raises(cat.CatalogueError, match=message) as info:
        cat.load_catalogue(bad)
    assert "\n" not in str(info.value)


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """An empty cache, a given mirror folder, and every upstream address refused."""
    monkeypatch.setenv("ZIPCOMPAT_CACHE", str(tmp_path / "cache"))
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    monkeypatch.setenv(cat.MIRROR_VARIABLE, str(mirror))
    refused = {i: dataclasses.replace(a, url=REFUSED + a.file) for i, a in cat.catalogue().items()}
    monkeypatch.setattr(cat, "catalogue", lambda: refused)
    return mirror, refused


def test_a_mirror_file_with_another_sha256_is_refused_and_not_used(offline):
    mirror, refused = offline
    archive = refused["ext-manzt-zarrita-js-v3-data-zipped-from-within-zarr"]
    (mirror / archive.file).write_bytes(b"PK\x05\x06" + b"\x00" * 18)  # a valid empty ZIP, not the catalogued file
    with pytest.raises(cat.ArchiveUnavailable) as info:
        cat.fetch(archive, timeout=5)
    message = str(info.value)
    assert archive.file in message and "sha256 mismatch" in message and "\n" not in message
    assert not list((cat.cache_dir()).rglob(archive.file)), "a mismatching file must not land in the cache"


def test_the_mirror_is_used_in_place_when_its_file_verifies(offline):
    import hashlib

    mirror, refused = offline
    payload = b"PK\x05\x06" + b"\x00" * 18
    archive = dataclasses.replace(refused["ext-zarr-developers-zarr-python-example"],
                                  sha256=hashlib.sha256(payload).hexdigest(), bytes=len(payload))
    (mirror / archive.file).write_bytes(payload)
    assert cat.fetch(archive, timeout=5) == mirror / archive.file


def test_unavailable_archives_are_named_once_and_the_run_goes_on(offline, tmp_path, built_fixtures):
    out = tmp_path / "fixtures"
    errors, unavailable = place_external(out)
    assert errors == {} and len(unavailable) == 23
    assert unavailable_external(out) == unavailable
    assert all("\n" not in why and "unreachable" in why for why in unavailable.values())
    # one generated fixture beside them: the matrix runs it and names the 23 it could not test
    source = Path(built_fixtures["coads-v3-stored"]["_archive"])
    for name in (source.name, source.name.replace(".zip", ".manifest.json")):
        (out / name).write_bytes((source.parent / name).read_bytes())
    results = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, "-m", "zipstore_compat.compat_tests", "run", "--no-build", "--readers", "zarr3", "--fixtures-dir", str(out),
         "--fixture-ids", "coads-v3-stored,ext-*", "--results", str(results), "-p", "no:xdist"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-1500:] + proc.stderr[-1500:]
    assert "Traceback" not in proc.stdout + proc.stderr
    data = json.loads(results.read_text(encoding="utf-8"))
    assert [c["cell"] for c in data["cells"]] == ["zarr3--coads-v3-stored"]
    assert data["cells"][0]["outcome"] == "pass"
    assert set(data["run"]["not_tested"]) == set(unavailable)
    table = results.with_name("matrix.md").read_text(encoding="utf-8")
    assert all(f"not tested: `{i}`" in table for i in unavailable)
