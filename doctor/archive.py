"""What the doctor reads of an archive, with hard limits: its end records, its central directory, local headers on
request, and the few members it is asked for (the Zarr metadata), inflated within a limit.

The record layout is core.ziprecords'. Nothing here inflates a member past the
size the caller allows, and a member's data is read only through its own local
header and within the file: a bomb or a lying size is a finding, never a crash.
"""

from __future__ import annotations

import bz2
import lzma
import struct
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

from zipstore_compat.core import ziprecords as zr

CD_LIMIT = 128 * 2**20          # a central directory larger than this is not read
ENTRY_LIMIT = 2_000_000         # nor more entries than this
BLOCK = 2**20                   # what is read or inflated at once


class NotReadable(ValueError):
    """Not a ZIP archive one can read: the one-line reason."""


@dataclass
class Archive:
    path: Path
    size: int
    end: zr.ArchiveEnd
    entries: list[zr.CentralEntry]
    stopped: str | None = None                  # why the central directory was not read to its end
    locals: dict[int, zr.LocalHeader | None] = field(default_factory=dict)   # local headers read (by offset)

    @property
    def comment(self) -> bytes:
        return self.end.record.comment

    @cached_property
    def names_text(self) -> str:
        """Every entry's name, each after a newline: one string to search before looking at entries one by one."""
        return "".join("\n" + e.name for e in self.entries)

    def any_name_has(self, *parts: str) -> bool:
        text = self.names_text
        return any(part in text for part in parts)


def open_archive(path: Path) -> Archive:
    """The end records and the central directory of `path` (NotReadable with the reason when there are none)."""
    path = Path(path)
    try:
        if not path.is_file():
            raise NotReadable("no such file" if not path.exists() else "not a regular file")
        size = path.stat().st_size
        if size == 0:
            raise NotReadable("an empty file (0 bytes), not a ZIP archive")
        with open(path, "rb") as handle:
            head = handle.read(4)
            end = zr.read_end(handle, size)
            if isinstance(end, zr.EndSearch):
                if end.cut_short:
                    raise NotReadable("its end-of-central-directory record is cut short (truncated)")
                if head == zr.LOCAL_HEADER.signature:
                    raise NotReadable("no end-of-central-directory record: the archive is truncated (or still being written)")
                raise NotReadable("not a ZIP archive (no ZIP signature at its start, no end-of-central-directory record at its end)")
            cd = zr.read_central_directory(handle, end, CD_LIMIT, ENTRY_LIMIT)
    except OSError as exc:
        raise NotReadable(f"cannot read it ({exc.strerror or exc})") from None
    if not cd.entries and cd.stopped:
        raise NotReadable(cd.stopped)
    return Archive(path, size, end, cd.entries, cd.stopped)


def read_locals(archive: Archive, entries: list[zr.CentralEntry]) -> None:
    """Read the local headers of `entries` (each at most 128 KiB) into archive.locals."""
    with open(archive.path, "rb") as handle:
        for entry in entries:
            if entry.local_offset not in archive.locals:
                archive.locals[entry.local_offset] = zr.read_local_header(handle, archive.size, entry.local_offset)


class MemberError(ValueError):
    """A member that cannot be read within the limits: the one-line reason."""


