"""tensorstore over HTTP: the zarr (format 2) or zarr3 driver over its zip key-value store over its http one."""
# reader: id = "tensorstore-http"
# reader: env = "tensorstore"
# reader: library = 'tensorstore (HTTP)'
# reader: call = '{"driver": "zarr3", "kvstore": {"driver": "zip", "base": url}}'
# reader: group = "tensorstore"
# reader: rank = 2
# reader: package = "tensorstore"
# reader: version_key = "tensorstore"
# reader: remote = true

from __future__ import annotations

import json

from zipstore_compat.compat_tests.adapters.common import read_each
from zipstore_compat.compat_tests.adapters.remote_common import boxes, one_chunk
from zipstore_compat.compat_tests.adapters.tensorstore_zip import versions

FALLBACKS: list = []

__all__ = ["FALLBACKS", "read", "versions"]


def read(archive: str, manifest: dict, options: dict) -> dict:
    import tensorstore as ts

    zip_kvstore = {"driver": "zip", "base": archive}  # an http(s) URL is the http kvstore's spec
    kv = ts.KvStore.open(zip_kvstore).result()
    v3 = manifest["zarr_format"] == 3
    listed = None
    if not one_chunk(manifest):
        meta_name = "zarr.json" if v3 else ".zarray"
        keys = [k.decode("utf-8", "replace") for k in kv.list().result()]
        listed = sorted(k.rpartition("/")[0] for k in keys if k.endswith("/" + meta_name))
        if v3:
            listed = [p for p in listed if json.loads(kv.read(f"{p}/zarr.json").result().value).get("node_type") == "array"]

    def metadata_attrs(path: str) -> tuple[dict, list | None]:
        if v3:
            meta = json.loads(kv.read(f"{path}/zarr.json").result().value)
            return meta.get("attributes", {}), meta.get("dimension_names")
        raw = kv.read(f"{path}/.zattrs").result().value
        attrs = json.loads(raw) if raw else {}
        return attrs, attrs.get("_ARRAY_DIMENSIONS")

    def one(expected):
        store = ts.open({"driver": "zarr3" if v3 else "zarr", "kvstore": dict(zip_kvstore, path=f"{expected['path']}/")}, read=True).result()
        whole, part = boxes(expected)
        values = store.read().result() if whole == (Ellipsis,) else store[whole].read().result()
        attrs, dims = metadata_attrs(expected["path"])
        return {"values": values, "slice": store[part].read().result(), "attrs": attrs, "dims": dims}

    arrays, errors = read_each(manifest, one)
    return {"listed": listed, "arrays": arrays, "errors": errors}
