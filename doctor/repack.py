"""repack: rewrite an archive into the layout the chosen readers read, its values unchanged.

What it writes: every member stored (what every reader that reads the suite's
baseline reads), the last copy of a duplicated name (the newer one, what
zarr-python's ZipStore and zipfile read), no directory entries or desktop
junk, metadata first, entries at the root or under one folder as the target
readers read them (from the results), ZIP64 only where needed; for an .ozx
name the RFC-9 layout (root, zarr.json breadth-first, ZIP64 on every record,
its JSON comment). Byte-deterministic: the same input gives the same bytes.

It refuses, with the reason, what it cannot repair: an unreadable, damaged or
malicious archive (lint's fatal and unsafe findings), a member it cannot read
within its declared size and CRC (data lost), values the reference reading
cannot check. The values are checked by the suite's reference reading of the
input and of the output (digests equal); then the readers run on both.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from zipstore_compat.core import ziprecords as zr
from zipstore_compat.doctor import matrix, reference
from zipstore_compat.doctor.archive import Archive, MemberError, iter_member
from zipstore_compat.doctor.evidence import reads
from zipstore_compat.doctor.findings import zip64_needed
from zipstore_compat.doctor.lint import inspect
from zipstore_compat.doctor.results import ResultsError, load
from zipstore_compat.doctor.writer import StoredZipWriter
from zipstore_compat.doctor.zarrmeta import Store, is_junk, is_metadata, ome_version
from zipstore_compat.fixtures.ziptools import RFC9_COMMENT, json_first_order


class RepackError(ValueError):
    """Why the archive is not repacked: one line."""


@dataclass
class Plan:
    members: list[tuple[zr.CentralEntry, str]]     # (source entry, name in the output), in output order
    folder: str                                     # "" (root) or "name.zarr/"
    force_zip64: bool
    comment: bytes
    changes: list[str] = field(default_factory=list)
    layout_note: str = ""


def _layout_fixtures(payload: dict, fmt: int) -> dict[str, list[str]]:
    """The fixtures that show each layout: the baseline archives (root, format 3), the format-2 row's, the folder rows'."""
    rows = {r["id"]: r.get("fixtures") or [] for r in (payload.get("summary") or {}).get("rows") or []}
    root = sorted({c["fixture"] for c in payload["cells"] if "baseline" in (c.get("tags") or [])}) if fmt == 3 else rows.get("format-v2", [])
    return {"root": root, "folder": rows.get(f"layout-folder-v{fmt}", [])}


def choose_layout(payload: dict | None, fmt: int, targets: list[str]) -> tuple[str, str]:
    """("root" | "folder", why): the layout more of the targets read, by their cells (root when they tie)."""
    if payload is None:
        return "root", "no results to choose by: entries at the root (the suite's baseline layout)"
    by_pair = {(c["reader"], c["fixture"]): c for c in payload["cells"]}
    readers_of = {}
    for layout, fixtures in _layout_fixtures(payload, fmt).items():
        readers_of[layout] = [r for r in targets
                              if any(reads(by_pair[(r, f)]) for f in fixtures if (r, f) in by_pair)]
    layout = "folder" if len(readers_of["folder"]) > len(readers_of["root"]) else "root"
    other = "root" if layout == "folder" else "folder"
    left = [r for r in readers_of[other] if r not in readers_of[layout]]
    why = (f"{'under a folder' if layout == 'folder' else 'at the root'}: read by {len(readers_of[layout])} of {len(targets)} "
           f"target readers ({', '.join(readers_of[layout]) or 'none'})" +
           (f"; the other layout is read by {', '.join(left)}, which this one leaves out" if left else ""))
    return layout, why


def plan(archive: Archive, store: Store, out: Path, payload: dict | None, targets: list[str]) -> Plan:
    ozx = out.suffix.lower() == ".ozx"
    fmt = store.zarr_format
    if fmt is None:
        raise RepackError("the store's Zarr format is unclear (mixed or none): nothing to lay out")
    if ozx and fmt != 3:
        raise RepackError(f"an .ozx archive (RFC-9) holds Zarr format 3; this store is format {fmt}")
    if ozx:
        layout, why = "root", "at the root: RFC-9 requires it"
    else:
        layout, why = choose_layout(payload, fmt, targets)
    folder = ""
    if layout == "folder":
        folder = store.prefix or (out.name[: -len(out.suffix)] if out.suffix else out.name).removesuffix(".zarr") + ".zarr/"
    changes, last = [], {}
    for entry in archive.entries:
        last[entry.name] = entry                      # the last copy of a name: what zipfile and ZipStore read
    dropped = {"older copies of duplicated names": len(archive.entries) - len(last), "directory entries": 0,
               "entries of desktop junk": 0}
    kept = {}
    for name, entry in last.items():
        if entry.is_dir or is_junk(name):
            dropped["directory entries" if entry.is_dir else "entries of desktop junk"] += 1
            continue
        key = name[len(store.prefix):] if name.startswith(store.prefix) else None
        target = folder + key if key is not None else name
        if target in kept:
            raise RepackError(f"{name} and {kept[target][0].name} would both be {target} in the output")
        kept[target] = (entry, target)
    changes += [f"{n:,} {what} dropped" for what, n in dropped.items() if n]
    if any(e.extra for e, _ in kept.values()):
        changes.append("extra fields dropped (ZIP64's written where needed)")
    if any(e.flags & zr.FLAG_DATA_DESCRIPTOR for e, _ in kept.values()):
        changes.append("data descriptors dropped: sizes and CRC in the headers")
    names = sorted(kept)
    ordered = json_first_order(names) if fmt == 3 else _metadata_first(names)
    if store.prefix != folder:
        changes.append(f"entries moved {'to the root' if not folder else 'under ' + folder} (from {store.prefix or 'the root'})")
    methods = {e.method for e, _ in kept.values()}
    if methods - {0}:
        changes.append("members stored (they were " + ", ".join(sorted(zr.COMPRESSION_NAMES.get(m, str(m)) for m in methods)) + ")")
    force = ozx
    comment = _rfc9_comment(store) if ozx else b""
    if ozx:
        changes.append("the RFC-9 layout: zarr.json files first (breadth-first), ZIP64 on every record, its JSON comment")
    elif archive.end.zip64 is not None and not zip64_needed(archive):
        changes.append("ZIP64 records dropped (not needed)")
    return Plan([kept[n] for n in ordered], folder, force, comment, changes, why)


def _metadata_first(names: list[str]) -> list[str]:
    """Zarr 2's metadata members first, breadth-first (as json_first_order puts zarr.json), then the rest in order."""
    meta = sorted((n for n in names if is_metadata(n)), key=lambda n: (n.count("/"), n))
    first = set(meta)
    return meta + [n for n in names if n not in first]


