"""Test-only adapter of tests/test_result_cache.py, a second one: its own file, so that an edit to it
touches no other reader's key."""

FALLBACKS: list = []


def versions() -> dict:
    return {"stub": "2"}


def read(archive, manifest, options):
    raise ValueError(f"the other stub reader reads nothing either ({archive})")
