"""The entries dataset: one small synthetic array whose one-element chunks make archives of an exact entry count.

The entries axis (fixtures/axes.py) writes this array with one-element chunks and stops writing after as many as
make the archive exactly 32,768, 65,535, 65,536 or 262,144 entries; the chunks left unwritten read as the fill
value. So the values are non-zero only in the first 32,000 elements (fewer chunks than the smallest count leaves
room for) and zero, the fill value, after: every entry count holds the same array. A uint8 array of 262,142
elements: the largest count is its elements plus the two metadata documents of Zarr 3 (the root's and the array's).
"""

from __future__ import annotations

import numpy as np

from datasets.model import ArraySpec, DatasetSpec

LENGTH = 262_142
WRITTEN = 32_000


def dataset(fetch: bool = True) -> DatasetSpec:
    values = np.zeros(LENGTH, dtype="u1")
    values[:WRITTEN] = (np.arange(WRITTEN) % 251 + 1).astype("u1")
    array = ArraySpec("values", values, (1024,), {"case": "one-element chunks make the entry count (the entries axis)"}, dims=("i",),
                      fill_value=0, formats=(3,))
    return DatasetSpec("entries", "entries", "generated in datasets/entries.py", "CC0 (generated)",
                       {"": {"title": "entry counts straddling 65,535"}}, [array])
