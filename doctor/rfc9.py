"""The RFC-9 (zipped OME-Zarr, .ozx) rules that ozx-tck's `validate` checks, with its messages and output format.

ozx-tck (https://github.com/clbarnes/ozx-tck, src/ozx_tck/validate/__init__.py at 314fcab) prints one line per
event, `path::arcname::WARN|ERROR::msg` (arcname `None` for the archive as a whole), and exits 2 on an error, 1 on a
warning with --strict, else 0. Its rules, in its order (https://github.com/ome/ngff/issues/398 lists the cases):

  WARN   does not end in .ozx
  WARN   no JSON comment / JSON comment is not an object / JSON comment missing `ome` object /
         JSON comment missing `ome.version` / JSON comment does not show metadata files as sorted /
         JSON comment malformed: ...
  ERROR  should be JSON first but isn't     (jsonFirst is set and the root zarr.json is not the first entry)
  WARN   zip compressed                     (per member whose method is not stored)
  ERROR  probably contains archive          (per member named *.zip or *.ozx)
  ERROR  should be BFS but isn't            (jsonFirst is set and a zarr.json is listed after a deeper one)
  ERROR  missing root metadata              (arcname zarr.json)

Two cases of its test kit that `validate` does not detect are added, in the same format: WARN "does not use ZIP64"
(the kit's NotZip64 case) and ERROR "multi-part archive" (its Multipart case); and where the file is no readable
ZIP at all (ozx-tck ends in a traceback), ERROR with the reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from zipstore_compat.core import ziprecords as zr

TCK = "https://github.com/clbarnes/ozx-tck/blob/314fcaba2012bfba87a99ed5a5045031b43dbe34/src/ozx_tck/validate/__init__.py"


@dataclass(frozen=True)
class Event:
    arcname: str | None
    state: str            # WARN | ERROR
    msg: str

    def line(self, path: str) -> str:
        return f"{path}::{self.arcname}::{self.state}::{self.msg}"


def _comment_events(comment: bytes) -> tuple[list[Event], object]:
    """ozx-tck's process_comment: the events, and the jsonFirst value (falsy when the comment does not say it)."""
    try:
        document = json.loads(comment)
    except (ValueError, UnicodeDecodeError):
        return [Event(None, "WARN", "no JSON comment")], None
    events = []
    if not isinstance(document, dict):
        return [Event(None, "WARN", "JSON comment is not an object")], None
    ome = document.get("ome")
    if not isinstance(ome, dict):
        return [Event(None, "WARN", "JSON comment missing `ome` object")], None
    if not isinstance(ome.get("version"), str):
        events.append(Event(None, "WARN", "JSON comment missing `ome.version`"))
    try:
        return events, ome["zipFile"]["centralDirectory"]["jsonFirst"]
    except KeyError:
        events.append(Event(None, "WARN", "JSON comment does not show metadata files as sorted"))
    except Exception as exc:  # noqa: BLE001 - the same catch-all as ozx-tck: its text is the message
        events.append(Event(None, "WARN", f"JSON comment malformed: {exc}"))
    return events, False


def events(path: Path, entries: list[zr.CentralEntry], comment: bytes, zip64_end: bool, multi_part: bool) -> list[Event]:
    """ozx-tck's events for an archive (its central directory in order), then the two cases it does not detect."""
    out = [Event(None, "WARN", "does not end in .ozx")] if Path(path).suffix != ".ozx" else []
    comment_events, json_first = _comment_events(comment)
    out += comment_events
    has_root, seen_other, deepest, breadth_first = False, False, 0, True
    for entry in entries:
        name = entry.name
        if name == "zarr.json":
            has_root = True
            if seen_other and json_first:
                out.append(Event(None, "ERROR", "should be JSON first but isn't"))
        else:
            seen_other = True
        if entry.method != 0:
            out.append(Event(name, "WARN", "zip compressed"))
        if name.lower().endswith((".zip", ".ozx")):
            out.append(Event(name, "ERROR", "probably contains archive"))
        if json_first and name.split("/")[-1] == "zarr.json":
            depth = name.count("/")
            breadth_first = breadth_first and depth >= deepest
            deepest = max(deepest, depth)
    if json_first and not breadth_first:
        out.append(Event(None, "ERROR", "should be BFS but isn't"))
    if not has_root:
        out.append(Event("zarr.json", "ERROR", "missing root metadata"))
    if not zip64_end:
        out.append(Event(None, "WARN", "does not use ZIP64"))
    if multi_part:
        out.append(Event(None, "ERROR", "multi-part archive"))
    return out


def exit_status(found: list[Event], strict: bool = False) -> int:
    """ozx-tck's: 2 on an error, 1 on a warning with --strict, else 0."""
    states = {e.state for e in found}
    return 2 if "ERROR" in states else 1 if "WARN" in states and strict else 0
