"""The reader matrix: one test per cell (<reader>--<fixture>), parametrized by compat_tests.plugin."""

from __future__ import annotations

from pathlib import Path

import pytest

from zipstore_compat.compat_tests.cells import LOUD, CellResult, cell_id, cell_record, repro_command, report_bug_command, run_cell, slow_result, time_limit
from zipstore_compat.compat_tests.checks import unjudgeable
from zipstore_compat.compat_tests.bounded import read_json
from zipstore_compat.compat_tests.expectations import Expectation, allows, expectation_for
from zipstore_compat.compat_tests.habits import is_habit, run_habit
from zipstore_compat.compat_tests.outcomes import judged
from zipstore_compat.compat_tests.readers import family_cell
from zipstore_compat.compat_tests.remote.cell import run_remote_cell
from zipstore_compat.compat_tests.remote.plan import parse_case, remote_repro, remote_tags

BYO = Expectation("pass")  # what reconcile() compares your archive's cells with: nothing is declared

pytestmark = pytest.mark.skipif("not config.pluginmanager.has_plugin('zipstore_compat.compat_tests.plugin')", reason="run with -p compat_tests.plugin (python -m compat_tests run)")


def test_cell(cell, request, worker_pool, describe, matrix_entries, cell_cache, matrix_session):
    reader, fixture_id = cell
    config = request.config
    folder = Path(config.getoption("--fixtures-dir"))
    case = parse_case(fixture_id) if reader.remote else None  # a remote reader's cell is on a remote case of a fixture
    stem = case.fixture if case else fixture_id
    manifest = folder / f"{stem}.manifest.json"
    facts = _manifest_facts(manifest)
    archive = folder / (facts["archive"] or f"{stem}.zip")  # the manifest names it: <id>.zip, or .ozx
    byo = facts["byo_path"] is not None  # your own archive: no expectations (matrix.yaml is about the default matrix)
    got = None
    if manifest.exists() and archive.exists() and facts["unjudgeable"]:
        result = CellResult(cell_id(reader.id, fixture_id), reader.id, fixture_id, "fixture-error", facts["unjudgeable"])
    elif manifest.exists() and is_habit(fixture_id):   # a reader habit: its manifest is its "archive" (compat_tests/habits.py)
        got = cell_cache.run(reader, fixture_id, manifest.resolve(), manifest.resolve(), describe,
                             lambda: run_habit(reader, fixture_id, folder, worker_pool, describe, config.getoption("--cell-timeout")),
                             verdict=lambda result, versions: _verdict(result, versions, matrix_entries))
        result = got.result
    elif manifest.exists() and archive.exists() and (slow := _slow(reader, fixture_id, describe, matrix_entries, byo)) is not None:
        result = slow_result(reader, fixture_id, slow.measured, time_limit(config.getoption("--cell-timeout"), facts))
    elif manifest.exists() and archive.exists():
        timeout = config.getoption("--cell-timeout")
        if case:
            servers = request.getfixturevalue("remote_servers")
            extra = {"remote": {"case": case.id, **servers.key()}}  # the server's config and code, the fault: part of the key
            run = lambda: run_remote_cell(reader, case, archive.resolve(), manifest.resolve(), worker_pool, describe, servers, timeout)  # noqa: E731
        else:
            extra = None
            run = lambda: run_cell(reader, fixture_id, archive.resolve(), manifest.resolve(), worker_pool, describe, timeout=timeout)  # noqa: E731
        # unchanged inputs: the recorded result (compat_tests/result_cache.py), while matrix.yaml allows its outcome
        got = cell_cache.run(reader, fixture_id, archive.resolve(), manifest.resolve(), describe, run,  # the inputs changed: run it
                             verdict=lambda result, versions: _verdict(result, versions, matrix_entries), extra=extra)
        result = got.result
    else:
        error = folder / f"{stem}.error.json"
        why = error.read_text(encoding="utf-8") if error.exists() else f"{archive} was not built (run ./run fixtures build)"
        result = CellResult(cell_id(reader.id, fixture_id), reader.id, fixture_id, "fixture-error", why)
    if case:
        facts["tags"] = [*facts["tags"], *remote_tags(case)]
    description = (got.description if got else describe(reader)) or {}  # the versions the cell ran with (a cached one too)
    expected = BYO if byo else expectation_for(family_cell(result.cell), matrix_entries, description.get("versions"))
    result.outcome = _judged(result, expected)
    as_expected = byo or allows(expected, result.outcome, result.message)
    repro = remote_repro(reader.id, case) if case else repro_command(result.cell, facts["byo_path"])
    # a reader that declares its bug-report script (reader: bugreport = ...) gets the command for a non-pass cell
    request.node._zipcompat_record = cell_record(
        result, reader, facts, expected, description, as_expected=as_expected, byo=byo, cached=bool(got and got.cached),
        ran=got.ran if got else None, repro=repro,
        report_bug=report_bug_command(result.cell) if result.outcome != "pass" and not byo and not case and reader.bugreport else None)
    summary = f"{result.outcome}: {result.message}"
    change = None if byo else matrix_session.compare(request.node._zipcompat_record, expected)
    if change is not None:   # a maintainer's run: the released column decides (compat_tests/released.py)
        request.node._zipcompat_record["released"] = change.as_json()
        _against_released(change, result, repro, config.getoption("--known-wrong-data") == "fail")
        return
    if byo:  # stated plainly: there is nothing to expect of an archive nobody described
        if result.outcome in LOUD:
            pytest.fail(f"{result.outcome.upper()}: {result.message}; repro: {repro}", pytrace=False)
        if result.outcome != "pass":
            _xfail(f"{summary[:400]}; repro: {repro}")
        return
    if result.outcome in LOUD and not as_expected:
        pytest.fail(f"{result.outcome.upper()} (not expected by matrix.yaml): {result.message}; repro: {repro}", pytrace=False)
    if as_expected:
        if result.outcome != "pass":
            _xfail(f"{expected.outcome} as matrix.yaml says ({expected.link}): {result.message[:300]}")
        return
    text = f"UNEXPECTED {summary} (matrix.yaml: {expected.outcome}{' ' + expected.link if expected.link else ''}); repro: {repro_command(result.cell)}"
    if config.getoption("--strict-expectations"):
        pytest.fail(text, pytrace=False)
    _xfail(text)


