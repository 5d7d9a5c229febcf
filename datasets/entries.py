"""The entries dataset: one small synthetic array, the store of the entries axis (archives of an exact entry count).

The entries axis (fixtures/axes.py) writes this array in its 1,024-element chunks (256 of them, and the two metadata
documents of Zarr 3) after as many one-byte members, chunk keys beyond its shape, as make the archive exactly
32,768, 65,535, 65,536 or 262,144 entries (fixtures/writers/zarr3_writer.py): a reader reads 256 chunks whatever the
count, so the cells stay fast, and every reader has to find the store past the padding in the central directory.
"""

from __future__ import annotations

import numpy as np

from zipstore_compat.datasets.model import ArraySpec, DatasetSpec

LENGTH = 262_144


def dataset(fetch: bool = True) -> DatasetSpec:
    values = (np.arange(LENGTH) % 251 + 1).astype("u1")
    array = ArraySpec("values", values, (1024,), {"case": "the store of the entries axis (its archives padded to an exact entry count)"},
                      dims=("i",), fill_value=0, formats=(3,))
    return DatasetSpec("entries", "entries", "generated in datasets/entries.py", "CC0 (generated)",
                       {"": {"title": "entry counts straddling 65,535"}}, [array])
