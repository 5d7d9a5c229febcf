"""Shared fixtures of the suite's own tests: the default fixture set, built once (cached)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from zipstore_compat.compat_tests.workers import WorkerPool
from zipstore_compat.fixtures.build import build
from zipstore_compat.fixtures.hostile import place_hostile
from zipstore_compat.fixtures.registry import default_fixtures


# the test-only readers (crash, hang, memory, the Node.js contract reader), for this process and the runs it starts
os.environ.setdefault("ZIPCOMPAT_READER_DIRS", "tests/readers")

# The GDAL readers run GDAL 3.13.3, built from Debian's source package (about 20 minutes on 2 cores: envs/native/gdal.sh).
# The suite's own tests take their versions-lane release instead, Debian's own GDAL 3.6.2 build, which nothing compiles,
# so that CI stays well under its 30 minutes on a fresh machine; the 3.13.3 build is exercised by the main job
# (./run matrix) and by CI's GDAL lane job.
GDAL_TESTS_RELEASE = "3.6.2"


def reader_under_test(reader_id: str) -> str:
    """The reader id a test runs for `reader_id`: a GDAL reader at GDAL_TESTS_RELEASE, any other as it is."""
    from zipstore_compat.compat_tests.readers import all_readers
    from zipstore_compat.envs.registry import get_environment

    reader = all_readers()[reader_id]
    if "@" not in reader_id and reader.env != "project" and "gdal" in get_environment(reader.env).native:
        return f"{reader_id}@{GDAL_TESTS_RELEASE}"
    return reader_id


def cell_under_test(cell: str) -> str:
    reader, sep, fixture = cell.partition("--")
    return reader_under_test(reader) + sep + fixture


# what a test needs tells how heavy it is: the default set built, or reader workers started
HEAVY_FIXTURES = {"built_fixtures", "worker_pool"}


def pytest_collection_modifyitems(items):
    for item in items:
        if HEAVY_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.slow)
            item.add_marker(pytest.mark.network)


@pytest.fixture(scope="session")
def built_fixtures(tmp_path_factory) -> dict[str, dict]:
    """Build (or take from the cache) the default set; id -> manifest."""
    out = tmp_path_factory.mktemp("fixtures")
    result = build(list(default_fixtures().values()), out=out, progress=False)
    assert not result.errors, f"fixtures failed to build: {result.errors}"
    manifests = {}
    for fixture_id, archive in result.built.items():
        manifest = json.loads(Path(archive).with_name(f"{fixture_id}.manifest.json").read_text(encoding="utf-8"))
        manifest["_archive"] = str(archive)
        manifests[fixture_id] = manifest
    return manifests


@pytest.fixture
def cell_paths(built_fixtures):
    """fixture id -> (archive, manifest path), as run_cell takes them."""
    def paths(fixture_id: str) -> tuple[Path, Path]:
        archive = Path(built_fixtures[fixture_id]["_archive"]).resolve()
        return archive, archive.with_name(f"{fixture_id}.manifest.json")
    return paths


@pytest.fixture(scope="module")
def worker_pool():
    """Reader workers for one test module, stopped after it."""
    pool = WorkerPool()
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def external_archive():
    """fixture id -> the other project's archive (mirror, then upstream, sha256 checked); a test that needs one is
    skipped with the one-line reason when it cannot be had (offline, no mirror), as the matrix reports it."""
    from zipstore_compat.fixtures.catalogue import ArchiveUnavailable, catalogue, fetch

    def archive(fixture_id: str) -> Path:
        try:
            return fetch(catalogue()[fixture_id])
        except ArchiveUnavailable as unavailable:
            pytest.skip(f"{fixture_id}: {unavailable}")
    return archive


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory) -> Path:
    """The hostile archives and their manifests, for one test module."""
    out = tmp_path_factory.mktemp("hostile")
    place_hostile(out)
    return out
