"""The least a reader must fetch for a read, from the archive's own end records and central directory.

    minimum = the end records (end of central directory, and the ZIP64 end record and locator when
              there are) + the central directory + for every member the read needs, its local header
              (30 bytes, name, extra field) and its stored bytes (compressed size)

The members a read needs: for each array read, its metadata documents (zarr.json; .zarray and .zattrs)
and its chunks: every chunk member of the array for a whole read, the first chunk's member for the
one-chunk read. Group metadata is left out (a reader may open an array directly), so the figure is a
floor that no correct reader can go under by more than a few hundred bytes of group metadata. A chunk
inside a shard counts as its whole shard member. Only the archive's structure is read here (the end
records, the central directory, 30-byte local headers): no member is inflated.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import Path

EOCD = b"PK\x05\x06"
ZIP64_EOCD = b"PK\x06\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
CD_ENTRY = b"PK\x01\x02"
LOCAL = b"PK\x03\x04"
MAX_COMMENT = 0xFFFF
METADATA = ("zarr.json", ".zarray", ".zattrs")
FIRST_CHUNK = re.compile(r"^(?:c(?:[/.]0)*|0(?:[/.]0)*)$")   # c, c/0/0, c.0.0 (Zarr 3); 0, 0.0, 0/0 (Zarr 2)


class MinimumError(ValueError):
    """The archive's structure cannot be read (never the case for our fixtures; said in one line)."""


@dataclass(frozen=True)
class Member:
    name: str
    offset: int          # of its local header
    stored: int          # compressed size
    local_header: int = 0


@dataclass(frozen=True)
class Structure:
    size: int            # of the archive
    end_records: int     # bytes of the end of central directory record (+ comment) and the ZIP64 records
    central_directory: int
    members: tuple[Member, ...]


def structure(path: Path) -> Structure:
    """The archive's end records and central directory, and each member's local-header size."""
    path = Path(path)
    with open(path, "rb") as handle:
        size = handle.seek(0, 2)
        tail_size = min(size, 22 + MAX_COMMENT)
        handle.seek(size - tail_size)
        tail = handle.read(tail_size)
        at = tail.rfind(EOCD)
        if at < 0 or len(tail) - at < 22:
            raise MinimumError(f"{path.name}: no end of central directory record")
        (_, _, _, _, entries, cd_size, cd_offset, comment) = struct.unpack("<4sHHHHIIH", tail[at:at + 22])
        eocd_start = size - tail_size + at
        end_records = 22 + comment
        if 0xFFFFFFFF in (cd_size, cd_offset) or entries == 0xFFFF:
            locator_at = eocd_start - 20
            handle.seek(locator_at)
            locator = handle.read(20)
            if locator[:4] != ZIP64_LOCATOR:
                raise MinimumError(f"{path.name}: ZIP64 values without a ZIP64 end record locator")
            record_at = struct.unpack("<Q", locator[8:16])[0]
            handle.seek(record_at)
            record = handle.read(56)
            if record[:4] != ZIP64_EOCD:
                raise MinimumError(f"{path.name}: the ZIP64 end record is not where its locator says")
            record_size, = struct.unpack("<Q", record[4:12])
            entries, cd_size, cd_offset = struct.unpack("<QQQ", record[32:56])
            end_records += 12 + record_size + 20
        if cd_offset + cd_size > size:
            raise MinimumError(f"{path.name}: the central directory lies past the end of the archive")
        handle.seek(cd_offset)
        directory = handle.read(cd_size)
        members = []
        position = 0
        while position + 46 <= len(directory) and directory[position:position + 4] == CD_ENTRY:
            fields = struct.unpack("<4s6H3I5H2I", directory[position:position + 46])
            stored, name_len, extra_len, comment_len, offset = fields[8], fields[10], fields[11], fields[12], fields[16]
            name = directory[position + 46:position + 46 + name_len].decode("utf-8", "replace")
            extra = directory[position + 46 + name_len:position + 46 + name_len + extra_len]
            stored, offset = _zip64_sizes(extra, fields[9], stored, offset)
            members.append(Member(name, offset, stored))
            position += 46 + name_len + extra_len + comment_len
        members = [Member(m.name, m.offset, m.stored, _local_header(handle, m.offset)) for m in members]
    return Structure(size, end_records, cd_size, tuple(members))


def _zip64_sizes(extra: bytes, uncompressed: int, stored: int, offset: int) -> tuple[int, int]:
    """The real compressed size and offset: the ZIP64 extra field (tag 1) holds, in this order, the values whose
    32-bit fields say 0xFFFFFFFF (uncompressed size, compressed size, local header offset)."""
    at = 0
    while at + 4 <= len(extra):
        tag, length = struct.unpack("<HH", extra[at:at + 4])
        if tag == 0x0001:
            values = extra[at + 4:at + 4 + length]
            found = [struct.unpack("<Q", values[i:i + 8])[0] for i in range(0, len(values) - 7, 8)]
            if uncompressed == 0xFFFFFFFF and found:
                found.pop(0)
            if stored == 0xFFFFFFFF and found:
                stored = found.pop(0)
            if offset == 0xFFFFFFFF and found:
                offset = found.pop(0)
            break
        at += 4 + length
    return stored, offset


def _local_header(handle, offset: int) -> int:
    handle.seek(offset)
    header = handle.read(30)
    if len(header) < 30 or header[:4] != LOCAL:
        raise MinimumError(f"no local header at offset {offset}")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    return 30 + name_len + extra_len


def needed_members(names: list[str], prefix: str, arrays: list[str], first_chunk_only: bool) -> list[str]:
    """The member names a read of `arrays` needs (the last of duplicate names: what a reader reads)."""
    out = []
    for array in arrays:
        folder = f"{prefix}{array}/"
        for name in dict.fromkeys(names):
            if not name.startswith(folder) or name.endswith("/"):
                continue
            key = name[len(folder):]
            if key in METADATA or _is_chunk(key, first_chunk_only):
                out.append(name)
    return out


def _is_chunk(key: str, first_only: bool) -> bool:
    if key in METADATA or key.startswith("."):
        return False
    return bool(FIRST_CHUNK.match(key)) if first_only else True


def minimum_bytes(path: Path, manifest: dict, arrays: list[str], first_chunk_only: bool = False) -> dict:
    """{"bytes": the floor, "members": how many members it counts, "archive_bytes": the archive's size}."""
    found = structure(path)
    last = {m.name: m for m in found.members}  # a duplicate name: the last entry is the one readers take
    wanted = needed_members([m.name for m in found.members], manifest.get("store_prefix") or "", arrays, first_chunk_only)
    members = sum(last[name].local_header + last[name].stored for name in wanted)
    return {"bytes": found.end_records + found.central_directory + members, "members": len(wanted),
            "archive_bytes": found.size, "central_directory_bytes": found.central_directory, "end_records_bytes": found.end_records}