def _against_released(change, result: CellResult, repro: str, wrong_data_fails: bool) -> None:
    """A cell of a maintainer's run, judged against the released column: a regression or wrong data fails, a library
    that is not here skips, a fix passes (the summary names the matrix.yaml entry to remove), the rest is as released."""
    against = f"the released column ({change.baseline}) says {change.released}" if change.released else "no released column has this cell"
    if change.kind == "regression":
        pytest.fail(f"NEWLY FAILING: {result.outcome} where {against}: {result.message[:300]}; repro: {repro}", pytrace=False)
    if result.outcome in LOUD and wrong_data_fails:
        pytest.fail(f"{result.outcome.upper()} ({against}): {result.message[:300]}; repro: {repro}", pytrace=False)
    if change.kind == "not-tested":
        pytest.skip(f"{result.outcome}: {result.message[:300]}")
    if change.kind == "fixed" or result.outcome == "pass":
        return   # a fix: newly passing (the summary says which matrix.yaml entry can go) or better than released
    _xfail(f"{result.outcome}, as {against}" if change.kind == "as-expected" else f"{change.kind}: {result.outcome} ({against}): {result.message[:300]}")


def _slow(reader, fixture_id: str, describe, entries: list[dict], byo: bool) -> Expectation | None:
    """The slow-path expectation of the cell, when matrix.yaml has one for the reader's release: the cell is not run."""
    if byo:
        return None
    expected = expectation_for(family_cell(cell_id(reader.id, fixture_id)), entries, (describe(reader) or {}).get("versions"))
    return expected if expected.outcome == "slow" else None


def _xfail(reason: str):
    """pytest.xfail without the traceback pytest would format and throw away (about 10 ms a cell: most of
    a cell's time when it comes from the cache); the reason is what the summary shows, as before."""
    raise pytest.xfail.Exception(reason, pytrace=False)


def _judged(result: CellResult, expected: Expectation) -> str:
    """The cell's outcome in the light of its expectation (compat_tests.outcomes.judged: the rule bundles use too)."""
    return judged(result.outcome, result.message, expected.outcome)


def _verdict(result: CellResult, versions: dict | None, entries: list[dict]) -> tuple[bool, bool]:
    """For a cached result: does matrix.yaml allow its outcome, and does it mark the cell non-deterministic?"""
    expected = expectation_for(family_cell(result.cell), entries, versions)
    return allows(expected, _judged(result, expected), result.message), bool(expected.also)


def writer_of(manifest: dict) -> dict | None:
    """The archive's writer and its check (fixtures/writer_check.py), for a generated fixture's cells (None otherwise)."""
    writer, check = manifest.get("writer") or {}, manifest.get("writer_check")
    if not writer.get("name") or check is None:
        return None
    return {"id": writer["name"], "intact": check["intact"], "problems": check["problems"],
            "nondeterministic": writer.get("nondeterministic", "")}


def _manifest_facts(manifest: Path) -> dict:
    """The fixture's tags, and which reference its truth comes from (external and user archives)."""
    try:
        data = read_json(manifest)
    except (OSError, ValueError):
        return {"tags": [], "reference": None, "unjudgeable": None, "archive": None, "byo_path": None, "variant": None, "writer": None,
                "zip": {}}
    return {"tags": data.get("tags", []), "reference": data.get("reference", "manifest written with the archive"),
            "variant": data.get("variant"), "writer": writer_of(data),
            # an unjudged archive is run all the same: its cells say what each reader did
            "unjudgeable": None if data.get("unjudged") else unjudgeable(data),
            "archive": data.get("archive"), "byo_path": data.get("byo_path"), "zip": data.get("zip") or {}}
