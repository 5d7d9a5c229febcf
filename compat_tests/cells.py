"""Run one cell: a reader on a fixture, in the reader's worker, judged against the manifest."""

from __future__ import annotations

import json
import shlex
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from compat_tests.bounded import read_json
from compat_tests.checks import STOP, unchecked
from compat_tests.outcomes import judge_cell
from compat_tests.readers import Reader
from compat_tests.workers import DEFAULT_TIMEOUT, WorkerPool

from core.limits import DESCRIBE_SECONDS, cell_time_limit
from core.outcomes import LOUD, OUTCOMES  # noqa: F401  (re-exported for the harness's modules)


@dataclass
class CellResult:
    cell: str
    reader: str
    fixture: str
    outcome: str
    message: str = ""
    option: str | None = None          # the non-default option a partial cell needs
    seconds: float = 0.0               # the reader's own read time (inside the worker)
    wall_seconds: float = 0.0          # including the harness
    details: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # what the adapter reports beyond the checks, and every attempt
    attempts: list[dict] = field(default_factory=list)  # the default call and each option set tried: label, outcome, message
    unchecked: dict[str, str] = field(default_factory=dict)  # arrays of the archive no check covers, with the reason

    def to_json(self) -> dict:
        return asdict(self)


def time_limit(base: float, manifest: dict) -> float:
    """The cell's time limit on the archive a manifest describes (core.limits: the one rule)."""
    return cell_time_limit(manifest.get("zip", {}).get("entries", 0), base)


def cell_id(reader: str, fixture: str) -> str:
    return f"{reader}--{fixture}"


def all_cell_ids() -> list[str]:
    """Every cell of the default matrix: what matrix.yaml patterns are checked against."""
    from compat_tests.readers import matrix_readers
    from fixtures.registry import matrix_fixture_ids

    return [cell_id(r, f) for r in matrix_readers() for f in matrix_fixture_ids()]


def repro_command(cell: str, archive: str | None = None) -> str:
    """The one-line repro command; a cell of your own archive names the archive (it is in no registry)."""
    return f"./run python -m compat_tests repro {shlex.quote(cell)}" + (f" --archive {shlex.quote(archive)}" if archive else "")


def report_bug_command(cell: str) -> str:
    """The command that writes a bug report for a non-pass cell (bugreport/)."""
    return f"./run python -m compat_tests report-bug {shlex.quote(cell)}"


class Describer:
    """Versions and fallbacks of each reader, asked of its worker once."""

    def __init__(self, pool: WorkerPool):
        self.pool, self.cache = pool, {}

    def __call__(self, reader: Reader) -> dict | None:
        if reader.id not in self.cache:
            reply = self.pool.for_reader(reader).request({"command": "describe", "adapter": reader.adapter}, timeout=DESCRIBE_SECONDS)
            self.cache[reader.id] = reply.result if reply.status == "ok" else {"unavailable": reply.error, "status": reply.status}
        return self.cache[reader.id]


def run_cell(reader: Reader, fixture_id: str, archive: Path, manifest_path: Path, pool: WorkerPool,
             describe: Describer, timeout: float = DEFAULT_TIMEOUT) -> CellResult:
    started = time.perf_counter()
    cell = cell_id(reader.id, fixture_id)
    description = describe(reader)
    if description.get("status") == "not-installed":
        return CellResult(cell, reader.id, fixture_id, "not-installed", description["unavailable"])
    manifest = read_json(manifest_path)
    timeout = time_limit(timeout, manifest)
    worker = pool.for_reader(reader)
    request = {"adapter": reader.adapter, "archive": str(archive), "manifest": str(manifest_path), "options": {}}
    replies = []                   # the worker's answers: the default call's first
    retried_notes: list[str] = []  # what the adapter noted on each attempt with options (a CLI reader: its command lines)

    def attempt(options):
        # the options share the cell's time limit: a slow archive gets fewer attempts, never a longer cell
        if replies and sum([replies[0].seconds, *(r.seconds or timeout for r in replies[1:])]) > timeout:
            return STOP, f"the cell's {timeout:g} s for trying options is spent"
        answer = worker.request(dict(request, options=options), timeout=timeout)
        replies.append(answer)
        if options and answer.status == "ok":
            retried_notes.extend(f"with {json.dumps(options, sort_keys=True)}: {n}" for n in answer.result.get("notes", []))
        return (answer.status, answer.result if answer.status == "ok" else answer.error)

    decision = judge_cell(manifest, attempt, description.get("fallbacks", []))  # matrix.yaml's light: when the cell is recorded
    first = replies[0] if replies else None  # None: the reader was not asked (an archive no cell can judge)
    notes = (first.result.get("notes", []) if first and first.status == "ok" else []) + decision.notes + retried_notes
    skipped = unchecked(manifest)
    message = decision.message
    if skipped:
        message = (message + "; " if message else "") + f"{len(skipped)} array(s) of the archive not checked (the reference cannot decode them): " + \
            "; ".join(f"{k}: {v}" for k, v in skipped.items())
    result = CellResult(cell, reader.id, fixture_id, decision.outcome, message, option=decision.option, seconds=first.seconds if first else 0.0,
                        details=decision.failed, notes=notes, unchecked=skipped,
                        attempts=[{"label": a.label, "outcome": a.outcome, "message": a.message[:500], "docs": list(a.docs)}
                                  for a in decision.attempts])
    result.wall_seconds = time.perf_counter() - started
    return result
