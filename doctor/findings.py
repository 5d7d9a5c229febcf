"""The properties of an archive that matter to readers: what lint reports, one Finding each.

A finding says what the archive has, how bad it is (LEVELS), and where the
suite's results hold the evidence of which readers it breaks (`evidence`:
summary rows of results.json, or fixtures by id or tag; doctor/lint.py looks
them up, doctor/evidence.py compares). Nothing here says who breaks: that is
the results' to say.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from zipstore_compat.core import ziprecords as zr
from zipstore_compat.doctor.archive import Archive
from zipstore_compat.doctor.zarrmeta import JUNK_HINTS, Store, is_junk, is_metadata

# how bad: fatal (not a readable archive: exit 2), unsafe (damaged or malicious: a correct reader refuses it or part of
# it; repack refuses), departs (differs from the suite's baseline archive: the results say whom it breaks), info
LEVELS = ("fatal", "unsafe", "departs", "info")
BOMB_RATIO = 200           # a member that inflates this many times over, past BOMB_FLOOR, whose array says less
BOMB_FLOOR = 64 * 2**20
HUGE_ARRAY = 2**36         # an array of this many bytes or more (64 GiB), a thousand times the archive: mostly fill values
TINY_CHUNKS = 2**20        # more chunks than this in one array's grid
V3_DEFAULT_COMPRESSORS = ["zstd"]    # zarr-python 3's default codecs (bytes, zstd): the baseline's
V2_DEFAULT_COMPRESSORS = ["blosc"]   # and its format 2 default (blosc): the format-v2 fixtures'
# the summary rows of results.json (compat_tests/reports/summary.py PROPERTIES) whose fixtures a finding names as evidence
SUMMARY_ROWS = ("format-v2", "zip-deflate", "zip-bzip2", "zip-lzma", "layout-folder-v2", "layout-folder-v3", "consolidated-v2",
                "consolidated-v3", "sharding", "codec-none", "codec-blosc", "codec-gzip", "codec-zstd-v2", "zip64", "many-entries",
                "cd-reversed", "duplicates", "rfc9", "dtypes-v2", "dtypes-v3")
ORDINARY_DTYPES = {"bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64",
                   "|b1", "|i1", "|u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", "<f4", "<f8", ">f4", ">f8"}


@dataclass
class Finding:
    id: str
    level: str                      # one of LEVELS
    text: str                       # one line: what the archive has
    evidence: list[str] = field(default_factory=list)   # "row:<summary row id>", "fixture:<id>", "tag:<tag>"
    examples: list[str] = field(default_factory=list)   # a few member names
    repair: str | None = None       # what repack does about it; None: nothing (or it cannot)

    def to_dict(self) -> dict:
        return {"id": self.id, "level": self.level, "text": self.text, "evidence": self.evidence,
                "examples": self.examples, "repair": self.repair}


def row(row_id: str) -> str:
    """The evidence spec of one summary row (a KeyError for a row no one declared)."""
    return f"row:{SUMMARY_ROWS[SUMMARY_ROWS.index(row_id)]}"


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"{n:,} {word}"
    return f"{n:,} {word[:-1]}ies" if word.endswith("y") and word[-2:-1] not in "aeiou" else f"{n:,} {word}s"


def _examples(names, n: int = 3) -> list[str]:
    return [str(x) for x in list(names)[:n]]


def zip64_needed(archive: Archive) -> bool:
    """More entries, or a size or offset larger, than the 16- and 32-bit fields hold."""
    end = archive.end
    return (len(archive.entries) >= zr.COUNT_LIMIT or end.cd_size >= zr.SIZE_LIMIT or end.cd_offset >= zr.SIZE_LIMIT
            or any(max(e.compressed_size, e.uncompressed_size, e.local_offset) >= zr.SIZE_LIMIT for e in archive.entries))


def structure(archive: Archive) -> list[Finding]:
    """The ZIP structure: end records, central directory, names, methods, sizes (central directory only)."""
    out: list[Finding] = []
    end, entries = archive.end, archive.entries
    record = end.record
    if record.disk or record.cd_disk or (end.zip64 and (end.zip64.disk or end.zip64.cd_disk)):
        out.append(Finding("multi-part", "fatal", "a multi-part (split) archive: its central directory is on another disk"))
    if end.search.others:
        out.append(Finding("end-records", "unsafe", f"{_plural(len(end.search.others) + 1, 'end-of-central-directory record')} "
                           "whose comment reaches the end of the file: readers that search from the end and readers that "
                           "search otherwise see different archives", ["fixture:hostile-fake-end-record"]))
    elif not record.consistent:
        trailing = archive.size - record.at - zr.END_RECORD.size - len(record.comment)
        out.append(Finding("end-records", "departs", f"{trailing:,} bytes after the end record that its comment length does not "
                           "cover" if trailing > 0 else "the end record's comment is cut short (the file ends inside it)"))
    if record.zip64_locator_at is not None and end.zip64 is None:
        out.append(Finding("zip64", "unsafe", "a ZIP64 locator that points at no ZIP64 end record"))
    if archive.stopped:
        out.append(Finding("central-directory", "unsafe", f"the central directory is damaged: {archive.stopped}",
                           ["fixture:hostile-truncated-cd"]))
    elif len(entries) != end.entries and not (end.zip64 is None and len(entries) >= zr.COUNT_LIMIT):  # that: "zip64" below
        out.append(Finding("entry-count", "unsafe", f"the end record claims {end.entries:,} entries; the central directory "
                           f"holds {len(entries):,}", ["fixture:hostile-cd-count-lies"]))
    by_offset = Counter(e.local_offset for e in entries)
    shared = [e.name for e in entries if by_offset[e.local_offset] > 1]
    if shared:
        out.append(Finding("overlapping", "unsafe", f"{_plural(len(shared), 'entry')} whose central-directory records point "
                           "at the same local header: one member's data read under several names",
                           ["fixture:hostile-overlapping"], _examples(shared)))
    header, cd_offset = zr.LOCAL_HEADER.size, end.cd_offset
    outside = [e.name for e in entries if e.local_offset + header + len(e.raw_name) + e.compressed_size > cd_offset]
    if outside and not archive.stopped:
        out.append(Finding("sizes", "unsafe", f"{_plural(len(outside), 'member')} whose sizes or offsets reach into the central "
                           "directory or past it", ["fixture:hostile-lying-sizes", "fixture:hostile-truncated-member"],
                           _examples(outside)))
    encrypted = [e.name for e in entries if e.flags & zr.FLAG_ENCRYPTED]
    if encrypted:
        out.append(Finding("encrypted", "unsafe", f"{_plural(len(encrypted), 'encrypted member')} (general purpose bit 0): "
                           "no reader of the suite takes a password", ["fixture:hostile-encrypted"], _examples(encrypted)))
    out += names(archive)
    return out


def names(archive: Archive) -> list[Finding]:
    out, entries = [], archive.entries
    suspicious = archive.any_name_has("\n/", "\\", "..", ":")
    escaping = [e.name for e in entries if _escapes(e.name)] if suspicious else []
    if escaping:
        out.append(Finding("traversal-names", "unsafe", f"{_plural(len(escaping), 'name')} that leave the archive's folder "
                           "when extracted (.., absolute, backslashes or a drive)", ["fixture:hostile-traversal-names"],
                           _examples(escaping)))
    non_ascii = [] if archive.names_text.isascii() else [e for e in entries if not e.raw_name.isascii()]
    bad_utf8 = [e.raw_name.decode("latin-1") for e in non_ascii if e.utf8_flag and not _is_utf8(e.raw_name)]
    if bad_utf8:
        out.append(Finding("utf8-names", "unsafe", f"{_plural(len(bad_utf8), 'name')} flagged UTF-8 (bit 11) that are not UTF-8",
                           ["fixture:hostile-non-utf8-name"], _examples(bad_utf8)))
    unflagged = [e.raw_name.decode("utf-8") for e in non_ascii if not e.utf8_flag and _is_utf8(e.raw_name)]
    if unflagged:
        out.append(Finding("utf8-flag", "departs", f"{_plural(len(unflagged), 'non-ASCII name')} in UTF-8 without the UTF-8 flag "
                           "(bit 11): APPNOTE says CP437, the writer (Info-ZIP zip on Linux) meant UTF-8", [],
                           _examples(unflagged), "names written with the UTF-8 flag"))
    counts = Counter(e.name for e in entries)
    twice = sorted(n for n, c in counts.items() if c > 1)
    if twice:
        contents: dict[str, set] = {}
        for e in entries:
            if counts[e.name] > 1:
                contents.setdefault(e.name, set()).add((e.crc, e.uncompressed_size))
        sizes_differ = [n for n in twice if len(contents[n]) > 1]
        out.append(Finding("duplicates", "departs", f"{_plural(len(twice), 'name')} in the archive more than once "
                           f"({_plural(len(sizes_differ), 'name')} with different contents); the last copy is the newer "
                           "(zarr-python's ZipStore appends a rewritten key; zipfile reads the last)",
                           [row("duplicates")] + (["fixture:hostile-duplicate-sizes"] if sizes_differ else []), _examples(twice),
                           "the last copy of each name kept"))
    return out


def _escapes(name: str) -> bool:
    if not (name.startswith("/") or "\\" in name or ".." in name or ":" in name):
        return False
    parts = re.split(r"[/\\]", name)
    return name.startswith(("/", "\\")) or "\\" in name or ".." in parts or bool(re.match(r"^[A-Za-z]:", name))


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def members(archive: Archive, store: Store) -> list[Finding]:
    """How the members are stored: compression, ZIP64, order, descriptors, directories, junk, bombs."""
    out, entries = [], archive.entries
    methods = Counter(e.method for e in entries if not e.is_dir)
    unknown = [e.name for e in entries if e.method not in zr.ASSIGNED_METHODS]
    if unknown:
        out.append(Finding("unknown-method", "unsafe", f"{_plural(len(unknown), 'member')} with a compression method no ZIP "
                           f"specification assigns ({', '.join(sorted({str(e.method) for e in entries if e.method not in zr.ASSIGNED_METHODS}))})",
                           ["fixture:hostile-unknown-method"], _examples(unknown)))
    text = ", ".join(f"{zr.COMPRESSION_NAMES.get(m, f'method {m}')} {n:,}" for m, n in sorted(methods.items()))
    compressed = {m for m in methods if m != 0 and m in zr.ASSIGNED_METHODS}
    evidence = [row(f"zip-{zr.COMPRESSION_NAMES[m]}") for m in sorted(compressed) if m in (8, 12, 14)]
    out.append(Finding("compression", "departs" if compressed else "info", f"ZIP member compression: {text or 'no members'}",
                       evidence, repair="members stored" if compressed else None))
    needed, has_end = zip64_needed(archive), archive.end.zip64 is not None
    extras = sum(1 for e in entries if e.zip64)
    if needed and not has_end and len(entries) >= zr.COUNT_LIMIT:
        out.append(Finding("zip64", "departs", f"{len(entries):,} entries and no ZIP64 end record: the end record's 16-bit count "
                           "cannot hold them", [], repair="a ZIP64 end record"))
    elif not needed and (has_end or extras):
        out.append(Finding("zip64", "departs", f"ZIP64 records where none is needed (forced): end record {'yes' if has_end else 'no'}, "
                           f"{_plural(extras, 'entry')} with a ZIP64 extra field", [row("zip64")],
                           repair="ZIP64 only where needed (always, for .ozx)"))
    else:
        out.append(Finding("zip64", "info", f"ZIP64: {'needed and present' if needed else 'not needed, not used'}"))
    if len(entries) > zr.COUNT_LIMIT:
        out.append(Finding("entries", "departs", f"{len(entries):,} entries: more than 65,535", [row("many-entries")]))
    else:
        out.append(Finding("entries", "info", f"{len(entries):,} entries"))
    offsets = [e.local_offset for e in entries]
    if offsets != sorted(offsets):
        out.append(Finding("order", "departs", "the central directory lists the entries in another order than their data",
                           [row("cd-reversed")], repair="one order, metadata first"))
    in_local_order = entries if offsets == sorted(offsets) else sorted(entries, key=lambda e: e.local_offset)
    metadata_at = [i for i, e in enumerate(in_local_order) if is_metadata(e.name)]
    if metadata_at:
        first = metadata_at == list(range(len(metadata_at)))
        out.append(Finding("metadata-position", "info", "metadata members come first" if first else
                           f"metadata members are interleaved with the data (the first at position {metadata_at[0] + 1}, "
                           f"the last at {metadata_at[-1] + 1} of {len(entries):,})", repair=None if first else "metadata first"))
    extras = Counter(h for e in entries if e.extra for h, _ in zr.extra_fields(e.extra) if h != zr.ZIP64_EXTRA_ID)
    if extras:
        out.append(Finding("extra-fields", "departs", "extra fields in the central directory: " + ", ".join(
            f"0x{h:04x} {zr.EXTRA_FIELD_NAMES.get(h, '(unknown)')} on {_plural(n, 'entry')}" for h, n in sorted(extras.items())),
            [], repair="no extra fields (ZIP64's where needed)"))
    streamed = [e.name for e in entries if e.flags & zr.FLAG_DATA_DESCRIPTOR]
    if streamed:
        out.append(Finding("data-descriptors", "departs", f"{_plural(len(streamed), 'member')} written streamed (bit 3: sizes "
                           "and CRC in a data descriptor after the data)", [], _examples(streamed), "sizes in the headers"))
    directories = [e.name for e in entries if e.is_dir]
    if directories:
        out.append(Finding("directories", "departs", f"{_plural(len(directories), 'directory entry')}", [], _examples(directories),
                           "directory entries dropped"))
    junk = [e.name for e in entries if is_junk(e.name)] if archive.any_name_has(*JUNK_HINTS) else []
    if junk:
        out.append(Finding("junk", "departs", f"{_plural(len(junk), 'entry')} of desktop junk (__MACOSX/, ._*, .DS_Store)", [],
                           _examples(junk), "dropped"))
    bombs = bomb_members(archive, store)
    if bombs:
        out.append(Finding("bomb", "unsafe", f"{_plural(len(bombs), 'member')} that inflate far beyond what their array's "
                           "chunks hold (a decompression bomb)", ["fixture:hostile-deflate-bomb"], _examples(bombs)))
    return out


def bomb_members(archive: Archive, store: Store) -> list[str]:
    """The members that would inflate far beyond what their array's chunks hold: never inflated, not even by --crc."""
    large = [e for e in archive.entries if e.uncompressed_size > 2**16 and e.uncompressed_size > 16 * max(e.compressed_size, 1)]
    return [e.name for e in large if _bomb(e, store)]


