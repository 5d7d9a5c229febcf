"""pytest plugin of the reader matrix: options, cells, expectations, results.json.

Loaded with -p compat_tests.plugin (python -m compat_tests run does it).
pytest's own reports are the only source of the results file.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

import pytest

from compat_tests import expectations
from compat_tests.cells import Describer, all_cell_ids, cell_id
from compat_tests.readers import READERS, matrix_readers
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


def _matrix_selected(config) -> bool:
    """True when the matrix test module is among what pytest was asked to run."""
    return any("test_matrix" in str(arg) for arg in config.args)


def _selected_readers(config) -> list:
    wanted = [r for r in config.getoption("--readers").split(",") if r]
    if not wanted:
        return list(matrix_readers().values())
    unknown = [r for r in wanted if r not in READERS]
    if unknown:
        raise pytest.UsageError(f"unknown reader id(s): {', '.join(unknown)}; known: {', '.join(READERS)}")
    return [READERS[r] for r in wanted]


def _selected_fixtures(config) -> list[str]:
    import fnmatch

    from fixtures.registry import matrix_fixture_ids

    if config.getoption("--archive"):
        return _byo_fixtures(config)
    ids = matrix_fixture_ids()
    wanted = [f for f in config.getoption("--fixture-ids").split(",") if f]
    if not wanted:
        return ids
    picked = [i for i in ids if any(fnmatch.fnmatchcase(i, w) for w in wanted)]
    if not picked:
        raise pytest.UsageError(f"--fixture-ids {','.join(wanted)} matches no fixture; list them with: ./run fixtures list")
    return picked


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
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux: KiB


def pytest_configure(config):
    global _JSONL
    config._zipcompat = {"started": time.time()}
    if hasattr(config, "workerinput") or not hasattr(config.option, "results"):
        return
    if config.getoption("--archive") and _matrix_selected(config):
        _prepare_byo(config)
    if _matrix_selected(config):
        from compat_tests.results import start_lines

        _JSONL = start_lines(Path(config.getoption("--results")), _run_info(config, {}))


def pytest_generate_tests(metafunc):
    if "cell" not in metafunc.fixturenames:
        return
    config = metafunc.config
    readers = _selected_readers(config)
    fixture_ids = _selected_fixtures(config)
    entries = expectations.load()
    expectations.check_patterns_match(entries, all_cell_ids())
    params = [pytest.param((r, f), id=cell_id(r.id, f)) for r in readers for f in fixture_ids]
    metafunc.parametrize("cell", params)


@pytest.fixture(scope="session")
def worker_pool():
    pool = WorkerPool()
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def describe(worker_pool):
    return Describer(worker_pool)


@pytest.fixture(scope="session")
def matrix_entries():
    return expectations.load()


def pytest_report_header(config):
    if config.getoption("--readers", default=None) is None or not _matrix_selected(config):
        return None
    lines = ["zipstore-compat readers (library versions and build flags, as each worker reports them):"]
    pool = WorkerPool()
    try:
        describe = Describer(pool)
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
_JSONL = None  # compat_tests.results.LinesWriter of this run (controller only)


def _run_info(config, versions: dict) -> dict:
    return {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(config._zipcompat["started"])),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "ci": os.environ.get("CI", ""),
        "strict": config.getoption("--strict-expectations"),
        "readers": versions,
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
    run = _run_info(config, versions)
    run["orchestrator_peak_rss_mib"] = {"main": _peak_rss_mib(), **config._zipcompat.get("peak_rss", {})}
    payload = {"results_schema": 1, "run": run, "cells": records}
    out.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if _JSONL is not None:
        _JSONL.finish()  # results.json now holds every cell
    from compat_tests.report import write_markdown
    from compat_tests.report_html import write_html

    write_markdown(payload, out.with_name("matrix.md"))
    write_html(payload, out.with_name("matrix.html"))
    config._zipcompat["written"] = str(out)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _CONTROLLER_RECORDS or hasattr(config, "workerinput"):
        return
    from collections import Counter

    counts = Counter(r["outcome"] for r in _CONTROLLER_RECORDS)
    unexpected = [r for r in _CONTROLLER_RECORDS if not r["as_expected"]]
    byo = [r for r in _CONTROLLER_RECORDS if r.get("expected") is None]
    terminalreporter.section("zipstore-compat matrix")
    terminalreporter.write_line("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    wrong = [r for r in _CONTROLLER_RECORDS if r["outcome"] == "wrong-data"]
    for record in wrong:
        terminalreporter.write_line(f"WRONG DATA  {record['cell']}: {record['message'][:200]}", red=True, bold=True)
    for record in byo:  # your archives: no expectations, the outcome plainly
        if record["outcome"] != "wrong-data":
            terminalreporter.write_line(f"{record['outcome']:12}{record['cell']}: {record['message'][:200]}")
    for record in unexpected:
        terminalreporter.write_line(f"UNEXPECTED  {record['cell']}: {record['outcome']} (matrix.yaml says {record['expected']}): {record['message'][:160]}", yellow=True)
    if "written" in config._zipcompat:
        terminalreporter.write_line(f"results: {config._zipcompat['written']}, with matrix.md and matrix.html beside it")
    peaks = {"main": _peak_rss_mib(), **config._zipcompat.get("peak_rss", {})}
    terminalreporter.write_line("orchestrator peak memory (RSS): " + ", ".join(f"{k} {v:.0f} MiB" for k, v in peaks.items()))
