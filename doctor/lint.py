"""lint: an archive's properties, and from the latest results the readers each one breaks (cell ids as evidence).

Exit status: 0 nothing in it breaks a reader the results know; 1 something
breaks a reader, or the archive is damaged or malicious (a correct reader
refuses it, or part of it); 2 not a readable archive (or not a Zarr store).
With --format ozx the lines and the exit status are ozx-tck's (doctor/rfc9.py).
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from pathlib import Path

from zipstore_compat.doctor import rfc9
from zipstore_compat.doctor.archive import Archive, MemberError, NotReadable, iter_member, open_archive, read_locals
from zipstore_compat.doctor.findings import Finding, all_findings, bomb_members
from zipstore_compat.doctor.results import ResultsError, describe, evidence, load
from zipstore_compat.doctor.zarrmeta import read_store

LEVEL_WORDS = {"fatal": "NOT READABLE", "unsafe": "UNSAFE", "departs": "DEPARTS", "info": "ok"}


def check_crcs(archive: Archive, skip: set[str]) -> list[Finding]:
    """Inflate every member (never one of `skip`: the bombs) within its declared size and compare its CRC-32."""
    bad, unread = [], []
    with open(archive.path, "rb") as handle:
        for entry in archive.entries:
            if entry.is_dir or entry.name in skip:
                continue
            crc, size = 0, 0
            try:
                for block in iter_member(archive, entry, handle, entry.uncompressed_size):
                    crc, size = zlib.crc32(block, crc), size + len(block)
            except MemberError as exc:
                unread.append(f"{entry.name} ({exc})")
                continue
            if crc != entry.crc or size != entry.uncompressed_size:
                bad.append(entry.name)
    out = []
    if bad:
        out.append(Finding("crc", "unsafe", f"{len(bad):,} member(s) whose data does not match their CRC-32 or size",
                           ["fixture:hostile-bad-crc"], bad[:3]))
    if unread:
        out.append(Finding("crc", "unsafe", f"{len(unread):,} member(s) that could not be inflated within their declared size",
                           ["fixture:hostile-lying-sizes", "fixture:hostile-unknown-method", "fixture:hostile-encrypted"],
                           unread[:3]))
    if not out:
        out.append(Finding("crc", "info", "every member's data matches its CRC-32 and size"))
    return out


def inspect(path: Path, local_headers: bool = False, crc: bool = False):
    """(archive, store, findings), or NotReadable."""
    archive = open_archive(path)
    store = read_store(archive)
    if local_headers or crc:
        read_locals(archive, archive.entries)
    found = all_findings(archive, store, with_locals=local_headers or crc)
    if crc and not any(f.level == "fatal" for f in found):
        found += check_crcs(archive, set(bomb_members(archive, store)))
    return archive, store, found


def lint(path: Path, results_path: Path | None = None, readers: list[str] | None = None, local_headers: bool = False,
         crc: bool = False) -> dict:
    """The whole report, as plain data (what --json prints)."""
    path = Path(path)
    report = {"archive": str(path), "readable": True}
    try:
        payload = load(results_path)
        report["results"] = describe(payload, results_path)
    except ResultsError as exc:
        payload, report["results"] = None, {"error": str(exc)}
    if payload is not None and readers:
        unknown = [r for r in readers if r not in report["results"]["readers"]]
        if unknown:
            raise ResultsError(f"--readers: no cells of {', '.join(unknown)} in {report['results']['path']} "
                               f"(readers there: {', '.join(report['results']['readers'])})")
    try:
        archive, store, found = inspect(path, local_headers, crc)
    except NotReadable as exc:
        report.update(readable=False, why=str(exc), findings=[], breaks=[], exit=2,
                      rfc9=[{"arcname": None, "state": "ERROR", "msg": f"not a readable ZIP archive: {exc}"}])
        return report
    report.update(bytes=archive.size, entries=len(archive.entries),
                  store={"prefix": store.prefix, "zarr_format": store.zarr_format, "arrays": len(store.arrays),
                         "groups": len(store.groups), "consolidated": store.consolidated})
    report["findings"] = []
    for finding in found:
        item = finding.to_dict()
        if payload is not None and finding.level in ("departs", "unsafe") and finding.evidence:
            item["results"] = _by_verdict(evidence(payload, finding.evidence, readers))
            if finding.id == "duplicates":
                item["copies"] = _copies(item["results"])
        report["findings"].append(item)
    multi_part = any(f.id == "multi-part" for f in found)
    report["rfc9"] = [e.__dict__ for e in rfc9.events(path, archive.entries, archive.comment, archive.end.zip64 is not None, multi_part)]
    report["breaks"] = sorted({b["reader"] for f in report["findings"] for b in (f.get("results") or {}).get("breaks", [])})
    levels = {f.level for f in found}
    report["exit"] = 2 if "fatal" in levels else 1 if report["breaks"] or "unsafe" in levels else 0
    return report


def _by_verdict(compared: dict) -> dict:
    """compare_with_baseline's answer grouped for reading: who breaks (with the cells), who reads, who says nothing."""
    out = {"fixtures": compared["fixtures"], "breaks": [], "reads": [], "reads_with_option": [], "baseline_fails": [],
           "not_tested": []}
    for reader, verdict in compared["readers"].items():
        if verdict["verdict"] == "breaks":
            pairs = [p for p in verdict["pairs"] if p["verdict"] == "breaks"]
            out["breaks"].append({"reader": reader, "version": verdict["version"], "wrong_data": verdict["wrong_data"],
                                  "cells": [p["cell"] for p in pairs], "outcomes": [p["outcome"] for p in pairs],
                                  "baseline_cells": [p["baseline_cell"] for p in pairs], "why": pairs[0].get("why", "")})
        elif verdict["verdict"] == "baseline-fails":   # says nothing of the property; what it does here, all the same
            here = Counter(p["outcome"] for p in verdict["pairs"] if p["outcome"])
            out["baseline_fails"].append({"reader": reader, "here": dict(sorted(here.items()))})
        elif verdict["verdict"] == "reads-with-option":
            option = next(p.get("option") for p in verdict["pairs"] if p["verdict"] == "reads-with-option")
            out["reads_with_option"].append({"reader": reader, "option": option})
        else:
            out[verdict["verdict"].replace("-", "_")].append(reader)
    return out


