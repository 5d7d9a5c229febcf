"""Run one cell: a reader on a fixture, in the reader's worker, judged against the manifest."""

from __future__ import annotations

import json
import shlex
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from zipstore_compat.compat_tests.bounded import read_json
from zipstore_compat.compat_tests.checks import STOP, judge, unchecked
from zipstore_compat.compat_tests.outcomes import judge_cell
from zipstore_compat.compat_tests.readers import Reader
from zipstore_compat.compat_tests.workers import DEFAULT_TIMEOUT, WorkerPool

from zipstore_compat.core.limits import DESCRIBE_SECONDS, cell_time_limit
from zipstore_compat.core.outcomes import LOUD, OUTCOMES  # noqa: F401  (re-exported for the harness's modules)


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
    race_hits: int = 0                 # tries that failed with a race the reader declares, and were tried again
    remote: dict | None = None         # a remote cell: its case, URL, requests and bytes (compat_tests/remote/cell.py)
    cf_effects: dict[str, dict] = field(default_factory=dict)  # arrays read as their CF decoding: what it did (docs/results-schema.md)

    def to_json(self) -> dict:
        return asdict(self)


def time_limit(base: float, manifest: dict) -> float:
    """The cell's time limit on the archive a manifest describes (core.limits: the one rule)."""
    return cell_time_limit(manifest.get("zip", {}).get("entries", 0), base)


def cell_id(reader: str, fixture: str) -> str:
    return f"{reader}--{fixture}"


def all_cell_ids() -> list[str]:
    """Every cell of the default matrix: what matrix.yaml patterns are checked against."""
    from zipstore_compat.compat_tests.habits import habit_ids
    from zipstore_compat.compat_tests.readers import matrix_readers
    from zipstore_compat.fixtures.registry import matrix_fixture_ids

    fixtures = [*matrix_fixture_ids(), *habit_ids()]
    return [cell_id(r.id, f) for r in matrix_readers().values() for f in cell_fixtures(r, fixtures)]


def cell_fixtures(reader: Reader, fixture_ids: list[str]) -> list[str]:
    """What a reader's cells are on: the fixtures, or for a remote reader the remote cases of those fixtures
    (compat_tests/remote/plan.py: `<fixture>`, `<fixture>--one-chunk`, `<fixture>--<fault>`)."""
    if not reader.remote:
        return list(fixture_ids)
    from zipstore_compat.compat_tests.remote.plan import cases_for

    return [case.id for case in cases_for(fixture_ids)]


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
            current = getattr(self.pool, "current", None)   # --use-current-env: a library that is not there is not-installed
            why = current.why_not_installed(reader, reply.status, reply.error, (reply.result or {}).get("versions")) if current else None
            if why:
                self.cache[reader.id] = {"unavailable": why, "status": "not-installed", **({"versions": reply.result["versions"]}
                                                                                           if reply.status == "ok" else {})}
        return self.cache[reader.id]


RACE_TRIES = 5          # a try that failed with a declared race is tried again, up to this many tries in all
RACE_NOTE = "race hit"


def race_signature(reader: Reader, status: str, payload) -> tuple[str, str] | None:
    """The declared race (signature, link) a failed try shows, if any: the worker's error, or an array's. A signature
    in brackets names a whole error, as an ExceptionGroup lists its sub-exceptions: "[EOFError: ]" is zipfile's bare
    EOFError, found inside a group's text or as an array's whole error, never an EOFError with a message."""
    if not reader.races:
        return None
    texts = [str(payload)] if status != "ok" else [str(e) for e in (payload.get("errors") or {}).values()] + \
        [str(a.get("error", "")) for a in (payload.get("arrays") or {}).values()]
    texts += [f"[{text}]" for text in texts]   # each whole error, as a bracketed signature names it
    for signature, link in reader.races:
        if any(signature in text for text in texts):
            return signature, link
    return None


