"""pytest plugin of the reader matrix: options, fixtures, cells, expectations, results.json.

Loaded by the top-level conftest.py, so `pytest` at the project root runs the
default matrix: the plugin builds the fixtures once per session (in the
controlling process, before any xdist worker starts), then one test per cell.
It stays inert for the suite's own tests (`pytest tests`). pytest's own
reports are the only source of the results file.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

import pytest

from compat_tests import expectations
from compat_tests.cells import Describer, all_cell_ids, cell_fixtures, cell_id
from compat_tests.readers import all_readers, lane_readers, matrix_readers
from compat_tests.reports.summary import summarize
from compat_tests.workers import DEFAULT_TIMEOUT, WorkerPool

ROOT = Path(__file__).resolve().parent.parent
RESULTS_KEY = "zipcompat_cell"


def pytest_addoption(parser):
    group = parser.getgroup("zipstore-compat")
    group.addoption("--readers", default="", help="comma-separated reader ids (default: all matrix readers)")
    group.addoption("--fixture-ids", default="", help="comma-separated fixture ids or globs (default: the default set)")
    group.addoption("--fixtures-dir", default=str(ROOT / "build" / "fixtures"), help="where built fixtures are")
    group.addoption("--strict-expectations", action="store_true", help="an outcome that differs from matrix.yaml fails its cell")
    group.addoption("--cell-timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds a reader may take on one cell, plus 2 ms per ZIP entry of the archive (default 60)")
    group.addoption("--archive", action="append", default=[], metavar="PATH",
                    help="run every reader on your own archive (repeatable); the truth is an independent reference reading")
    group.addoption("--results", default=str(ROOT / "reports" / "results.json"), help="where to write results.json")
    group.addoption("--no-build", action="store_true", help="use the fixtures already in --fixtures-dir (do not build or fetch them)")
    group.addoption("--versions", choices=["default", "lane", "all"], default="default",
                    help="default: the newest release of each library; lane: the older releases of the versions lane "
                         "(envs/environments.toml); all: both")
    group.addoption("--rerun", action="store_true",
                    help="run every cell, even those whose inputs have not changed since they ran (compat_tests/result_cache.py); "
                         "CI (CI=true) always does")
    group.addoption("--rerun-outcomes", default="", metavar="OUTCOMES",
                    help="run again the cached cells with these outcomes (comma-separated, e.g. timeout,crash), "
                         "or 'also': the cells matrix.yaml marks non-deterministic")


MATRIX_DIR = ROOT / "compat_tests"


def _matrix_selected(config) -> bool:
    """True when the matrix (compat_tests/, or its test module) is among what pytest was asked to run."""
    for arg in config.args:
        path = Path(config.invocation_params.dir, str(arg).split("::")[0]).resolve()
        if path == ROOT or path == MATRIX_DIR or MATRIX_DIR in path.parents:
            return True
    return False


def _prepare_fixtures(config) -> None:
    """Build the default fixtures and fetch the external archives into --fixtures-dir, once per session."""
    from compat_tests.byo import CappedReference
    from fixtures.build import build
    from fixtures.external import place_external
    from fixtures.hostile import place_hostile
    from fixtures.registry import default_fixtures

    out = Path(config.getoption("--fixtures-dir"))
    capture = config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        result = build(list(default_fixtures().values()), out=out)
        hostile = place_hostile(out)
        with CappedReference() as reference:  # the reference reading of external archives runs in a capped worker
            from compat_tests.result_cache import CachedReference

            errors, unavailable = place_external(out, reference=CachedReference(reference, cache_mode(config)))
        result.errors.update(errors)
        for fixture_id, why in unavailable.items():
            print(f"not tested: {fixture_id}: {why}", file=sys.stderr)
        print(f"{len(result.built) + len(hostile)} fixtures ready ({result.cached} cached, {len(hostile)} hostile), "
              f"{len(result.errors)} could not be built"
              + (f", {len(unavailable)} external archives unavailable (not tested)" if unavailable else ""), file=sys.stderr)


def _selected_readers(config) -> list:
    """Readers by id or family, in the lanes --versions asks for."""
    wanted = [r for r in config.getoption("--readers").split(",") if r]
    known = all_readers()
    unknown = [r for r in wanted if r not in known]
    if unknown:
        raise pytest.UsageError(f"unknown reader id(s): {', '.join(unknown)}; known: {', '.join(known)}")
    lanes = {"default": ("default",), "lane": ("versions",), "all": ("default", "versions")}[config.getoption("--versions")]
    pool = {**matrix_readers(), **lane_readers()}
    if not wanted:
        return [r for r in pool.values() if r.lane in lanes]
    picked = []
    for name in wanted:  # in the order given
        if "@" in name or known[name].test_only:
            picked.append(known[name])
        else:
            picked += [r for r in pool.values() if r.family_id == name and r.lane in lanes]
    return picked


def _selected_fixtures(config) -> list[str]:
    import fnmatch

    from fixtures.registry import matrix_fixture_ids

    if config.getoption("--archive"):
        return _byo_fixtures(config)
    unavailable = _not_tested(config)
    ids = [i for i in matrix_fixture_ids() if i not in unavailable]
    wanted = [f for f in config.getoption("--fixture-ids").split(",") if f]
    if not wanted:
        return ids
    picked = [i for i in ids if any(fnmatch.fnmatchcase(i, w) for w in wanted)]
    if not picked:
        raise pytest.UsageError(f"--fixture-ids {','.join(wanted)} matches no fixture; list them with: ./run fixtures list")
    return picked


def _not_tested(config) -> dict[str, str]:
    """External archives that could not be had here (id -> why): not run, and named in the report."""
    from fixtures.external import unavailable_external

    if config.getoption("--archive"):
        return {}
    return unavailable_external(Path(config.getoption("--fixtures-dir")))


def _byo_fixtures(config) -> list[str]:
    """Your archives' ids; their manifests were made once, by the controller (_prepare_byo)."""
    byo = config.workerinput["zipcompat_byo"] if hasattr(config, "workerinput") else config._zipcompat["byo"]
    config.option.fixtures_dir = byo["folder"]
    return list(byo["ids"])