def _bomb(entry: zr.CentralEntry, store: Store) -> bool:
    """A member of 64 KiB or more that inflates 16 times over or more (bomb_members picks those) and beyond its array's chunk."""
    key = entry.name[len(store.prefix):] if entry.name.startswith(store.prefix) else None
    array = store.array_of(key) if key and not is_metadata(key) else None
    limit = array.chunk_bytes if array is not None and array.chunk_bytes is not None else None
    if limit is not None:
        return entry.uncompressed_size > 2 * limit + 2**16
    return entry.uncompressed_size > BOMB_FLOOR and entry.uncompressed_size > BOMB_RATIO * max(entry.compressed_size, 1)


def local_headers(archive: Archive) -> list[Finding]:
    """What only the local headers say: sizes and names that disagree, extra fields, bytes no size accounts for."""
    out, disagree, extra_differs, unaccounted = [], [], [], []
    ordered = sorted(archive.entries, key=lambda e: e.local_offset)
    for i, entry in enumerate(ordered):
        local = archive.locals.get(entry.local_offset)
        if local is None:
            disagree.append(f"{entry.name} (no local header at {entry.local_offset})")
            continue
        streamed = bool(entry.flags & zr.FLAG_DATA_DESCRIPTOR)
        if local.raw_name != entry.raw_name or local.method != entry.method or (
                not streamed and (local.crc, local.compressed_size, local.uncompressed_size) !=
                (entry.crc, entry.compressed_size, entry.uncompressed_size)):
            disagree.append(entry.name)
        if {h for h, _ in zr.extra_fields(local.extra)} != {h for h, _ in zr.extra_fields(entry.extra)}:
            extra_differs.append(entry.name)
        following = ordered[i + 1].local_offset if i + 1 < len(ordered) else archive.end.cd_offset
        gap = following - (local.data_at + entry.compressed_size)
        if gap < 0 or (gap and not (streamed and gap in (12, 16, 20, 24))):
            unaccounted.append(f"{entry.name} ({gap:+,} bytes)")
    if disagree:
        out.append(Finding("local-headers", "unsafe", f"{_plural(len(disagree), 'local header')} that disagree with the central "
                           "directory (name, method, CRC or sizes)", ["fixture:hostile-lying-sizes"], _examples(disagree)))
    if unaccounted:
        out.append(Finding("sizes", "unsafe", f"{_plural(len(unaccounted), 'member')} whose declared size does not reach the next "
                           "header (or overruns it)", ["fixture:hostile-lying-sizes"], _examples(unaccounted)))
    out.append(Finding("local-extra-fields", "info", f"{_plural(len(extra_differs), 'entry')} whose local and central extra fields "
                       "carry different fields" if extra_differs else "local and central extra fields carry the same fields",
                       [], _examples(extra_differs)))
    return out