def ask_past_races(reader: Reader, worker, make_request, manifest: dict, timeout: float, spent: list[float], notes: list[str]):
    """One try of the reader (the default call or an option set; make_request() gives each try's request); a failure with
    the signature of a race the reader declares is tried again, up to RACE_TRIES, within the cell's time limit, with
    the library's documented setting that takes the race away when the reader declares one (race_free: zarr's
    async.concurrency=1 for reads through fsspec's ZipFileSystem; measured: 19 of 20 whole reads of
    synthetic-v3-stored-zipcli-zip64 failed at the default concurrency, 0 of 20 at 1), so that a property cell's
    outcome is the archive's and the race is the concurrency habit's finding. A reading that returned values that
    differ from the manifest is never tried again: wrong data is the finding, whatever caused it. A hostile archive's
    damage (a bad CRC on purpose) is no race: its failures are never tried again."""
    tries = 1 if manifest.get("hostile") or manifest.get("unjudged") else RACE_TRIES
    for number in range(1, tries + 1):
        request = make_request()
        if number > 1 and reader.race_free:   # the library's documented setting that takes the race away
            request = dict(request, options={**request["options"], **dict(reader.race_free[2])})
        reply = worker.request(request, timeout=timeout)
        spent.append(reply.seconds or timeout)
        payload = reply.result if reply.status == "ok" else reply.error
        hit = race_signature(reader, reply.status, payload)
        if hit is None or (reply.status == "ok" and judge(manifest, payload, reader.decodes_cf).outcome == "wrong-data"):
            if number > 1:
                notes.append(f"try {number}: no race ({reply.status})")
            return reply
        last = number == tries or sum(spent) > timeout
        again = (f"tried again with {reader.race_free[0]} ({reader.race_free[1]}), which takes the race away, so that the "
                 "outcome is the archive's" if reader.race_free else "tried again")
        notes.append(f"{RACE_NOTE} on try {number} of at most {tries} (the reader's declared race, {hit[1]}): '{hit[0]}'; "
                     + ("no try left: the cell's outcome is this failure" if last else again))
        if last:
            break
    return reply


def run_cell(reader: Reader, fixture_id: str, archive: Path, manifest_path: Path, pool: WorkerPool,
             describe: Describer, timeout: float = DEFAULT_TIMEOUT, locate=None) -> CellResult:
    """`locate(attempt)`, when given, is where the reader finds the archive on each attempt (0: the default call,
    then 1, 2, ... each option set tried, in the order of the decision's attempts); it is asked once per try (a try
    that a declared race spoilt and that is made again asks again, with the same attempt number): a remote reader
    gets the archive's URL instead of its path, a new one per try."""
    started = time.perf_counter()
    cell = cell_id(reader.id, fixture_id)
    description = describe(reader)
    if description.get("status") == "not-installed":
        return CellResult(cell, reader.id, fixture_id, "not-installed", description["unavailable"])
    manifest = read_json(manifest_path)
    timeout = time_limit(timeout, manifest)
    worker = pool.for_reader(reader)
    where = locate or (lambda attempt: str(archive))
    request = {"adapter": reader.adapter, "manifest": str(manifest_path), "options": {}}  # "archive": where(), per try
    replies = []                   # the worker's answers: the default call's first
    race_notes: list[str] = []     # the tries a declared race spoilt, and were tried again (ask_past_races)
    spent: list[float] = []        # seconds of every try
    retried_notes: list[str] = []  # what the adapter noted on each attempt with options (a CLI reader: its command lines)

    def attempt(options):
        # the options share the cell's time limit: a slow archive gets fewer attempts, never a longer cell
        if replies and sum(spent) > timeout:
            return STOP, f"the cell's {timeout:g} s for trying options is spent"
        # every try asks where the archive is: a remote reader's tries each get their own URL (their own log lines)
        answer = ask_past_races(reader, worker, lambda: dict(request, archive=where(len(replies)), options=options), manifest, timeout,
                                spent, race_notes)
        replies.append(answer)
        if options and answer.status == "ok":
            retried_notes.extend(f"with {json.dumps(options, sort_keys=True)}: {n}" for n in answer.result.get("notes", []))
        return (answer.status, answer.result if answer.status == "ok" else answer.error)

    decision = judge_cell(manifest, attempt, description.get("fallbacks", []), decodes_cf=reader.decodes_cf)  # matrix.yaml's light: when the cell is recorded
    first = replies[0] if replies else None  # None: the reader was not asked (an archive no cell can judge)
    notes = race_notes + (first.result.get("notes", []) if first and first.status == "ok" else []) + decision.notes + retried_notes
    skipped = unchecked(manifest)
    message = decision.message
    if skipped:
        message = (message + "; " if message else "") + f"{len(skipped)} array(s) of the archive not checked (the reference cannot decode them): " + \
            "; ".join(f"{k}: {v}" for k, v in skipped.items())
    result = CellResult(cell, reader.id, fixture_id, decision.outcome, message, option=decision.option, seconds=first.seconds if first else 0.0,
                        details=decision.failed, notes=notes, unchecked=skipped, cf_effects=decision.cf_effects,
                        attempts=[{"label": a.label, "outcome": a.outcome, "message": a.message[:500], "docs": list(a.docs)}
                                  for a in decision.attempts], race_hits=sum(1 for n in race_notes if n.startswith(RACE_NOTE)))
    result.wall_seconds = time.perf_counter() - started
    return result


