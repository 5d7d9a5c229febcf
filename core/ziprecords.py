"""The ZIP record layout (PKWARE APPNOTE 6.3.10), in one place: every part that reads ZIP structures itself reads them here.

    LOCAL_HEADER, CENTRAL_HEADER, END_RECORD, ZIP64_END_RECORD, ZIP64_LOCATOR   each record's fields, in order
    find_end_record(tail, at)        the end of central directory record (and what else looks like one)
    read_end(handle, size)           the same from an open file: reads at most TAIL_BYTES + the ZIP64 end record
    parse_central_directory(...)     central directory headers, from bytes; read_central_directory from a file
    parse_local_header(...)          a local file header; read_local_header from a file
    extra_fields(extra)              the (header id, data) fields of an extra field
    parse_data_descriptor(...)       the record after a streamed member's data

Nothing here trusts the archive: a size or an offset it names is checked
against the bytes there are before it is used, a count is never used to
allocate, and every reader of a file reads at most what its caller allows
(the hostile fixtures, fixtures/hostile.py, lie on purpose). A record that
does not parse is an answer (None, or a `stopped` reason), never an
exception. Standard library only.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import BinaryIO

APPNOTE = "https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT"

ZIP64_EXTRA_ID = 0x0001          # APPNOTE 4.5.3
# extra field header ids (APPNOTE 4.5.2, 4.6): what a writer's id is called
EXTRA_FIELD_NAMES = {0x0001: "ZIP64", 0x000A: "NTFS times", 0x0017: "strong encryption", 0x5455: "extended timestamp",
                     0x5855: "Info-ZIP Unix (old)", 0x7855: "Info-ZIP Unix", 0x7875: "Info-ZIP Unix UID/GID",
                     0x9901: "AES encryption", 0xCAFE: "JAR marker (Java)", 0x6375: "Info-ZIP Unicode comment",
                     0x7075: "Info-ZIP Unicode path"}
FLAG_ENCRYPTED = 0x0001          # general purpose bit 0 (4.4.4)
FLAG_DATA_DESCRIPTOR = 0x0008    # bit 3: sizes and CRC follow the data (4.4.4, 4.3.9)
FLAG_UTF8 = 0x0800               # bit 11: name and comment are UTF-8 (appendix D)
MAX_COMMENT = 0xFFFF
COUNT_LIMIT = 0xFFFF             # a 16-bit count at this value says "see the ZIP64 end record"
SIZE_LIMIT = 0xFFFFFFFF          # a 32-bit size or offset at this value says "see the ZIP64 extra field"
# compression methods by APPNOTE 4.4.5 number: what a method is called here (and in the manifests' zip facts)
COMPRESSION_NAMES = {0: "stored", 8: "deflate", 12: "bzip2", 14: "lzma", 9: "deflate64", 93: "zstd"}
# every method APPNOTE 4.4.5 assigns (others are unassigned: no reader can be expected to read them)
ASSIGNED_METHODS = frozenset({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 17, 18, 19, 20, 93, 94, 95, 96, 97, 98, 99})


class Layout:
    """One record's fixed part: a signature and little-endian fields, in order."""

    def __init__(self, name: str, signature: bytes, fields: list[tuple[str, str]]):
        self.name, self.signature = name, signature
        self.fields = [f for f, _ in fields]
        self.format = "<4s" + "".join(code for _, code in fields)
        self.size = struct.calcsize(self.format)
        self._offsets, at = {}, 4
        for name_, code in fields:
            self._offsets[name_] = at
            at += struct.calcsize("<" + code)

    def offset(self, field_name: str) -> int:
        """Where a field starts, from the start of the record (for byte surgery on our own archives)."""
        return self._offsets[field_name]

    def unpack(self, buf, at: int = 0) -> dict | None:
        """The fields of the record at `at`, or None when the signature is not there or the record is cut short."""
        if at < 0 or at + self.size > len(buf) or buf[at:at + 4] != self.signature:
            return None
        return dict(zip(self.fields, struct.unpack_from(self.format, buf, at)[1:]))

    def pack(self, **values) -> bytes:
        return struct.pack(self.format, self.signature, *(values[f] for f in self.fields))


