"""Test-only reader: never returns, as a reader stuck in a lock would."""
# reader: id = "selftest-hang"
# reader: env = "zarr3"
# reader: library = 'none'
# reader: call = 'time.sleep(forever)'
# reader: test_only = true

import time

FALLBACKS: list = []


def versions() -> dict:
    return {"selftest": "1"}


def read(archive, manifest, options):
    while True:
        time.sleep(3600)
