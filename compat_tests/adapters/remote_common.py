"""What the remote adapters share: the one-chunk read's boxes, and zarr-python's read of an opened group.

A remote adapter gets the archive's URL as `archive` (http://127.0.0.1:PORT/<location>/<token>/<name>;
docs/worker-protocol.md). The manifest is the fixture's, or for the one-chunk kind (manifest "read")
the fixture's narrowed to one array whose `region` is the chunk to read: values are `array[region]`,
the slice a box inside it (compat_tests/remote/chunk.py).
"""

from __future__ import annotations

from zipstore_compat.compat_tests.adapters.common import box, read_each


def one_chunk(manifest: dict) -> bool:
    return (manifest.get("read") or {}).get("kind") == "one-chunk"


def boxes(expected: dict) -> tuple[tuple, tuple]:
    """(the values' box, the slice's box) in the whole array: everything and the manifest's slice, or for a
    one-chunk read the chunk's region and the slice inside it."""
    region = expected.get("region")
    if region is None:
        return (Ellipsis,), box(expected)
    start = [a for a, _ in region]
    return (tuple(slice(a, b) for a, b in region),
            tuple(slice(s + a, s + b) for s, (a, b) in zip(start, expected["slice"])))


def folder_and_name(url: str) -> tuple[str, str]:
    """http://host/c/token/x.zip -> ("http://host/c/token", "x.zip")."""
    folder, _, name = url.rpartition("/")
    return folder, name


# obstore (object_store) refuses plain http unless told: the documented client option, needed for any http:// server
OBSTORE_CLIENT = {"allow_http": True}


def read_zarr_group(open_group, open_array, manifest: dict) -> dict:
    """zarr-python 3's read of the arrays a manifest names: open_group() for a whole read (listed), open_array(path)
    alone for the one-chunk read (no listing: it opens the one array it reads)."""
    import zarr

    listed, root = None, None
    if not one_chunk(manifest):
        root = open_group()
        listed = sorted(name for name, node in root.members(max_depth=None) if isinstance(node, zarr.Array))

    def one(expected):
        array = root[expected["path"]] if root is not None else open_array(expected["path"])
        whole, part = boxes(expected)
        attrs = dict(array.attrs)
        dims = getattr(array.metadata, "dimension_names", None) or attrs.get("_ARRAY_DIMENSIONS")
        return {"values": array[whole], "slice": array[part], "attrs": attrs, "dims": list(dims) if dims else None}

    arrays, errors = read_each(manifest, one)
    return {"listed": listed, "arrays": arrays, "errors": errors}