def slow_result(reader: Reader, fixture_id: str, measured: dict, limit: float) -> CellResult:
    """A cell matrix.yaml says is slow (its answer comes, alone, in more than half the cell limit: two cells run at
    once, so the run's load would decide its outcome), for the releases its condition names: not run at every run; the
    one measurement is the claim, says what the answer was (a correct read, or a refusal that comes that late) and how
    to make it again."""
    cell = cell_id(reader.id, fixture_id)
    where = f"measured on {measured['cell']}" + ("" if measured["cell"] == cell else " (the same reader on the same dataset)")
    seconds = measured["seconds"]
    answer = measured["outcome"]
    beyond = (f"more than the {limit:g} s cell limit" if seconds > limit else
              f"more than half the {limit:g} s cell limit, so a run's load would decide between {answer} and timeout")
    found = f"reads correctly ({answer})" if answer in ("pass", "partial") else f"answers {answer}"
    said = f" ({measured['message']})" if measured.get("message") else ""
    message = (f"{found} but takes {seconds:g} s alone, {beyond}: "
               f"{where}, {measured['date']}, with {', '.join(f'{k} {v}' for k, v in (measured.get('versions') or {}).items()) or 'the release named'}"
               f"{said}; not run at every run (measure it again: ./run python -m compat_tests measure {measured['cell']})")
    return CellResult(cell, reader.id, fixture_id, "slow", message)


def cell_record(result: CellResult, reader: Reader, facts: dict, expected, description: dict, *, as_expected: bool,
                byo: bool, cached: bool, ran: str | None, repro: str, report_bug: str | None) -> dict:
    """The cell's record in results.json (docs/results-schema.md): the one place it is assembled."""
    return {
        **result.to_json(),
        "expected": None if byo else expected.outcome,
        "expectation_entry": None if byo else expected.entry,
        "as_expected": as_expected,
        "reason": expected.reason,
        "link": expected.link,
        "tags": facts["tags"],
        "variant": facts["variant"],     # how the archive was made (generated fixtures): the summary's rule 5 compares with its twin
        "writer": facts.get("writer"),   # who wrote the archive and its check (compat_tests/reports/writers.py); None: not ours
        "reference": facts["reference"],
        "library": reader.library,
        "family": reader.family_id,
        "lane": reader.lane,
        "version": str((description.get("versions") or {}).get(reader.version_key, "")) or None,
        "call": reader.call,
        "versions": description.get("versions"),
        "repro": repro,
        "report_bug": report_bug,
        "cached": cached,  # from the cache: its inputs had not changed since it ran
        "ran": ran,        # when the reader ran this cell (UTC); None: no reader ran (fixture-error, slow)
    }