def _prepare_byo(config) -> None:
    """The reference reading of each --archive, in a capped worker, once per run (not per xdist worker).

    One line per archive that cannot be run (not a ZIP, unreadable) or cannot be judged;
    the others run. Nothing to run at all: exit status 2.
    """
    import shutil
    import tempfile

    from compat_tests.byo import prepare

    folder = Path(tempfile.mkdtemp(prefix="zipcompat-byo-"))
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))  # links and manifests only: the archives stay
    prepared = prepare(config.getoption("--archive"), folder, timeout=config.getoption("--cell-timeout"))
    if not prepared.ids and len(prepared.problems) == 1:  # the one archive is not a ZIP: its line is all there is to say
        pytest.exit(prepared.problems[0], returncode=2)
    for line in prepared.problems + prepared.notices:
        sys.stderr.write(line + "\n")
    sys.stderr.flush()
    config._zipcompat["byo"] = {"folder": str(folder), "ids": prepared.ids, "problems": prepared.problems}
    if not prepared.ids:
        pytest.exit("no archive to run", returncode=2)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist: each worker gets the controller's BYO folder instead of reading the archives again."""
    if "byo" in node.config._zipcompat:
        node.workerinput["zipcompat_byo"] = node.config._zipcompat["byo"]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist: a worker's own peak memory, for the run info."""
    rss = getattr(node, "workeroutput", {}).get("zipcompat_peak_rss_mib")
    if rss is not None:
        node.config._zipcompat.setdefault("peak_rss", {})[node.gateway.id] = rss


