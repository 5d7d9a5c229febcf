"""What the orchestrator reads itself: a little of an archive and small JSON files, with hard limits.

Everything else (inflating, decoding, the reference reading) happens in a
capped worker (compat_tests.workers): no input can take the run down.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from zipstore_compat.core.ziprecords import LOCAL_HEADER, find_end_record, read_tail

MANIFEST_LIMIT = 64 * 2**20        # a manifest larger than this is refused, not read


class TooLarge(ValueError):
    pass


@dataclass
class ZipSignature:
    is_zip: bool
    why: str = ""                  # one line: why it is not a ZIP archive, or what is odd about it
    claimed_entries: int = 0       # what the end record says (it may lie)


def zip_signature(path: Path) -> ZipSignature:
    """Is this a ZIP archive at all? Reads at most the first 4 and the last 64 KiB + 42 bytes (core.ziprecords.TAIL_BYTES).

    A ZIP archive, possibly damaged, starts with a local header or has an
    end-of-central-directory signature near its end; anything else is not one.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            return ZipSignature(False, "not a regular file")
        with open(path, "rb") as handle:
            head = handle.read(4)
            tail, start = read_tail(handle, size)
    except FileNotFoundError:
        return ZipSignature(False, "no such file")
    except OSError as exc:
        return ZipSignature(False, f"cannot read it ({exc.strerror or exc})")
    if size == 0:
        return ZipSignature(False, "an empty file (0 bytes), not a ZIP archive")
    end = find_end_record(tail, start)
    if end.signature_at is None:
        if head == LOCAL_HEADER.signature:
            return ZipSignature(True, "no end-of-central-directory record (truncated?)")
        return ZipSignature(False, "not a ZIP archive (no ZIP signature at its start, no end-of-central-directory record at its end)")
    if end.cut_short:
        return ZipSignature(True, "its end-of-central-directory record is cut short (truncated?)")
    return ZipSignature(True, "", end.record.entries)


def read_json(path: Path, limit: int = MANIFEST_LIMIT):
    """json.loads of a file no larger than `limit` bytes (TooLarge otherwise)."""
    path = Path(path)
    size = path.stat().st_size
    if size > limit:
        raise TooLarge(f"{path.name} is {size / 2**20:.0f} MiB, more than the {limit / 2**20:.0f} MiB the orchestrator reads")
    return json.loads(path.read_text(encoding="utf-8"))
