"""Shared fixtures of the suite's own tests: the default fixture set, built once (cached)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixtures.build import build
from fixtures.registry import default_fixtures


@pytest.fixture(scope="session")
def built_fixtures(tmp_path_factory) -> dict[str, dict]:
    """Build (or take from the cache) the default set; id -> manifest."""
    out = tmp_path_factory.mktemp("fixtures")
    result = build(list(default_fixtures().values()), out=out, progress=False)
    assert not result.errors, f"fixtures failed to build: {result.errors}"
    manifests = {}
    for fixture_id, archive in result.built.items():
        manifest = json.loads(Path(str(archive).replace(".zip", ".manifest.json")).read_text(encoding="utf-8"))
        manifest["_archive"] = str(archive)
        manifests[fixture_id] = manifest
    return manifests