def _rfc9_comment(store: Store) -> bytes:
    import json

    comment = json.loads(json.dumps(RFC9_COMMENT))
    version = ome_version(store)
    if version:
        comment["ome"]["version"] = version
    return json.dumps(comment, separators=(",", ":")).encode("utf-8")


def write(archive: Archive, chosen: Plan, out: Path) -> None:
    """Write the plan to `out` (through a temporary file beside it), every member's CRC and size checked as it is copied."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.")
    try:
        with os.fdopen(fd, "w+b") as handle, open(archive.path, "rb") as source:
            writer = StoredZipWriter(handle, force_zip64=chosen.force_zip64)
            for entry, name in chosen.members:
                try:
                    written = writer.add(name, iter_member(archive, entry, source, entry.uncompressed_size), entry.uncompressed_size)
                except MemberError as exc:
                    raise RepackError(f"{entry.name} cannot be read within its declared size ({exc}): its data is lost") from None
                if written.crc != entry.crc or written.size != entry.uncompressed_size:
                    raise RepackError(f"{entry.name}: its data does not match its CRC-32 or size: its data is lost")
            writer.finish(chosen.comment)
        os.replace(temp, out)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def targets_of(payload: dict | None, wanted: list[str] | None) -> list[str]:
    known = sorted({c["reader"] for c in payload["cells"]}) if payload else []
    if wanted:
        unknown = [r for r in wanted if payload is not None and r not in known]
        if unknown:
            raise RepackError(f"no cells of {', '.join(unknown)} in the results (readers there: {', '.join(known)})")
        return list(wanted)
    return [r for r in known if "@" not in r]


def repack(source: Path, out: Path, results_path: Path | None = None, wanted: list[str] | None = None,
           run_matrix: bool = True, log=print) -> int:
    from zipstore_compat.doctor.archive import NotReadable

    if source.resolve() == out.resolve():
        raise RepackError("OUT is the input: write the repacked archive elsewhere")
    try:
        payload = load(results_path)
    except ResultsError as exc:
        payload = None
        log(f"repack: {exc}; the layout is the suite's baseline (no evidence to choose by)")
    targets = targets_of(payload, wanted)
    try:
        archive, store, found = inspect(source)
    except NotReadable as exc:
        raise RepackError(f"{source} is not a readable archive: {exc}") from None
    refused = [f for f in found if f.level in ("fatal", "unsafe")]
    if refused:
        raise RepackError(f"{source} is not repaired: " + "; ".join(f.text for f in refused[:3]) +
                          (" (and more: see lint)" if len(refused) > 3 else ""))
    chosen = plan(archive, store, out, payload, targets)
    log(f"layout: {chosen.layout_note}")
    before = _reference(source, len(archive.entries), "input")
    write(archive, chosen, out)
    after = _reference(out, len(chosen.members), "output")
    differ = reference.differences(before.under(store.prefix), after.under(chosen.folder))
    if differ:
        out.unlink(missing_ok=True)
        raise RepackError("the values would change (" + "; ".join(differ[:3]) + "): nothing written")
    log(f"wrote {out} ({out.stat().st_size:,} bytes, {len(chosen.members):,} entries, from {archive.size:,} bytes, "
        f"{len(archive.entries):,} entries)")
    for change in chosen.changes or ["nothing to change: the same layout, rewritten"]:
        log(f"  {change}")
    log(f"values unchanged: the reference reading gives the same digests for all {len(after.arrays)} arrays" +
        (f" ({len(after.skipped)} it cannot decode: {', '.join(sorted(after.skipped))}; their members' bytes are copied "
         "unchanged, CRC-checked)" if after.skipped else ""))
    if not run_matrix:
        return 0
    if not targets:
        log("no readers to run: no results file names any (--for READERS)")
        return 0
    return _before_after(source, out, targets, log)


def _reference(path: Path, entries: int, which: str) -> reference.Reading:
    try:
        reading = reference.read(path, entries)
    except reference.ReferenceError as exc:
        raise RepackError(f"the values of the {which} cannot be checked: {exc}") from None
    if not reading.judged:
        raise RepackError(f"the values of the {which} cannot be checked: the reference reading cannot read it ({reading.why[:300]})")
    return reading


def _before_after(source: Path, out: Path, targets: list[str], log) -> int:
    log(f"running {len(targets)} reader(s) on the input and on the output (python -m compat_tests run --archive ...) ...")
    with tempfile.TemporaryDirectory(prefix="zipcompat-doctor-") as scratch:
        try:
            before = matrix.run(source, targets, Path(scratch) / "before")
            after = matrix.run(out, targets, Path(scratch) / "after")
        except matrix.MatrixError as exc:
            raise RepackError(str(exc)) from None
    print(table(targets, before, after))
    read_before = [r for r in targets if (before.get(r) or {}).get("outcome") == "pass"]
    read_after = [r for r in targets if (after.get(r) or {}).get("outcome") == "pass"]
    print(f"read with the default call by {len(read_after)} of {len(targets)} readers after repacking ({len(read_before)} before)")
    if len(read_after) <= len(read_before):
        still = [r for r in targets if r not in read_after]
        print("not more readers than before: " + ("the input already reads in every target reader" if not still else
              "; ".join(f"{r}: {_first_line((after.get(r) or {}).get('message')) or 'no cell'}" for r in still)))
    else:
        for reader in (r for r in targets if r not in read_after):
            print(f"still not read by {reader}: {_first_line((after.get(reader) or {}).get('message')) or 'no cell'}")
    lost = [r for r in read_before if r not in read_after]
    if lost:
        print(f"WARNING: read before and not after: {', '.join(lost)}")
        return 1
    return 0


def _first_line(text: str | None) -> str:
    text = (text or "").strip()
    return text.splitlines()[0][:200] if text else ""


def table(targets: list[str], before: dict, after: dict) -> str:
    """Markdown: per reader, its outcome on the input and on the output (cell ids as evidence)."""
    lines = ["| reader | before (input) | after (repacked) |", "|---|---|---|"]
    for reader in targets:
        cells = [before.get(reader), after.get(reader)]
        shown = [f"{c['outcome']}" + (f" ({c['option']})" if c.get("option") else "") if c else "no cell" for c in cells]
        lines.append(f"| {reader} | {shown[0]} | {shown[1]} |")
    return "\n".join(lines)
