"""TensorFlow: a tf.data input pipeline over the archive, as a training script would build one.

Chunks of every array are read through zarr-python 3's ZipStore inside
tf.py_function, with a parallel map (several threads reading one shared
store at once), and reassembled. For MNIST, the training images and labels
also feed one epoch of a small Keras model on a subset, and every batch the
model sees is checked against the manifest's values.
"""
# reader: id = "tensorflow"
# reader: env = "tensorflow"
# reader: library = 'TensorFlow (tf.data + Keras)'
# reader: call = 'tf.data.Dataset.map(tf.py_function(read chunk from ZipStore), num_parallel_calls=4)'
# reader: group = "tensorflow"
# reader: rank = 1
# reader: package = "tensorflow-cpu"
# reader: version_key = "tensorflow"
# reader: bugreport = "python:tensorflow_pipeline"

from __future__ import annotations

import numpy as np

from zipstore_compat.compat_tests.adapters.common import option, read_each, store_path

FALLBACKS = [option("open_group(store, path=<top-level folder>)", "https://zarr.readthedocs.io/en/latest/api/zarr/functions/open_group/", "location", "store_prefix", path_from_prefix=True)]
PARALLEL_CALLS = 4
TRAINING_SAMPLES = 2048


def versions() -> dict:
    import tensorflow  # noqa: F401  (importable: the worker is ready, and the first cell does not pay for the import)
    import zarr  # noqa: F401

    from zipstore_compat.compat_tests.adapters.common import installed_version

    return {"tensorflow": installed_version("tensorflow", "tensorflow-cpu"), "zarr": installed_version("zarr"), "numpy": installed_version("numpy")}


def _pipeline_read(array) -> np.ndarray:
    """Read an array through tf.data: one element per chunk along the first axis, parallel map."""
    import tensorflow as tf

    if array.ndim == 0 or array.shape[0] == 0 or array.dtype.kind in "OTUSMmV":
        return array[...]  # tf.data carries numbers; strings, dates and structured records go straight through zarr
    step = array.chunks[0]
    starts = list(range(0, array.shape[0], step))

    def load(start):
        s = int(start)
        return array[s:s + step]

    def mapped(start):
        block = tf.py_function(load, [start], Tout=tf.as_dtype(array.dtype.newbyteorder("=")))
        return block

    dataset = tf.data.Dataset.from_tensor_slices(np.array(starts, dtype=np.int64))
    dataset = dataset.map(mapped, num_parallel_calls=PARALLEL_CALLS, deterministic=True)
    return np.concatenate([b.numpy() for b in dataset], axis=0)


def _train_one_epoch(images: np.ndarray, labels: np.ndarray) -> str:
    """One epoch of a small Keras model on a subset; every batch is checked against what was read."""
    import tensorflow as tf

    x = images[:TRAINING_SAMPLES]
    y = labels[:TRAINING_SAMPLES]
    seen_x, seen_y = [], []

    def record(bx, by):
        seen_x.append(bx.numpy())
        seen_y.append(by.numpy())
        return bx, by

    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(256)
    data = data.map(lambda bx, by: tf.py_function(record, [bx, by], Tout=[bx.dtype, by.dtype]))
    data = data.map(lambda bx, by: (tf.ensure_shape(tf.cast(bx, tf.float32) / 255.0, [None, 28, 28]), tf.ensure_shape(by, [None])))
    model = tf.keras.Sequential([tf.keras.Input((28, 28)), tf.keras.layers.Flatten(), tf.keras.layers.Dense(10)])
    model.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(data, epochs=1, verbose=0)
    fed_x, fed_y = np.concatenate(seen_x), np.concatenate(seen_y)
    if not (np.array_equal(fed_x, x) and np.array_equal(fed_y, y)):
        raise AssertionError("the batches Keras trained on differ from the values read")
    return f"trained one epoch on {len(fed_x)} images, loss {history.history['loss'][-1]:.3f}; batches equal the values read"


def read(archive: str, manifest: dict, options: dict) -> dict:
    import zarr
    from zarr.storage import ZipStore

    store = ZipStore(archive, mode="r")
    notes = []
    try:
        root = zarr.open_group(store, mode="r", path=store_path(manifest, options) or None)
        listed = sorted(name for name, node in root.members(max_depth=None) if isinstance(node, zarr.Array))

        def one(expected):
            array = root[expected["path"]]
            values = _pipeline_read(array)
            attrs = dict(array.attrs)
            dims = getattr(array.metadata, "dimension_names", None) or attrs.get("_ARRAY_DIMENSIONS")
            # no partial read: a pipeline streams whole arrays (the slice check is skipped)
            return {"values": values, "slice": None, "attrs": attrs, "dims": list(dims) if dims else None}

        arrays, errors = read_each(manifest, one)
        if manifest["dataset"]["name"] == "mnist" and "train/images" in arrays and "train/labels" in arrays:
            notes.append(_train_one_epoch(arrays["train/images"]["values"], arrays["train/labels"]["values"]))
        return {"listed": listed, "arrays": arrays, "errors": errors, "notes": notes}
    finally:
        if store._is_open:  # a store nothing was read from never opened
            store.close()
