"""Test-only reader: never returns, as a reader stuck in a lock would."""

import time

FALLBACKS: list = []


def versions() -> dict:
    return {"selftest": "1"}


def read(archive, manifest, options):
    while True:
        time.sleep(3600)
