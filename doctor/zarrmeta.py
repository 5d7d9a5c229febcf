"""The Zarr store inside an archive, from its metadata members alone (zarr.json, .zarray, .zgroup, .zattrs, .zmetadata).

Reads each metadata member once (the last copy of a duplicated name, as
zipfile and zarr-python do), within a size limit; parses JSON with Python's
own parser (a document nested too deep is a finding, not a crash); never
reads a chunk.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

from zipstore_compat.doctor.archive import Archive, MemberError, read_member
from zipstore_compat.fixtures.zipfacts import METADATA_NAMES, root_prefix

MEMBER_LIMIT = 16 * 2**20     # a metadata member larger than this is not read (hostile-meta-big-json is 16 MiB)
TOTAL_LIMIT = 96 * 2**20      # nor more metadata than this in all
MEMBERS_LIMIT = 20_000        # nor more metadata members than this
# codecs that change no bytes' size much: what is left of a chain is its compressors
NOT_COMPRESSORS = {"bytes", "transpose", "crc32c", "sharding_indexed", "vlen-utf8", "vlen-bytes", "vlen-array", "endian"}
# what desktops add to a zipped folder (macOS's resource forks and folder settings, Windows' thumbnails): not the store's
JUNK = re.compile(r"(^|/)(__MACOSX/|\._[^/]*$|\.DS_Store$|Thumbs\.db$|desktop\.ini$)")
V3_ITEMSIZE = {"bool": 1, "int8": 1, "uint8": 1, "int16": 2, "uint16": 2, "int32": 4, "uint32": 4, "int64": 8, "uint64": 8,
               "float16": 2, "float32": 4, "float64": 8, "complex64": 8, "complex128": 16}


@dataclass
class ArrayMeta:
    path: str
    zarr_format: int
    shape: list[int]
    chunks: list[int]            # the chunk grid (a shard's shape, when sharded)
    dtype: str                   # as the metadata writes it
    itemsize: int | None         # bytes per element (None: variable length or unknown)
    codecs: list[str]            # codec names, in order (inner codecs of a shard after the shard's)
    compressors: list[str]       # those that compress
    sharded: bool = False

    @property
    def chunk_count(self) -> int:
        return math.prod(-(-s // max(c, 1)) for s, c in zip(self.shape, self.chunks)) if self.shape else 1

    @property
    def chunk_bytes(self) -> int | None:
        """Bytes of one decoded chunk (of one shard, when sharded)."""
        return None if self.itemsize is None else math.prod(self.chunks) * self.itemsize

    @property
    def total_bytes(self) -> int | None:
        return None if self.itemsize is None else math.prod(self.shape) * self.itemsize


@dataclass
class Store:
    prefix: str                                        # the folder the store sits under ("" at the root)
    formats: set[int] = field(default_factory=set)
    arrays: dict[str, ArrayMeta] = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)
    consolidated: bool = False
    root: dict | None = None                           # the root zarr.json / .zgroup, parsed
    problems: list[tuple[str, str]] = field(default_factory=list)   # (member, why): metadata that is not usable
    metadata_members: list[str] = field(default_factory=list)      # in central-directory order

    @property
    def zarr_format(self) -> int | None:
        return min(self.formats) if len(self.formats) == 1 else None

    def array_of(self, key: str) -> ArrayMeta | None:
        """The array a store key (a chunk) belongs to: the longest array path that is a folder of it."""
        parts = key.split("/")
        for n in range(len(parts) - 1, 0, -1):
            array = self.arrays.get("/".join(parts[:n]))
            if array is not None:
                return array
        return self.arrays.get("") if "" in self.arrays else None


METADATA_SUFFIXES = tuple(METADATA_NAMES)


def is_metadata(name: str) -> bool:
    return name.endswith(METADATA_SUFFIXES) and name.rsplit("/", 1)[-1] in METADATA_NAMES


JUNK_HINTS = ("._", "__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")   # a junk name has one of these


def is_junk(name: str) -> bool:
    if not ("._" in name or "__MACOSX/" in name or ".DS_Store" in name or "Thumbs.db" in name or "desktop.ini" in name):
        return False   # what nearly every name is: no regular expression needed
    return JUNK.search(name) is not None


def read_store(archive: Archive) -> Store:
    has_junk = archive.any_name_has(*JUNK_HINTS)
    store = Store(root_prefix([e.name for e in archive.entries if not (has_junk and is_junk(e.name))]))
    last = {}
    for entry in archive.entries:   # the last copy of a name is the one zipfile (and zarr-python) read
        if is_metadata(entry.name) and entry.name.startswith(store.prefix):
            last[entry.name] = entry
    store.metadata_members = list(last)
    budget = TOTAL_LIMIT
    for count, (name, entry) in enumerate(last.items()):
        if count >= MEMBERS_LIMIT:
            store.problems.append((name, f"more than {MEMBERS_LIMIT:,} metadata members: the rest not read"))
            break
        try:
            data = read_member(archive, entry, min(MEMBER_LIMIT, budget))
        except MemberError as exc:
            store.problems.append((name, f"not read: {exc}"))
            continue
        budget -= len(data)
        try:
            document = json.loads(data)
        except RecursionError:
            store.problems.append((name, "not JSON this parser can read: nested too deep"))
            continue
        except (ValueError, UnicodeDecodeError) as exc:
            store.problems.append((name, f"not JSON ({str(exc)[:120]})"))
            continue
        if not isinstance(document, dict):
            store.problems.append((name, "not a JSON object"))
            continue
        try:
            _take(store, name[len(store.prefix):], document)
        except (KeyError, TypeError, ValueError) as exc:
            store.problems.append((name, f"not valid Zarr metadata ({type(exc).__name__}: {str(exc)[:120]})"))
    return store


def _take(store: Store, key: str, doc: dict) -> None:
    folder, _, leaf = key.rpartition("/")
    if leaf == "zarr.json":
        store.formats.add(3)
        if folder == "":
            store.root = doc
        if doc.get("node_type") == "array":
            store.arrays[folder] = _v3_array(folder, doc)
        else:
            store.groups.append(folder)
            if doc.get("consolidated_metadata"):
                store.consolidated = True
    elif leaf == ".zarray":
        store.formats.add(2)
        store.arrays[folder] = _v2_array(folder, doc)
    elif leaf == ".zgroup":
        store.formats.add(2)
        store.groups.append(folder)
        if folder == "":
            store.root = doc
    elif leaf == ".zmetadata":
        store.consolidated = True


def _ints(value) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(v, int) and v >= 0 for v in value):
        raise ValueError(f"not a list of sizes: {str(value)[:60]}")
    return value


def _v3_array(path: str, doc: dict) -> ArrayMeta:
    shape = _ints(doc["shape"])
    chunks = _ints(doc["chunk_grid"]["configuration"]["chunk_shape"])
    data_type = doc["data_type"]
    dtype = data_type if isinstance(data_type, str) else str(data_type.get("name"))
    codecs = [c["name"] if isinstance(c, dict) else str(c) for c in doc.get("codecs") or []]
    sharded = False
    for codec in doc.get("codecs") or []:
        if isinstance(codec, dict) and codec.get("name") == "sharding_indexed":
            sharded = True
            codecs += [c["name"] for c in codec.get("configuration", {}).get("codecs", []) if isinstance(c, dict)]
    itemsize = V3_ITEMSIZE.get(dtype)
    if itemsize is None and isinstance(data_type, dict):
        length = data_type.get("configuration", {}).get("length_bytes")
        itemsize = length if isinstance(length, int) else 8 if dtype.startswith("numpy.") else None
    return ArrayMeta(path, 3, shape, chunks, dtype, itemsize, codecs, [c for c in codecs if c not in NOT_COMPRESSORS], sharded)


def _v2_itemsize(dtype) -> int | None:
    """Bytes per element of a Zarr 2 dtype ("<f8", "|S5", "<U3", "<M8[ns]", structured lists); None for objects."""
    if isinstance(dtype, list):
        total = 0
        for item in dtype:
            inner = _v2_itemsize(item[1]) if isinstance(item, list) and len(item) >= 2 else None
            if inner is None:
                return None
            total += inner * (math.prod(item[2]) if len(item) > 2 and isinstance(item[2], list) else 1)
        return total
    match = re.fullmatch(r"[<>|=]?([a-zA-Z])(\d*)(\[.*\])?", str(dtype))
    if not match or match.group(1) == "O":
        return None
    kind, n = match.group(1), int(match.group(2) or 1)
    return 4 * n if kind == "U" else n


def _v2_array(path: str, doc: dict) -> ArrayMeta:
    shape, chunks = _ints(doc["shape"]), _ints(doc["chunks"])
    compressor = doc.get("compressor")
    filters = [f.get("id", "?") for f in doc.get("filters") or [] if isinstance(f, dict)]
    codecs = filters + ([compressor["id"]] if isinstance(compressor, dict) and "id" in compressor else [])
    dtype = doc["dtype"]
    return ArrayMeta(path, 2, shape, chunks, json.dumps(dtype) if isinstance(dtype, list) else str(dtype), _v2_itemsize(dtype),
                     codecs, [c for c in codecs if c not in NOT_COMPRESSORS], False)


def ome_version(store: Store) -> str | None:
    """attributes.ome.version of the root group (OME-Zarr 0.5), for the RFC-9 comment."""
    attributes = (store.root or {}).get("attributes") if store.zarr_format == 3 else None
    ome = attributes.get("ome") if isinstance(attributes, dict) else None
    version = ome.get("version") if isinstance(ome, dict) else None
    return version if isinstance(version, str) else None


def member_key(name: str, store: Store) -> str | None:
    """A member's store key ("" prefix removed), or None when it lies outside the store."""
    return name[len(store.prefix):] if name.startswith(store.prefix) else None