LOCAL_HEADER = Layout("local file header", b"PK\x03\x04", [   # APPNOTE 4.3.7
    ("version_needed", "H"), ("flags", "H"), ("method", "H"), ("time", "H"), ("date", "H"), ("crc", "I"),
    ("compressed_size", "I"), ("uncompressed_size", "I"), ("name_length", "H"), ("extra_length", "H")])
CENTRAL_HEADER = Layout("central directory header", b"PK\x01\x02", [   # APPNOTE 4.3.12
    ("version_made_by", "H"), ("version_needed", "H"), ("flags", "H"), ("method", "H"), ("time", "H"), ("date", "H"),
    ("crc", "I"), ("compressed_size", "I"), ("uncompressed_size", "I"), ("name_length", "H"), ("extra_length", "H"),
    ("comment_length", "H"), ("disk_start", "H"), ("internal_attributes", "H"), ("external_attributes", "I"),
    ("local_offset", "I")])
END_RECORD = Layout("end of central directory record", b"PK\x05\x06", [   # APPNOTE 4.3.16
    ("disk", "H"), ("cd_disk", "H"), ("disk_entries", "H"), ("entries", "H"), ("cd_size", "I"), ("cd_offset", "I"),
    ("comment_length", "H")])
ZIP64_END_RECORD = Layout("zip64 end of central directory record", b"PK\x06\x06", [   # APPNOTE 4.3.14
    ("record_size", "Q"), ("version_made_by", "H"), ("version_needed", "H"), ("disk", "I"), ("cd_disk", "I"),
    ("disk_entries", "Q"), ("entries", "Q"), ("cd_size", "Q"), ("cd_offset", "Q")])
ZIP64_LOCATOR = Layout("zip64 end of central directory locator", b"PK\x06\x07", [   # APPNOTE 4.3.15
    ("zip64_disk", "I"), ("zip64_end_offset", "Q"), ("disks", "I")])
DATA_DESCRIPTOR_SIGNATURE = b"PK\x07\x08"   # APPNOTE 4.3.9 (optional before the descriptor)

TAIL_BYTES = END_RECORD.size + MAX_COMMENT + ZIP64_LOCATOR.size   # an end record, the longest comment, a locator before them


# --- extra fields (APPNOTE 4.5)


def extra_fields(extra: bytes) -> list[tuple[int, bytes]]:
    """The (header id, data) fields of an extra field; a field whose data runs past the end keeps what is there."""
    out, i = [], 0
    while i + 4 <= len(extra):
        header_id, size = struct.unpack_from("<HH", extra, i)
        out.append((header_id, extra[i + 4:i + 4 + size]))
        i += 4 + size
    return out


def has_zip64_extra(extra: bytes) -> bool:
    return any(header_id == ZIP64_EXTRA_ID for header_id, _ in extra_fields(extra))


def zip64_values(extra: bytes, wanted: list[str]) -> dict[str, int]:
    """The ZIP64 extra field's values (APPNOTE 4.5.3): 8 bytes for each of `wanted` (the fields whose 32-bit value is
    SIZE_LIMIT, in the order uncompressed_size, compressed_size, local_offset), as far as the field holds them."""
    for header_id, data in extra_fields(extra):
        if header_id == ZIP64_EXTRA_ID:
            out = {}
            for n, name in enumerate(wanted):
                if 8 * n + 8 <= len(data):
                    out[name] = struct.unpack_from("<Q", data, 8 * n)[0]
            return out
    return {}


def _zip64_wanted(values: dict, names=("uncompressed_size", "compressed_size", "local_offset")) -> list[str]:
    return [n for n in names if values.get(n) == SIZE_LIMIT]


# --- the end of the archive


@dataclass(frozen=True)
class EndRecord:
    at: int                 # offset of the end record in the file
    disk: int
    cd_disk: int
    disk_entries: int
    entries: int            # what the record says (16 bits; COUNT_LIMIT: see the ZIP64 end record)
    cd_size: int
    cd_offset: int
    comment: bytes          # as far as the file holds it
    consistent: bool        # its comment length reaches exactly the end of the file (APPNOTE 4.3.16)
    zip64_locator_at: int | None = None   # a ZIP64 locator right before the end record
    zip64_end_offset: int | None = None   # where that locator says the ZIP64 end record is


