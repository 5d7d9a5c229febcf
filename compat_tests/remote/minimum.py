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
from dataclasses import dataclass
from pathlib import Path

from zipstore_compat.core import ziprecords

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
    """The archive's end records and central directory, and each member's local-header size (core.ziprecords, the
    one reading of the ZIP record layout)."""
    path = Path(path)
    with open(path, "rb") as handle:
        size = handle.seek(0, 2)
        end = ziprecords.read_end(handle, size)
        if not isinstance(end, ziprecords.ArchiveEnd):
            raise MinimumError(f"{path.name}: no end of central directory record")
        record = end.record
        first = end.zip64.at if end.zip64 is not None else record.at   # the ZIP64 end record and locator come first
        end_records = record.at + ziprecords.END_RECORD.size + len(record.comment) - first
        directory = ziprecords.read_central_directory(handle, end, max_bytes=end.cd_size)
        if directory.stopped and not directory.entries:
            raise MinimumError(f"{path.name}: {directory.stopped}")
        members = []
        for entry in directory.entries:
            local = ziprecords.read_local_header(handle, size, entry.local_offset)
            if local is None:
                raise MinimumError(f"{path.name}: no local header at offset {entry.local_offset}")
            members.append(Member(entry.name, entry.local_offset, entry.compressed_size, local.data_at - local.at))
    return Structure(size, end_records, end.cd_size, tuple(members))


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
