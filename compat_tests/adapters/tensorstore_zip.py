"""tensorstore: the zarr (format 2) or zarr3 driver over its zip key-value store."""
# reader: id = "tensorstore-zarr"
# reader: env = "tensorstore"
# reader: library = 'tensorstore'
# reader: call = '{"driver": "zarr"|"zarr3", "kvstore": {"driver": "zip", "base": "file://path"}}'
# reader: group = "tensorstore"
# reader: rank = 1
# reader: package = "tensorstore"
# reader: version_key = "tensorstore"
# reader: bugreport = "python:tensorstore_zip"

from __future__ import annotations

import json

from zipstore_compat.compat_tests.adapters.common import box, option, read_each, store_path

# the zip kvstore's path is the key prefix inside the archive: a store zipped from its parent needs the folder in it
FALLBACKS = [option('"kvstore": {"driver": "zip", ..., "path": "<top-level folder>/<array>/"}',
                    "https://google.github.io/tensorstore/kvstore/zip/index.html", "location", "store_prefix", path_from_prefix=True)]


def versions() -> dict:
    import tensorstore  # noqa: F401  (importable: the worker is ready, and the first cell does not pay for the import)

    from zipstore_compat.compat_tests.adapters.common import installed_version

    return {"tensorstore": installed_version("tensorstore"), "numpy": installed_version("numpy")}


def read(archive: str, manifest: dict, options: dict) -> dict:
    import tensorstore as ts

    zip_kvstore = {"driver": "zip", "base": {"driver": "file", "path": archive}}
    kv = ts.KvStore.open(zip_kvstore).result()
    folder = store_path(manifest, options)
    prefix = f"{folder}/" if folder else ""  # by default the store is taken at the archive root, as users write the path
    keys = [k.decode("utf-8", "replace") for k in kv.list().result()]
    meta_name = "zarr.json" if manifest["zarr_format"] == 3 else ".zarray"
    relative = [k[len(prefix):] for k in keys if k.startswith(prefix)]
    listed = sorted(k.rpartition("/")[0] for k in relative if k.endswith("/" + meta_name))  # the root's own metadata is no array
    if manifest["zarr_format"] == 3:
        def node_type(path):
            try:
                return json.loads(kv.read(f"{prefix}{path}/zarr.json").result().value).get("node_type")
            except ValueError:  # metadata that is not JSON: our listing's problem, not tensorstore's (it is asked below)
                return None

        listed = [p for p in listed if node_type(p) == "array"]
    driver = "zarr3" if manifest["zarr_format"] == 3 else "zarr"

    def metadata_attrs(path: str) -> tuple[dict, list | None]:
        if manifest["zarr_format"] == 3:
            meta = json.loads(kv.read(f"{prefix}{path}/zarr.json").result().value)
            return meta.get("attributes", {}), meta.get("dimension_names")
        raw = kv.read(f"{prefix}{path}/.zattrs").result().value
        attrs = json.loads(raw) if raw else {}
        return attrs, attrs.get("_ARRAY_DIMENSIONS")

    def one(expected):
        spec = {"driver": driver, "kvstore": dict(zip_kvstore, path=f"{prefix}{expected['path']}/")}
        store = ts.open(spec, read=True).result()
        attrs, dims = metadata_attrs(expected["path"])
        return {"values": store.read().result(), "slice": store[box(expected)].read().result(), "attrs": attrs, "dims": dims}

    arrays, errors = read_each(manifest, one)
    return {"listed": listed, "arrays": arrays, "errors": errors}
