"""Test-only reader: dies of a segmentation fault, as a broken C extension would."""

import os
import signal

FALLBACKS: list = []


def versions() -> dict:
    return {"selftest": "1"}


def read(archive, manifest, options):
    os.kill(os.getpid(), signal.SIGSEGV)
