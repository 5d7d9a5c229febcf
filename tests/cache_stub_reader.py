"""Test-only adapter of tests/test_result_cache.py: served by the project environment's worker, it
reads nothing (no reader library): every cell it runs is an error, quickly."""

FALLBACKS: list = []


def versions() -> dict:
    return {"stub": "1"}


def read(archive, manifest, options):
    raise ValueError(f"the stub reader reads nothing ({archive})")