@dataclass(frozen=True)
class EndSearch:
    """What the tail of a file holds: the end record and anything else that looks like one."""
    record: EndRecord | None    # the record at the last end-record signature (the one zipfile takes), when complete
    signature_at: int | None    # the last end-record signature (None: no end record at all)
    others: tuple[int, ...] = ()   # earlier signatures whose comment length also reaches the end (a fake end record?)

    @property
    def cut_short(self) -> bool:
        """The file ends inside its last end record (a signature, fewer than 22 bytes after it)."""
        return self.signature_at is not None and self.record is None


def find_end_record(tail: bytes, tail_at: int = 0) -> EndSearch:
    """The end record in the last bytes of a file (`tail`, which starts at file offset `tail_at`)."""
    last = tail.rfind(END_RECORD.signature)
    if last < 0:
        return EndSearch(None, None)
    others, pos = [], last
    while (pos := tail.rfind(END_RECORD.signature, 0, pos)) >= 0:
        values = END_RECORD.unpack(tail, pos)
        if values is not None and pos + END_RECORD.size + values["comment_length"] == len(tail):
            others.append(tail_at + pos)
    values = END_RECORD.unpack(tail, last)
    if values is None:
        return EndSearch(None, tail_at + last, tuple(others))
    locator = last - ZIP64_LOCATOR.size
    loc = ZIP64_LOCATOR.unpack(tail, locator) if locator >= 0 else None
    comment = tail[last + END_RECORD.size:last + END_RECORD.size + values["comment_length"]]
    record = EndRecord(tail_at + last, values["disk"], values["cd_disk"], values["disk_entries"], values["entries"],
                       values["cd_size"], values["cd_offset"], comment,
                       last + END_RECORD.size + values["comment_length"] == len(tail),
                       tail_at + locator if loc else None, loc["zip64_end_offset"] if loc else None)
    return EndSearch(record, tail_at + last, tuple(others))


def read_tail(handle: BinaryIO, size: int, length: int = TAIL_BYTES) -> tuple[bytes, int]:
    """The last `length` bytes of a file of `size` bytes, and the offset they start at."""
    start = max(0, size - length)
    handle.seek(start)
    return handle.read(size - start), start


@dataclass(frozen=True)
class Zip64End:
    at: int
    entries: int
    disk_entries: int
    cd_size: int
    cd_offset: int
    disk: int
    cd_disk: int


def read_zip64_end(handle: BinaryIO, size: int, end: EndRecord) -> Zip64End | None:
    """The ZIP64 end record the locator points at, when it is there (and before the locator)."""
    at = end.zip64_end_offset
    if end.zip64_locator_at is None or at is None or at + ZIP64_END_RECORD.size > end.zip64_locator_at:
        return None
    handle.seek(at)
    values = ZIP64_END_RECORD.unpack(handle.read(ZIP64_END_RECORD.size))
    if values is None:
        return None
    return Zip64End(at, values["entries"], values["disk_entries"], values["cd_size"], values["cd_offset"], values["disk"],
                    values["cd_disk"])


@dataclass(frozen=True)
class ArchiveEnd:
    """Where the central directory is, as the end records say (ZIP64's where it has them)."""
    search: EndSearch
    zip64: Zip64End | None
    entries: int
    cd_size: int
    cd_offset: int
    cd_end: int             # where the central directory must end: the ZIP64 end record or the end record

    @property
    def record(self) -> EndRecord:
        return self.search.record