def _copies(said: dict) -> dict:
    """Which copy of a duplicated name each reader takes, by its cells on the duplicate fixtures (their truth is the last):
    a pass read the last, wrong data another one, an error or crash took none."""
    return {"the last": said["reads"] + [r["reader"] for r in said["reads_with_option"]],
            "another copy (wrong data)": [b["reader"] for b in said["breaks"] if b["wrong_data"]],
            "none (refuses the archive)": [b["reader"] for b in said["breaks"] if not b["wrong_data"]]}


def render_text(report: dict) -> str:
    lines = []
    head = f"{report['archive']}: "
    if not report["readable"]:
        return head + f"not a readable archive: {report['why']}"
    store = report["store"]
    where = f"under the folder {store['prefix']}" if store["prefix"] else "at the archive root"
    fmt = f"Zarr {store['zarr_format']}" if store["zarr_format"] else "Zarr (format unclear)"
    lines.append(head + f"{report['entries']:,} entries, {report['bytes']:,} bytes; {fmt} {where}, "
                 f"{store['arrays']} array(s), {store['groups']} group(s)")
    results = report["results"]
    if "error" in results:
        lines.append(f"evidence: none ({results['error']})")
    else:
        lines.append(f"evidence: {results['path']} (run {results['started']}, {results['cells']:,} cells, readers: "
                     f"{', '.join(results['readers'])})")
    untested = []
    for finding in report["findings"]:
        lines.append(f"  {LEVEL_WORDS[finding['level']]:8} {finding['text']}" +
                     (f" (e.g. {', '.join(finding['examples'])})" if finding["examples"] and finding["level"] != "info" else ""))
        said = finding.get("results")
        if finding["level"] in ("departs", "unsafe"):
            if said and said["fixtures"]:
                lines += [f"           {line}" for line in _evidence_lines(said)]
                if finding.get("copies"):
                    lines.append("           which copy: " + "; ".join(f"{what}: {', '.join(who)}"
                                                                      for what, who in finding["copies"].items() if who))
            elif "error" not in results:
                untested.append(finding["id"])
                lines.append("           the results have no cell for this property")
            if finding.get("repair"):
                lines.append(f"           repack: {finding['repair']}")
    if report["breaks"]:
        lines.append(f"breaks {len(report['breaks'])} reader(s): {', '.join(report['breaks'])}")
    elif "error" not in results:
        lines.append("breaks no reader the results know")
    if untested:
        lines.append(f"not tested by the results: {', '.join(dict.fromkeys(untested))}")
    if any(f["level"] == "unsafe" for f in report["findings"]):
        lines.append("unsafe: a correct reader refuses this archive or part of it; repack will not rewrite it")
    return "\n".join(lines)


def _evidence_lines(said: dict) -> list[str]:
    out = []
    for b in said["breaks"]:
        more = f", +{len(b['cells']) - 1} more" if len(b["cells"]) > 1 else ""
        loud = " WRONG DATA" if b["wrong_data"] else ""
        out.append(f"breaks {b['reader']} {b['version']}{loud}: {b['cells'][0]} ({b['outcomes'][0]}) vs {b['baseline_cells'][0]} "
                   f"(reads){more}" + (f": {b['why'][:160]}" if b["why"] else ""))
    if said["reads"]:
        out.append(f"reads: {', '.join(said['reads'])}")
    if said["reads_with_option"]:
        out.append("reads with an option: " + ", ".join(f"{r['reader']} ({r['option']})" for r in said["reads_with_option"]))
    if said["baseline_fails"]:
        out.append("fail the baseline archive too (so the comparison says nothing): " + ", ".join(
            f"{b['reader']} (on these: {', '.join(f'{n} {o}' for o, n in b['here'].items()) or 'no cell'})" for b in said["baseline_fails"]))
    if said["not_tested"]:
        out.append(f"not tested: {', '.join(said['not_tested'])}")
    out.append(f"fixtures: {', '.join(said['fixtures'][:4])}" + (f" (+{len(said['fixtures']) - 4})" if len(said["fixtures"]) > 4 else ""))
    return out


def render_ozx(report: dict) -> str:
    return "\n".join(rfc9.Event(e["arcname"], e["state"], e["msg"]).line(report["archive"]) for e in report["rfc9"])


def render_json(report: dict) -> str:
    return json.dumps(report, indent=1, ensure_ascii=False)

