"""Test-only reader: dies as node does on V8's own heap limit: the fatal line, a long stack trace, SIGABRT."""
# reader: id = "selftest-heap-limit"
# reader: env = "zarr3"
# reader: library = 'none'
# reader: call = 'print V8 heap-limit fatal error and 25 stack lines to stderr; os.abort()'
# reader: test_only = true

import os
import sys

FALLBACKS: list = []


def versions() -> dict:
    return {"selftest": "1"}


def read(archive, manifest, options):
    sys.stderr.write("FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n")
    for frame in range(1, 26):   # more lines than the worker keeps of stderr (20)
        sys.stderr.write(f"{frame}: 0x10c78d6 v8::internal::Factory::NewFillerObject(int) [node]\n")
    sys.stderr.flush()
    os.abort()
