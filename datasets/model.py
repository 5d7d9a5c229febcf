"""What a dataset is: a tree of groups and arrays, with their metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class ArraySpec:
    path: str                      # "train/images" (no leading slash)
    data: np.ndarray
    chunks: tuple[int, ...]
    attrs: dict[str, Any] = field(default_factory=dict)
    dims: tuple[str, ...] | None = None
    fill_value: Any = None         # None: the writer's default
    formats: tuple[int, ...] = (2, 3)   # Zarr formats this array can be written in
    # chunk indices deliberately left unwritten (their values equal fill_value)
    missing_chunks: tuple[tuple[int, ...], ...] = ()
    # the value the source declares missing (its _FillValue / missing_value), None: every value is real data
    # (what a CF decoder that masks, say, MNIST's zeros turns into NaN is real data: docs/reference/cf-decoding.md)
    missing_value: Any = None

    @property
    def is_string(self) -> bool:
        return self.data.dtype == object or self.data.dtype.kind == "T"


@dataclass
class DatasetSpec:
    name: str
    kind: str                      # mnist | grid | synthetic | entries
    source: str                    # one line: where the values come from
    licence: str
    groups: dict[str, dict[str, Any]]   # group path ("" is the root) -> attributes
    arrays: list[ArraySpec]

    def array(self, path: str) -> ArraySpec:
        for spec in self.arrays:
            if spec.path == path:
                return spec
        raise KeyError(path)

    def for_format(self, zarr_format: int) -> "DatasetSpec":
        return DatasetSpec(
            self.name, self.kind, self.source, self.licence, self.groups,
            [a for a in self.arrays if zarr_format in a.formats],
        )