def read_end(handle: BinaryIO, size: int) -> ArchiveEnd | EndSearch:
    """The end of an archive: an ArchiveEnd, or the EndSearch that found no complete end record."""
    tail, start = read_tail(handle, size)
    search = find_end_record(tail, start)
    end = search.record
    if end is None:
        return search
    zip64 = read_zip64_end(handle, size, end)
    if zip64 is not None:
        # APPNOTE 4.4.1.4: a 16/32-bit field at its limit defers to the ZIP64 end record
        entries = zip64.entries if end.entries == COUNT_LIMIT or end.disk_entries == COUNT_LIMIT else end.entries
        cd_size = zip64.cd_size if end.cd_size == SIZE_LIMIT else end.cd_size
        cd_offset = zip64.cd_offset if end.cd_offset == SIZE_LIMIT else end.cd_offset
        return ArchiveEnd(search, zip64, entries, cd_size, cd_offset, zip64.at)
    return ArchiveEnd(search, None, end.entries, end.cd_size, end.cd_offset, end.zip64_locator_at or end.at)


# --- central directory headers


@dataclass(slots=True)
class MemberHeader:
    """What a local header and a central directory header both say of a member."""
    at: int                  # offset of the header in the file
    version_needed: int
    flags: int
    method: int
    time: int
    date: int
    crc: int
    compressed_size: int     # the ZIP64 extra field's where the 32-bit field defers to it
    uncompressed_size: int
    raw_name: bytes
    extra: bytes


@dataclass(slots=True)
class CentralEntry(MemberHeader):
    length: int              # bytes of the whole header (fixed part, name, extra, comment)
    version_made_by: int
    disk_start: int
    internal_attributes: int
    external_attributes: int
    local_offset: int
    comment: bytes
    zip64: bool              # it has a ZIP64 extra field
    name: str                # as zipfile decodes it: UTF-8 when bit 11 says so (bytes that are not UTF-8 replaced), else CP437
    is_dir: bool             # a directory entry (its name ends with a slash)

    @property
    def utf8_flag(self) -> bool:
        return bool(self.flags & FLAG_UTF8)


def decode_name(raw: bytes, flags: int) -> str:
    if raw.isascii():
        return raw.decode("ascii")
    return raw.decode("utf-8", "replace") if flags & FLAG_UTF8 else raw.decode("cp437")


@dataclass(frozen=True)
class CentralDirectory:
    entries: list[CentralEntry] = field(default_factory=list)
    stopped: str | None = None   # why parsing stopped before the bytes ran out (a bad signature, a header cut short)


_CENTRAL = struct.Struct(CENTRAL_HEADER.format)


def parse_central_directory(buf: bytes, base: int = 0, start: int = 0, end: int | None = None,
                            max_entries: int | None = None) -> CentralDirectory:
    """The central directory headers in buf[start:end] (`base`: the file offset of buf[0])."""
    end = len(buf) if end is None else min(end, len(buf))
    entries, at, size, signature = [], start, CENTRAL_HEADER.size, CENTRAL_HEADER.signature
    unpack, limit, append = _CENTRAL.unpack_from, max_entries if max_entries is not None else end, entries.append
    while at < end:
        if len(entries) >= limit:
            return CentralDirectory(entries, f"more than {max_entries:,} entries: not read further")
        if at + size > end or not buf.startswith(signature, at):
            what = "cut short" if at + size > end else f"no {CENTRAL_HEADER.name} signature"
            return CentralDirectory(entries, f"{what} at offset {base + at} (entry {len(entries) + 1})")
        (_, made_by, needed, flags, method, time, date, crc, csize, usize, n, m, k, disk, internal, external,
         local) = unpack(buf, at)
        named = at + size + n
        length = size + n + m + k
        if at + length > end:
            return CentralDirectory(entries, f"the {CENTRAL_HEADER.name} at offset {base + at} runs past the central directory")
        name = buf[at + size:named]
        extra, zip64 = (buf[named:named + m], has_zip64_extra(buf[named:named + m])) if m else (b"", False)
        if zip64 and SIZE_LIMIT in (usize, csize, local):
            values = zip64_values(extra, _zip64_wanted({"uncompressed_size": usize, "compressed_size": csize, "local_offset": local}))
            usize, csize, local = (values.get("uncompressed_size", usize), values.get("compressed_size", csize),
                                   values.get("local_offset", local))
        append(CentralEntry(base + at, needed, flags, method, time, date, crc, csize, usize, name, extra, length, made_by,
                            disk, internal, external, local, buf[named + m:at + length] if k else b"", zip64,
                            name.decode("ascii") if name.isascii() else decode_name(name, flags), name.endswith(b"/")))
        at += length
    return CentralDirectory(entries)


