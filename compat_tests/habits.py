"""Reader habits measured as cells of their own: what a reader does on every archive, whatever its properties.

`<reader>--habit-concurrency`: the reader reads a fixed set of archives (stored, deflated, sharded) many
times, each read exactly as the matrix's cell on that archive reads it (the default call, or the documented
option the cell needs), at the concurrency its library uses by default, and every read is judged against the
manifest. A read that fails, or returns values that differ, is counted: "fails k of N", "WRONG DATA k of N".
A race (zarr-python's FsspecStore over fsspec's ZipFileSystem) shows here, once, with its rate, instead of
deciding archive-property cells by luck. The outcome: pass when every read is right, wrong-data when any read
returned wrong values, error when reads failed. The number of reads, and the time they may take, are fixed:
SCREEN reads of each probe, REPEATS of a probe where one went wrong, then, for a reader whose reads failed but
none returned wrong values, up to HUNT reads of the probe that failed most until one does (a rare wrong value
among failures is then seen on every run, not on some), all within BUDGET_SECONDS; the message says how many ran.

The slow-path habit is matrix.yaml's outcome `slow` (compat_tests/measure.py); CF decoding is judged by the
checks (core/cf.py) and shown by the summary.
"""

from __future__ import annotations

import time
from pathlib import Path

from zipstore_compat.compat_tests.attempts import plan
from zipstore_compat.compat_tests.bounded import read_json
from zipstore_compat.compat_tests.cells import CellResult, cell_id, run_cell
from zipstore_compat.compat_tests.checks import judge
from zipstore_compat.core.outcomes import LOUD

CONCURRENCY = "habit-concurrency"
# stored, deflated and sharded; a real grid (every reader that reads Zarr reads it) and the synthetic tree (many small
# arrays read at once: where a race shows most; zipped by the zip command, whose local extra fields are skipped by a
# relative seek in CPython 3.12's zipfile); and the synthetic tree sharded with its inner chunks uncompressed: a range
# read of a shard that lands in the wrong place returns bytes no decoder can refuse, so a race's wrong values are
# common there, not rare (fsspec, 2026-12-07: 59 to 77 of 120 reads wrong; 3 of 720 over six runs on the same tree
# with zstd inside). The last is no matrix row: the default set does not hold it, so it is built beside it (with_probes).
PROBES = ("coads-v3-stored", "coads-v3-deflate", "coads-v3-stored-sharded", "synthetic-v3-stored-zipcli",
          "synthetic-v3-stored-codecnone-sharded")
SCREEN = 20               # reads of each probe archive
REPEATS = 120             # reads of a probe on which a read failed or was wrong: enough to tell a rare wrong value from none
HUNT = 1200               # reads of the probe that failed most, until a wrong value shows (see _hunt)
BUDGET_SECONDS = 300.0    # at most, for all the reads of one reader (a slow reader does fewer: the message says how many)


def habit_ids() -> list[str]:
    return [CONCURRENCY]


def with_probes(specs: list) -> list:
    """The fixture specs to build: `specs` and the probe archives they lack (read by the habit cells only)."""
    from zipstore_compat.fixtures.registry import resolve

    have = {spec.id for spec in specs}
    return [*specs, *(probe for probe in resolve(list(PROBES), full=True) if probe.id not in have)]


def write_habit_manifests(fixtures_dir: Path) -> list[str]:
    """Each habit's manifest in the fixtures folder: what it reads (the probes' digests, so that the result cache
    runs it again when a probe changes), how often, and its tags. The manifest is the habit cell's "archive" too."""
    import hashlib
    import json

    digests = {}
    for probe in PROBES:
        parts = [fixtures_dir / f"{probe}.zip", fixtures_dir / f"{probe}.manifest.json"]
        digests[probe] = hashlib.sha256(b"".join(p.read_bytes() for p in parts if p.exists())).hexdigest()
    manifest = {"manifest_schema": 1, "id": CONCURRENCY, "archive": f"{CONCURRENCY}.manifest.json", "habit": "concurrency",
                "tags": ["kind:habit", "habit:concurrency"], "probes": digests, "screen": SCREEN, "repeats": REPEATS, "hunt": HUNT, "budget_seconds": BUDGET_SECONDS,
                "arrays": [], "zip": {"entries": 0}}
    path = fixtures_dir / f"{CONCURRENCY}.manifest.json"
    text = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return [CONCURRENCY]


def is_habit(fixture_id: str) -> bool:
    return fixture_id in habit_ids()


