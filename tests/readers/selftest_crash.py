"""Test-only reader: dies of a segmentation fault, as a broken C extension would."""
# reader: id = "selftest-crash"
# reader: env = "zarr3"
# reader: library = 'none'
# reader: call = 'os.kill(os.getpid(), SIGSEGV)'
# reader: test_only = true

import os
import signal

FALLBACKS: list = []


def versions() -> dict:
    return {"selftest": "1"}


def read(archive, manifest, options):
    os.kill(os.getpid(), signal.SIGSEGV)