def zarr(archive: Archive, store: Store, suffix: str) -> list[Finding]:
    """The Zarr store: where it is, its format, metadata, codecs, data types, sharding; RFC-9 naming."""
    out = []
    if not store.metadata_members:
        out.append(Finding("zarr-store", "fatal", "no Zarr metadata (zarr.json, .zarray, .zgroup) at the archive root or under "
                           "one top-level folder: not a Zarr store"))
        return out
    fmt = store.zarr_format
    if store.prefix:
        out.append(Finding("layout", "departs", f"the store is under the folder {store.prefix} (as `zip -r x.zip x.zarr` makes it), "
                           "not at the archive root", [row(f"layout-folder-v{fmt}")] if fmt else [], repair="entries at the root"))
    else:
        out.append(Finding("layout", "info", "the store is at the archive root"))
    if store.root is None:
        out.append(Finding("root-metadata", "departs", f"no metadata at the store's root ({store.prefix}zarr.json, .zgroup or "
                           ".zarray): a reader that opens the root finds nothing there"))
    for member, why in store.problems:
        out.append(_metadata_problem(member, why, store))
    if fmt is None:
        out.append(Finding("zarr-format", "departs", f"Zarr formats mixed: {sorted(store.formats)}"))
    else:
        out.append(Finding("zarr-format", "departs" if fmt == 2 else "info", f"Zarr format {fmt}",
                           [row("format-v2")] if fmt == 2 else []))
    if store.consolidated:
        out.append(Finding("consolidated", "departs", "consolidated metadata" + (" (.zmetadata)" if fmt == 2 else
                           " (consolidated_metadata in the root zarr.json)"), [row(f"consolidated-v{fmt}")] if fmt else []))
    arrays = list(store.arrays.values())
    out.append(Finding("arrays", "info", f"{_plural(len(arrays), 'array')}, {_plural(len(store.groups), 'group')}"))
    if arrays:
        out += _codecs(arrays, fmt)
        sharded = [a.path for a in arrays if a.sharded]
        if sharded:
            out.append(Finding("sharding", "departs", f"{_plural(len(sharded), 'sharded array')}", [row("sharding")], _examples(sharded)))
        dtypes = sorted({a.dtype for a in arrays})
        unusual = [d for d in dtypes if d not in ORDINARY_DTYPES]
        out.append(Finding("dtypes", "departs" if unusual else "info", "data types: " + ", ".join(dtypes),
                           [row(f"dtypes-v{fmt}")] if unusual and fmt else []))
        huge = [a.path or "/" for a in arrays if (a.total_bytes or 0) >= max(HUGE_ARRAY, 1000 * archive.size)]
        if huge:
            out.append(Finding("huge-shape", "unsafe", f"{_plural(len(huge), 'array')} of 64 GiB or more, a thousand times the "
                               "archive's size (fill values, mostly): a reader that returns all its values runs out of memory",
                               ["fixture:hostile-meta-huge-shape"], _examples(huge)))
        tiny = [a.path or "/" for a in arrays if a.chunk_count > TINY_CHUNKS]
        if tiny:
            out.append(Finding("tiny-chunks", "unsafe", f"{_plural(len(tiny), 'array')} of more than {TINY_CHUNKS:,} chunks",
                               ["fixture:hostile-meta-tiny-chunks"], _examples(tiny)))
    if suffix == ".ozx":
        out.append(Finding("suffix", "departs", "named .ozx (RFC-9's extension)", ["tag:axis:suffix"]))
    elif suffix != ".zip":
        out.append(Finding("suffix", "departs", f"named {suffix or 'without an extension'}, not .zip"))
    return out