def _lzma_decompressor(handle: BinaryIO, left: int):
    """ZIP's LZMA (APPNOTE 5.8.8): a 4-byte header, 5 bytes of LZMA1 properties, then raw LZMA1 data."""
    head = handle.read(9)
    if len(head) < 9 or struct.unpack_from("<H", head, 2)[0] != 5:
        raise MemberError("an lzma member without the 5-byte properties header")
    props, dict_size = head[4], struct.unpack_from("<I", head, 5)[0]
    lc, rest = props % 9, props // 9
    filters = [{"id": lzma.FILTER_LZMA1, "dict_size": dict_size, "lc": lc, "lp": rest % 5, "pb": rest // 5}]
    return lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=filters), left - 9


def iter_member(archive: Archive, entry: zr.CentralEntry, handle: BinaryIO, limit: int):
    """The member's data in blocks, inflated; MemberError past `limit` bytes, or when it cannot be read at all."""
    if entry.flags & zr.FLAG_ENCRYPTED:
        raise MemberError("encrypted")
    local = archive.locals.get(entry.local_offset) or zr.read_local_header(handle, archive.size, entry.local_offset)
    archive.locals[entry.local_offset] = local
    if local is None:
        raise MemberError(f"no local header at offset {entry.local_offset}")
    left = entry.compressed_size
    if local.data_at + left > archive.size:
        raise MemberError(f"its data ({left:,} bytes from offset {local.data_at}) runs past the end of the file")
    handle.seek(local.data_at)
    if entry.method == 0:
        decompress = None
    elif entry.method == 8:
        decompress = zlib.decompressobj(-15)
    elif entry.method == 12:
        decompress = bz2.BZ2Decompressor()
    elif entry.method == 14:
        decompress, left = _lzma_decompressor(handle, left)
    elif entry.method == 93:
        yield _zstd_member(handle, left, limit)
        return
    else:
        raise MemberError(f"compression method {entry.method} ({zr.COMPRESSION_NAMES.get(entry.method, 'unassigned')}) is not read here")
    produced = 0
    while left > 0:
        raw = handle.read(min(BLOCK, left))
        if not raw:
            raise MemberError("the file ends inside the member")
        left -= len(raw)
        try:
            # at most one byte past the limit: output shorter than max_length means the input was all consumed
            out = raw if decompress is None else decompress.decompress(raw, limit + 1 - produced)
        except (zlib.error, OSError, lzma.LZMAError, EOFError, ValueError) as exc:
            raise MemberError(f"its data does not inflate ({exc})") from None
        produced += len(out)
        if produced > limit:
            raise MemberError(f"it inflates to more than {limit:,} bytes")
        yield out
    if decompress is not None and not decompress.eof:
        raise MemberError("its compressed data ends before its stream does")


def zstd_content_size(frame: bytes) -> int | None:
    """The decompressed size a Zstandard frame's header declares (RFC 8878, 3.1.1.1), None when it declares none."""
    if len(frame) < 6 or frame[:4] != b"\x28\xb5\x2f\xfd":
        return None
    descriptor = frame[4]
    fcs_flag, single, did_flag = descriptor >> 6, (descriptor >> 5) & 1, descriptor & 3
    at = 5 + (0 if single else 1) + (0, 1, 2, 4)[did_flag]
    width = (1 if single else 0, 2, 4, 8)[fcs_flag]
    if width == 0 or at + width > len(frame):
        return None
    size = int.from_bytes(frame[at:at + width], "little")
    return size + 256 if width == 2 else size


def _zstd_member(handle: BinaryIO, left: int, limit: int) -> bytes:
    """A zstd member (method 93), read only when its frame declares a size within `limit` (no bounded stream decoder here)."""
    import numcodecs

    raw = handle.read(left)
    if len(raw) < left:
        raise MemberError("the file ends inside the member")
    declared = zstd_content_size(raw)
    if declared is None or declared > limit:
        raise MemberError("a zstd member whose frame declares no size within the limit is not read here" if declared is None
                          else f"it inflates to more than {limit:,} bytes")
    try:
        out = bytes(numcodecs.Zstd().decode(raw))
    except (RuntimeError, ValueError) as exc:
        raise MemberError(f"its data does not inflate ({exc})") from None
    if len(out) > limit:
        raise MemberError(f"it inflates to more than {limit:,} bytes")
    return out


def read_member(archive: Archive, entry: zr.CentralEntry, limit: int) -> bytes:
    """A whole member, inflated, at most `limit` bytes, with its CRC checked (MemberError otherwise)."""
    if entry.uncompressed_size > limit:
        raise MemberError(f"it is {entry.uncompressed_size:,} bytes, more than the {limit:,} read")
    with open(archive.path, "rb") as handle:
        parts, crc = [], 0
        for block in iter_member(archive, entry, handle, limit):
            parts.append(block)
            crc = zlib.crc32(block, crc)
    data = b"".join(parts)
    if len(data) != entry.uncompressed_size:
        raise MemberError(f"it holds {len(data):,} bytes where the central directory says {entry.uncompressed_size:,}")
    if crc != entry.crc:
        raise MemberError(f"its CRC-32 is {crc:08x} where the central directory says {entry.crc:08x}")
    return data
