"""Test-only reader: allocates 256 MiB blocks until its worker's memory cap refuses one.

np.zeros takes pages the kernel only maps when touched: the blocks count
against RLIMIT_AS (the cap) but cost the machine no real memory.
"""
# reader: id = "selftest-memory"
# reader: env = "zarr3"
# reader: library = 'none'
# reader: call = 'allocate until the memory cap'
# reader: test_only = true

FALLBACKS: list = []


def versions() -> dict:
    return {"selftest": "1"}


def read(archive, manifest, options):
    import numpy as np

    blocks = []
    while True:
        blocks.append(np.zeros(2**28, dtype=np.uint8))