def run_habit(reader, fixture_id: str, fixtures_dir: Path, pool, describe, timeout: float) -> CellResult:
    cell = cell_id(reader.id, fixture_id)
    description = describe(reader)
    if description.get("status") == "not-installed":
        return CellResult(cell, reader.id, fixture_id, "not-installed", description["unavailable"])
    started = time.perf_counter()
    tallies, notes, skipped = [], [], []
    for probe in PROBES:
        manifest_path = fixtures_dir / f"{probe}.manifest.json"
        archive = fixtures_dir / f"{probe}.zip"
        if not manifest_path.exists() or not archive.exists():
            skipped.append(f"{probe}: not built")
            continue
        manifest = read_json(manifest_path)
        first = run_cell(reader, probe, archive.resolve(), manifest_path.resolve(), pool, describe, timeout=timeout)
        request = {"adapter": reader.adapter, "archive": str(archive.resolve()), "manifest": str(manifest_path.resolve()), "options": {}}
        calm = _calm_reading(reader, pool, request, manifest, timeout) if first.outcome in LOUD else None
        if first.outcome not in ("pass", "partial") and calm is None:
            skipped.append(f"{probe}: the reader does not read it ({first.outcome})")
            continue
        if calm:   # the first read was wrong, and without the race the reader reads the probe: that read counts
            tally = _Tally(probe, None, request, manifest, calm)
            tally.reads, tally.wrong = 1, 1
            tally.seen.append(f"{first.outcome}: {first.message[:200]}")
        else:
            request["options"] = _options_of(first.option, description.get("fallbacks", []), manifest)
            # what one read with those options is judged (pass, or partial for a reader that never shows every attribute)
            full = first.outcome == "pass" or (first.option is not None and first.message.startswith("passes only with"))
            tally = _Tally(probe, first.option, request, manifest, "pass" if full else "partial")
        _read(reader, pool, tally, timeout, started,
              until=lambda t: t.reads >= REPEATS or (t.reads >= SCREEN and not (t.failed or t.wrong)))
        tallies.append(tally)
    hunted = _hunt(reader, pool, tallies, timeout, started)
    notes += [t.note() for t in tallies]
    if hunted:
        notes.append(hunted)
    reads, failed, wrong = (sum(t.reads for t in tallies), sum(t.failed for t in tallies), sum(t.wrong for t in tallies))
    notes += [f"not measured on {s}" for s in skipped]
    if not tallies:
        outcome, message = "unsupported", "reads none of the probe archives: " + "; ".join(skipped)
    elif wrong:
        outcome, message = "wrong-data", f"WRONG DATA {wrong} of {reads} reads" + (f", fails {failed} of {reads}" if failed else "")
    elif failed:
        outcome, message = "error", f"fails {failed} of {reads} reads"
    else:
        outcome, message = "pass", f"every one of {reads} reads right"
    message += " (" + ", ".join(f"{t.probe}: {t.reads}" for t in tallies) + ")" if tallies else ""
    result = CellResult(cell, reader.id, fixture_id, outcome, message, notes=notes)
    result.seconds = result.wall_seconds = time.perf_counter() - started
    return result


class _Tally:
    """The reads of one probe archive: how many, how many failed, how many returned wrong values."""

    def __init__(self, probe: str, option: str | None, request: dict, manifest: dict, judge_first: str):
        self.probe, self.option, self.request, self.manifest, self.judge_first = probe, option, request, manifest, judge_first
        self.reads, self.failed, self.wrong, self.seen = 1, 0, 0, []   # the first read is the cell run_habit ran

    def note(self) -> str:
        return (f"{self.probe}{' with ' + self.option if self.option else ''}: {self.reads} reads, {self.failed} failed, "
                f"{self.wrong} wrong" + (f"; first: {self.seen[0]}" if self.seen else ""))


def _read(reader, pool, tally: _Tally, timeout: float, started: float, until) -> None:
    """Read the probe again until `until(tally)` holds or the reader's budget is spent; judge every read."""
    while not until(tally) and time.perf_counter() - started <= BUDGET_SECONDS:
        reply, verdict = _judged_read(reader, pool, tally.request, tally.manifest, timeout)
        tally.reads += 1
        if verdict is not None and verdict.outcome in ("wrong-data", "silent-missing"):
            tally.wrong += 1
            tally.seen.append(f"{verdict.outcome}: {verdict.message[:200]}")
        elif verdict is None or verdict.outcome != tally.judge_first:   # not the same reading as the cell's
            tally.failed += 1
            tally.seen.append(f"{verdict.outcome if verdict else reply.status}: {(reply.error or '')[:200]}")


def _calm_reading(reader, pool, request: dict, manifest: dict, timeout: float) -> str | None:
    """How the reader reads a probe whose first read returned wrong values, once more with the library's documented
    setting that takes its race away (zarr's async.concurrency=1 for fsspec): "pass" or "partial" when it then reads
    it, so that the wrong first read is one of the race's (counted, not a reason to skip the probe); None otherwise
    (no such setting, or the values are wrong without the race too: the archive's own row shows that)."""
    if not reader.race_free:
        return None
    _, verdict = _judged_read(reader, pool, dict(request, options=dict(reader.race_free[2])), manifest, timeout)
    return verdict.outcome if verdict is not None and verdict.outcome in ("pass", "partial") else None


def _judged_read(reader, pool, request: dict, manifest: dict, timeout: float):
    """One read of a probe and its verdict against the manifest (None when the read itself failed)."""
    reply = pool.for_reader(reader).request(request, timeout=timeout)
    return reply, (judge(manifest, reply.result, reader.decodes_cf) if reply.status == "ok" else None)


def _hunt(reader, pool, tallies: list[_Tally], timeout: float, started: float) -> str | None:
    """A reader whose reads failed but returned no wrong value yet reads the probe that failed most again, until a
    wrong value shows or HUNT reads: a rare wrong value among failures then decides the row on every run, not on
    some. fsspec's were rare on the probes whose shards hold zstd chunks (3 of 720 reads of
    synthetic-v3-stored-sharded in six runs of 2026-12-07, so 120 reads saw one in 2 runs of 6); the probe with
    uncompressed inner chunks makes them common (59 and 68 of 120), so for fsspec this is a safeguard now."""
    if any(t.wrong for t in tallies) or not any(t.failed for t in tallies):
        return None
    target = max(tallies, key=lambda t: t.failed / t.reads)
    before = target.reads
    _read(reader, pool, target, timeout, started, until=lambda t: t.wrong or t.reads >= HUNT)
    return (f"{target.probe}: {target.reads - before} more reads after {before}, to tell a rare wrong value from none "
            f"({'one showed' if target.wrong else 'none showed'}; at most {HUNT})")


def _options_of(label: str | None, fallbacks: list, manifest: dict) -> dict:
    """The options of the documented option set a cell named (its label), as the attempts plan makes them."""
    if not label:
        return {}
    for option_set in plan(fallbacks, manifest):
        if option_set.label == label:
            return dict(option_set.options)
    return {}