def _peak_rss_mib() -> float:
    """This process's own peak resident memory. Linux's ru_maxrss survives exec (a child started by a
    large parent reports the parent's peak), so the per-image VmHWM is read where /proc has it."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)  # KiB
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux: KiB


def pytest_configure(config):
    global _JSONL
    config._zipcompat = {"started": time.time()}
    if hasattr(config, "workerinput") or not hasattr(config.option, "results"):
        return
    if _matrix_selected(config):
        cache_mode(config)  # a bad --rerun-outcomes stops the run before anything starts
    if config.getoption("--archive") and _matrix_selected(config):
        _prepare_byo(config)
    elif _matrix_selected(config) and not config.getoption("--no-build") and not config.option.collectonly:
        _prepare_fixtures(config)
    if _matrix_selected(config):
        from compat_tests.reports.results import start_lines

        _JSONL = start_lines(Path(config.getoption("--results")), _run_info(config, {}))


def pytest_generate_tests(metafunc):
    if "cell" not in metafunc.fixturenames or MATRIX_DIR not in Path(metafunc.definition.path).parents:
        return  # only the matrix's own test takes cells
    config = metafunc.config
    readers = _selected_readers(config)
    fixture_ids = _selected_fixtures(config)
    entries = expectations.load()
    expectations.check_patterns_match(entries, all_cell_ids())
    params = [pytest.param((r, f), id=cell_id(r.id, f)) for r in readers for f in cell_fixtures(r, fixture_ids)]
    metafunc.parametrize("cell", params)


@pytest.fixture(scope="session")
def worker_pool():
    pool = WorkerPool()
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def remote_servers(request):
    """nginx and the fault server of this pytest process, started by its first remote cell (docs/remote.md)."""
    from compat_tests.remote.servers import RemoteServers

    servers = RemoteServers(Path(request.config.getoption("--fixtures-dir")))
    yield servers
    servers.stop()


def cache_mode(config):
    """What this run does with the results cache (compat_tests/result_cache.py)."""
    from compat_tests.result_cache import mode_for

    try:
        return mode_for(config.getoption("--rerun"), config.getoption("--rerun-outcomes"), bool(config.getoption("--archive")))
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None


@pytest.fixture(scope="session")
def describe(worker_pool, request):
    from compat_tests.result_cache import CachedDescriber

    return CachedDescriber(Describer(worker_pool), cache_mode(request.config))


@pytest.fixture(scope="session")
def cell_cache(request):
    from compat_tests.result_cache import CellCache

    return CellCache(cache_mode(request.config), request.config.getoption("--cell-timeout"))


@pytest.fixture(scope="session")
def matrix_entries():
    return expectations.load()


def pytest_report_header(config):
    if config.getoption("--readers", default=None) is None or not _matrix_selected(config):
        return None
    lines = ["zipstore-compat readers (library versions and build flags, as each worker reports them):"]
    from compat_tests.result_cache import CachedDescriber

    pool = WorkerPool()
    try:
        describe = CachedDescriber(Describer(pool), cache_mode(config))  # a run from the cache starts no worker here either
        for reader in _selected_readers(config):
            info = describe(reader) or {}
            if "versions" in info:
                shown = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
            else:
                shown = f"NOT AVAILABLE ({info.get('status')}): {info.get('unavailable', '')[:200]}"
            lines.append(f"  {reader.id:24} {shown[:300]}")
    finally:
        pool.close()
    lines.append(f"fixtures dir: {config.getoption('--fixtures-dir')}; cell timeout {config.getoption('--cell-timeout'):g} s; strict: {config.getoption('--strict-expectations')}")
    return lines


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    record = getattr(item, "_zipcompat_record", None)
    if record is not None and report.when == "call":
        report.user_properties.append((RESULTS_KEY, record))


def pytest_runtest_logreport(report):
    if report.when != "call":
        return
    for key, value in report.user_properties:
        if key == RESULTS_KEY:
            _CONTROLLER_RECORDS.append(value)
            if _JSONL is not None:  # the controller: a cell is on disk as soon as it finishes
                _JSONL.append(value)


_CONTROLLER_RECORDS: list[dict] = []
_JSONL = None  # compat_tests.reports.results.LinesWriter of this run (controller only)


def _run_info(config, versions: dict) -> dict:
    return {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(config._zipcompat["started"])),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "ci": os.environ.get("CI", ""),
        "strict": config.getoption("--strict-expectations"),
        "readers": versions,
        "not_tested": _not_tested(config),
    }


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if hasattr(config, "workerinput"):
        config.workeroutput["zipcompat_peak_rss_mib"] = _peak_rss_mib()
        return
    if config._zipcompat.get("byo", {}).get("problems"):
        session.exitstatus = 2  # an archive could not be run at all (said above, one line each)
    if not _CONTROLLER_RECORDS:
        if _JSONL is not None:
            _JSONL.finish()
        return
    records = sorted(_CONTROLLER_RECORDS, key=lambda r: r["cell"])
    versions = {}
    for record in records:
        versions.setdefault(record["reader"], record.get("versions") or {})
    out = Path(config.getoption("--results"))
    out.parent.mkdir(parents=True, exist_ok=True)
    from compat_tests.reports.since import since

    run = _run_info(config, versions)
    run["orchestrator_peak_rss_mib"] = {"main": _peak_rss_mib(), **config._zipcompat.get("peak_rss", {})}
    from compat_tests.result_cache import run_info

    run["cache"] = run_info(records, cache_mode(config))
    payload = {"results_schema": 1, "run": run, "cells": records, "since": since(records)}
    payload["summary"] = summarize(payload)
    out.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if _JSONL is not None:
        _JSONL.finish()  # results.json now holds every cell
    from compat_tests.reports.markdown import write_markdown
    from compat_tests.reports.html import write_html

    write_markdown(payload, out.with_name("matrix.md"))
    write_html(payload, out.with_name("matrix.html"))
    config._zipcompat["written"] = str(out)
    if not config.getoption("--archive") and config.getoption("--versions") == "all":
        # only a run of every declared release can tell that a condition meets none of them
        dead = expectations.dead_conditions(expectations.load(), records)
        config._zipcompat["dead_conditions"] = dead
        if dead:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _CONTROLLER_RECORDS or hasattr(config, "workerinput"):
        return
    from collections import Counter

    counts = Counter(r["outcome"] for r in _CONTROLLER_RECORDS)
    unexpected = [r for r in _CONTROLLER_RECORDS if not r["as_expected"]]
    byo = [r for r in _CONTROLLER_RECORDS if r.get("expected") is None]
    terminalreporter.section("zipstore-compat matrix")
    terminalreporter.write_line("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    from compat_tests.result_cache import run_info, run_info_text

    cache = run_info(_CONTROLLER_RECORDS, cache_mode(config))
    terminalreporter.write_line(run_info_text({"run": {"cache": cache}, "cells": _CONTROLLER_RECORDS})
                                + (" (--rerun runs every cell)" if cache["cached"] else ""))
    from compat_tests.cells import LOUD

    for record in (r for r in _CONTROLLER_RECORDS if r["outcome"] in LOUD):
        shout = "WRONG DATA" if record["outcome"] == "wrong-data" else "DATA MISSING, NO ERROR"
        terminalreporter.write_line(f"{shout}  {record['cell']}: {record['message'][:200]}", red=True, bold=True)
    for record in byo:  # your archives: no expectations, the outcome plainly
        if record["outcome"] not in LOUD:
            terminalreporter.write_line(f"{record['outcome']:12}{record['cell']}: {record['message'][:200]}")
    for record in unexpected:
        terminalreporter.write_line(f"UNEXPECTED  {record['cell']}: {record['outcome']} (matrix.yaml says {record['expected']}): {record['message'][:160]}", yellow=True)
    for line in config._zipcompat.get("dead_conditions", []):
        terminalreporter.write_line(f"matrix.yaml: {line}", red=True, bold=True)
    if "written" in config._zipcompat:
        terminalreporter.write_line(f"results: {config._zipcompat['written']}, with matrix.md and matrix.html beside it")
    peaks = {"main": _peak_rss_mib(), **config._zipcompat.get("peak_rss", {})}
    terminalreporter.write_line("orchestrator peak memory (RSS): " + ", ".join(f"{k} {v:.0f} MiB" for k, v in peaks.items()))