def read_central_directory(handle: BinaryIO, end: ArchiveEnd, max_bytes: int,
                           max_entries: int | None = None) -> CentralDirectory:
    """The central directory an ArchiveEnd points at, read only when it lies inside the file and within `max_bytes`."""
    if end.cd_offset + end.cd_size > end.cd_end:
        return CentralDirectory([], f"the end record places the central directory at {end.cd_offset}..{end.cd_offset + end.cd_size}, "
                                    f"past where it must end ({end.cd_end}): truncated or not a ZIP archive")
    if end.cd_size > max_bytes:
        return CentralDirectory([], f"the central directory is {end.cd_size:,} bytes, more than the {max_bytes:,} read")
    handle.seek(end.cd_offset)
    buf = handle.read(end.cd_size)
    return parse_central_directory(buf, end.cd_offset, max_entries=max_entries)


# --- local headers and data descriptors


@dataclass(slots=True)
class LocalHeader(MemberHeader):
    data_at: int             # where the member's data starts

    @property
    def zip64(self) -> bool:
        return has_zip64_extra(self.extra)


def parse_local_header(buf: bytes, at: int = 0, base: int = 0) -> LocalHeader | None:
    """The local header at buf[at:] (None when it is not there, or its name and extra run past buf)."""
    values = LOCAL_HEADER.unpack(buf, at)
    if values is None:
        return None
    n, m = values["name_length"], values["extra_length"]
    start = at + LOCAL_HEADER.size
    if start + n + m > len(buf):
        return None
    extra = buf[start + n:start + n + m]
    values.update(zip64_values(extra, _zip64_wanted(values, ("uncompressed_size", "compressed_size"))))
    return LocalHeader(base + at, values["version_needed"], values["flags"], values["method"], values["time"], values["date"],
                       values["crc"], values["compressed_size"], values["uncompressed_size"], buf[start:start + n], extra,
                       base + start + n + m)


def read_local_header(handle: BinaryIO, size: int, at: int) -> LocalHeader | None:
    """The local header at file offset `at`: reads at most its fixed part and 128 KiB of name and extra field."""
    if at < 0 or at + LOCAL_HEADER.size > size:
        return None
    handle.seek(at)
    head = handle.read(LOCAL_HEADER.size)
    values = LOCAL_HEADER.unpack(head)
    if values is None:
        return None
    rest = values["name_length"] + values["extra_length"]   # at most 2 x 64 KiB
    return parse_local_header(head + handle.read(rest), 0, at)


def local_data_offset(buf: bytes, local_offset: int) -> int | None:
    """Where the data of the member whose local header is at buf[local_offset:] starts."""
    header = parse_local_header(buf, local_offset)
    return None if header is None else header.data_at


@dataclass(frozen=True)
class DataDescriptor:
    at: int
    length: int              # 12, 16, 20 or 24 bytes
    crc: int
    compressed_size: int
    uncompressed_size: int


def parse_data_descriptor(buf: bytes, at: int, crc: int, zip64: bool, base: int = 0) -> DataDescriptor | None:
    """The data descriptor at buf[at:] of a member whose CRC the central directory says is `crc` (APPNOTE 4.3.9:
    the signature is optional, so a descriptor without one is recognised by that CRC)."""
    sizes = "<QQ" if zip64 else "<II"
    width = struct.calcsize(sizes)
    signed = buf[at:at + 4] == DATA_DESCRIPTOR_SIGNATURE
    for skip in ((4, 0) if signed else (0,)):
        start = at + skip
        if start + 4 + width > len(buf):
            continue
        found_crc = struct.unpack_from("<I", buf, start)[0]
        if found_crc == crc or skip:
            compressed, uncompressed = struct.unpack_from(sizes, buf, start + 4)
            return DataDescriptor(base + at, skip + 4 + width, found_crc, compressed, uncompressed)
    return None
