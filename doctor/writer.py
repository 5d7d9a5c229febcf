"""A deterministic ZIP writer of stored members (the record layout is core.ziprecords').

Fixed time (2020-01-01 00:00:00, as the fixtures), permissions (rw-r--r--),
the order it is given, no data descriptors (sizes and CRC in the headers),
the UTF-8 flag on non-ASCII names. ZIP64 where a count, size or offset needs
it; with force_zip64 on every record, the way Info-ZIP's `zip -fz` writes
them (the layout of the suite's RFC-9 fixtures): local headers with both sizes
in a ZIP64 extra field, central headers with the uncompressed size there, a
ZIP64 end record and locator, and the end record's offset deferring to them.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import BinaryIO, Iterable

from zipstore_compat.core import ziprecords as zr

DOS_DATE = ((2020 - 1980) << 9) | (1 << 5) | 1     # 2020-01-01
DOS_TIME = 0                                        # 00:00:00
UNIX_RW_R_R = 0o644 << 16
MADE_BY, MADE_BY_ZIP64 = (3 << 8) | 20, (3 << 8) | 45   # Unix; version 2.0, 4.5 (ZIP64)


@dataclass
class Written:
    name: bytes
    flags: int
    crc: int
    size: int
    offset: int
    zip64_local: bool


def _zip64_extra(values: list[int]) -> bytes:
    return struct.pack("<HH", zr.ZIP64_EXTRA_ID, 8 * len(values)) + b"".join(struct.pack("<Q", v) for v in values)


class StoredZipWriter:
    def __init__(self, handle: BinaryIO, force_zip64: bool = False):
        self.handle, self.force = handle, force_zip64
        self.written: list[Written] = []

    def add(self, name: str, blocks: Iterable[bytes], declared_size: int) -> Written:
        """One member, stored: its data from `blocks`; its local header is patched with the CRC and size afterwards."""
        raw = name.encode("utf-8")
        flags = 0 if raw.isascii() else zr.FLAG_UTF8
        offset = self.handle.tell()
        zip64 = self.force or declared_size >= zr.SIZE_LIMIT
        extra = _zip64_extra([0, 0]) if zip64 else b""
        self.handle.write(self._local(raw, flags, 0, 0, zip64) + raw + extra)
        crc, size = 0, 0
        for block in blocks:
            self.handle.write(block)
            crc, size = zlib.crc32(block, crc), size + len(block)
        if size >= zr.SIZE_LIMIT and not zip64:
            raise ValueError(f"{name}: {size:,} bytes where {declared_size:,} were declared")
        end = self.handle.tell()
        self.handle.seek(offset)
        self.handle.write(self._local(raw, flags, crc, size, zip64) + raw + (_zip64_extra([size, size]) if zip64 else b""))
        self.handle.seek(end)
        item = Written(raw, flags, crc, size, offset, zip64)
        self.written.append(item)
        return item

    @staticmethod
    def _local(raw: bytes, flags: int, crc: int, size: int, zip64: bool) -> bytes:
        shown = zr.SIZE_LIMIT if zip64 else size
        return zr.LOCAL_HEADER.pack(version_needed=45 if zip64 else 20, flags=flags, method=0, time=DOS_TIME, date=DOS_DATE,
                                    crc=crc, compressed_size=shown, uncompressed_size=shown, name_length=len(raw),
                                    extra_length=20 if zip64 else 0)

    def _central(self, item: Written) -> bytes:
        if self.force:   # as zip -fz: the uncompressed size in the extra field (and the offset, when it must be)
            wanted = {"uncompressed_size": item.size}
        else:
            wanted = {k: v for k, v in (("uncompressed_size", item.size), ("compressed_size", item.size)) if v >= zr.SIZE_LIMIT}
        if item.offset >= zr.SIZE_LIMIT:
            wanted["local_offset"] = item.offset
        extra = _zip64_extra(list(wanted.values())) if wanted else b""
        zip64 = bool(wanted) or item.zip64_local
        header = zr.CENTRAL_HEADER.pack(
            version_made_by=MADE_BY_ZIP64 if zip64 else MADE_BY, version_needed=45 if zip64 else 20, flags=item.flags, method=0,
            time=DOS_TIME, date=DOS_DATE, crc=item.crc,
            compressed_size=zr.SIZE_LIMIT if "compressed_size" in wanted else item.size,
            uncompressed_size=zr.SIZE_LIMIT if "uncompressed_size" in wanted else item.size,
            name_length=len(item.name), extra_length=len(extra), comment_length=0, disk_start=0, internal_attributes=0,
            external_attributes=UNIX_RW_R_R, local_offset=zr.SIZE_LIMIT if "local_offset" in wanted else item.offset)
        return header + item.name + extra

    def finish(self, comment: bytes = b"") -> None:
        cd_offset = self.handle.tell()
        for item in self.written:
            self.handle.write(self._central(item))
        cd_size, count = self.handle.tell() - cd_offset, len(self.written)
        zip64 = self.force or count >= zr.COUNT_LIMIT or cd_offset >= zr.SIZE_LIMIT or cd_size >= zr.SIZE_LIMIT
        if zip64:
            at = self.handle.tell()
            self.handle.write(zr.ZIP64_END_RECORD.pack(
                record_size=zr.ZIP64_END_RECORD.size - 12, version_made_by=MADE_BY_ZIP64, version_needed=45, disk=0, cd_disk=0,
                disk_entries=count, entries=count, cd_size=cd_size, cd_offset=cd_offset))
            self.handle.write(zr.ZIP64_LOCATOR.pack(zip64_disk=0, zip64_end_offset=at, disks=1))
        small_count = min(count, zr.COUNT_LIMIT)
        self.handle.write(zr.END_RECORD.pack(
            disk=0, cd_disk=0, disk_entries=small_count, entries=small_count, cd_size=min(cd_size, zr.SIZE_LIMIT),
            cd_offset=zr.SIZE_LIMIT if self.force or cd_offset >= zr.SIZE_LIMIT else cd_offset,
            comment_length=len(comment)) + comment)