def _metadata_problem(member: str, why: str, store: Store) -> Finding:
    root = member[len(store.prefix):] in ("zarr.json", ".zgroup", ".zattrs", ".zmetadata")
    if "nested too deep" in why:
        evidence = ["fixture:hostile-meta-deep-json"]
    elif "more than" in why and "bytes" in why:
        evidence = ["fixture:hostile-meta-big-json"]
    elif why.startswith("not JSON"):
        evidence = ["fixture:hostile-meta-root-not-json" if root else "fixture:hostile-meta-array-not-json"]
    else:
        evidence = []
    return Finding("metadata", "unsafe", f"the metadata member {member} is {why}" if why.startswith("not") else f"{member}: {why}",
                   evidence, [member])


def _codecs(arrays, fmt) -> list[Finding]:
    chains = Counter(tuple(a.compressors) for a in arrays)
    text = "; ".join(f"{' + '.join(chain) or 'none'} ({_plural(n, 'array')})" for chain, n in sorted(chains.items()))
    default = V3_DEFAULT_COMPRESSORS if fmt == 3 else V2_DEFAULT_COMPRESSORS
    rows = {(3, ()): "codec-none", (3, ("blosc",)): "codec-blosc", (3, ("gzip",)): "codec-gzip", (2, ("zstd",)): "codec-zstd-v2"}
    departing = [c for c in chains if list(c) != default]
    if not departing:
        return [Finding("codecs", "info", f"codecs: {text} (the writer's default)")]
    evidence = sorted({row(rows[(fmt, c)]) for c in departing if (fmt, c) in rows})
    return [Finding("codecs", "departs", f"codecs: {text}", evidence)]


def rfc9_layout(archive: Archive) -> list[Finding]:
    """The zipped OME-Zarr layout (RFC-9): a JSON comment that says the metadata comes first."""
    import json

    try:
        comment = json.loads(archive.comment) if archive.comment else None
    except ValueError:
        comment = None
    ome = comment.get("ome") if isinstance(comment, dict) else None
    if isinstance(ome, dict):
        return [Finding("rfc9", "departs", "the zipped OME-Zarr layout (RFC-9): an `ome` JSON archive comment", [row("rfc9")])]
    if archive.comment:
        return [Finding("comment", "info", f"an archive comment of {len(archive.comment):,} bytes")]
    return []


def all_findings(archive: Archive, store: Store, with_locals: bool) -> list[Finding]:
    found = structure(archive) + members(archive, store) + zarr(archive, store, _suffix(archive.path)) + rfc9_layout(archive)
    if with_locals:
        found += local_headers(archive)
    return sorted(found, key=lambda f: LEVELS.index(f.level))


def _suffix(path: Path) -> str:
    return Path(path).suffix.lower()
