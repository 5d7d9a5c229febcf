"""pytest plugin of the reader matrix: one session object, hooks that delegate to it.

Loaded by the top-level conftest.py, so `pytest` at the project root runs the
default matrix. The shape is pytest-benchmark's: `MatrixSession` is created at
configure (in the controller and in each xdist worker) and holds everything a
run has: its options, checked once when the session starts (a bad reader id,
fixture pattern or matrix.yaml is one line, never a collection error); the
fixtures, prepared once in a child process (compat_tests/prepare.py: the
controller never loads a dataset); the cell records as they finish
(results.jsonl), and at the end results.json, matrix.md and matrix.html. The
cell record itself is built by compat_tests/cells.py (cell_record). It stays
inert for the suite's own tests (`pytest tests`). pytest's own reports are the
only source of the results file.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from zipstore_compat import __version__
from zipstore_compat.compat_tests import expectations
from zipstore_compat.core import locations
from zipstore_compat.compat_tests.cells import LOUD, Describer, all_cell_ids, cell_fixtures, cell_id
from zipstore_compat.compat_tests.readers import all_readers, lane_readers, matrix_readers
from zipstore_compat.compat_tests.reports.summary import summarize
from zipstore_compat.compat_tests.workers import DEFAULT_TIMEOUT, WorkerPool
from zipstore_compat.core.processes import child_environ

ROOT = locations.CODE
MATRIX_DIR = ROOT / "compat_tests"
RESULTS_KEY = "zipcompat_cell"
SESSION = pytest.StashKey["MatrixSession"]()


def pytest_addoption(parser):
    group = parser.getgroup("zipstore-compat")
    group.addoption("--readers", default="", help="comma-separated reader ids (default: all matrix readers)")
    group.addoption("--fixture-ids", default="", help="comma-separated fixture ids or globs (default: the default set)")
    group.addoption("--fixtures-dir", default=str(locations.fixtures_dir()), help="where built fixtures are")
    group.addoption("--strict-expectations", action="store_true", help="an outcome that differs from matrix.yaml fails its cell")
    group.addoption("--cell-timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds a reader may take on one cell, plus 2 ms per ZIP entry of the archive (default 60)")
    group.addoption("--archive", action="append", default=[], metavar="PATH",
                    help="run every reader on your own archive (repeatable); the truth is an independent reference reading")
    group.addoption("--results", default=str(locations.results_file()), help="where to write results.json")
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
    # a maintainer's run: your build, our corpus, the released column (docs/guide/maintainers.md)
    group.addoption("--use-current-env", action="store_true",
                    help="run the readers in the interpreter pytest runs in (your editable or nightly install), Node.js readers with "
                         "--node-modules, command-line readers with the tools on PATH; no environment is built; a library that is "
                         "not installed here is not-installed; cells are compared with the released column (--released)")
    group.addoption("--node-modules", default=None, metavar="DIR",
                    help="with --use-current-env: the node_modules folder Node.js readers load their packages from (default: ./node_modules)")
    group.addoption("--corpus", default=None, metavar="DIR",
                    help="the fixtures from this folder (python -m zipstore_compat corpus fetch DIR), checked against the package's "
                         "checksums; nothing is built")
    group.addoption("--released", default="auto", metavar="FILE",
                    help="compare each cell with this released column (python -m zipstore_compat released make): regressions fail; "
                         "'auto' (default): the package's own with --use-current-env, none otherwise; 'none': no comparison")
    group.addoption("--summary", default=None, metavar="FILE",
                    help="write the run's Markdown summary here too (default: summary.md beside results.json, and $GITHUB_STEP_SUMMARY when set)")
    group.addoption("--known-wrong-data", choices=["fail", "report"], default="fail",
                    help="a cell that returns wrong data fails even when the released column did too (fail, default), or is only "
                         "reported (report: a CI that is green while a known bug is open)")


def peak_rss_mib() -> float:
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


class MatrixSession:
    """One matrix run, as one pytest session sees it (the controller, or one xdist worker)."""

    def __init__(self, config):
        self.config = config
        self.started = time.time()
        self.worker = hasattr(config, "workerinput")
        self.active = hasattr(config.option, "results") and self._matrix_selected()
        self.records: list[dict] = []
        self.lines = None            # compat_tests.reports.results.LinesWriter (the controller)
        self.byo: dict | None = config.workerinput.get("zipcompat_byo") if self.worker else None
        self.worker_peaks: dict[str, float] = {}
        self.collected = 0           # cells the run was to have (interrupted runs say how many of them ran)
        self.interrupted = False
        self.session = None
        self.written: str | None = None
        self.dead: list[str] = []
        self.released: dict | None = None   # the released column a maintainer's run compares with (compat_tests/released.py)
        self.changes: list = []             # each cell's compat_tests.released.Change, as the cells finish
        if self.active and self.option("--corpus"):   # every process (the controller and each xdist worker) reads the corpus
            config.option.fixtures_dir = str(Path(self.option("--corpus")).expanduser().resolve())
        if self.active and self.worker:
            self.released = self.load_released()

    # ---- the session's inputs, checked once ------------------------------------------------------------
    def _matrix_selected(self) -> bool:
        """True when the matrix (compat_tests/, or its test module) is among what pytest was asked to run."""
        for arg in self.config.args:
            if getattr(self.config.option, "pyargs", False) and str(arg).split("::")[0].split(".")[0] == "zipstore_compat":
                return True   # pytest --pyargs zipstore_compat (or zipstore_compat.compat_tests)
            path = Path(self.config.invocation_params.dir, str(arg).split("::")[0]).resolve()
            if path == ROOT or path == MATRIX_DIR or MATRIX_DIR in path.parents:
                return True
        return False

    def option(self, name: str):
        return self.config.getoption(name)

    def cache_mode(self):
        """What this run does with the results cache (compat_tests/result_cache.py)."""
        from zipstore_compat.compat_tests.result_cache import mode_for

        if self.option("--use-current-env"):
            from zipstore_compat.compat_tests.result_cache import Mode

            return Mode(False, False, why="--use-current-env: the library under test can change without its version (an editable install)")
        try:
            return mode_for(self.option("--rerun"), self.option("--rerun-outcomes"), bool(self.option("--archive")))
        except ValueError as exc:
            raise pytest.UsageError(str(exc)) from None

    def entries(self) -> list[dict]:
        """matrix.yaml, validated; a broken file is one line naming it (and the line and column, for YAML)."""
        try:
            return expectations.load()
        except expectations.MatrixFileError as exc:
            raise pytest.UsageError(str(exc)) from None

    def check(self) -> None:
        """Every option and matrix.yaml, once, before anything starts: bad input is one line, exit status 4."""
        self.cache_mode()
        entries = self.entries()
        try:
            expectations.check_patterns_match(entries, all_cell_ids())
        except expectations.MatrixFileError as exc:
            raise pytest.UsageError(str(exc)) from None
        self.readers()
        if not self.option("--archive"):
            self.fixture_ids()

    def readers(self) -> list:
        """Readers by id or family, in the lanes --versions asks for."""
        wanted = [r for r in self.option("--readers").split(",") if r]
        known = all_readers()
        unknown = [r for r in wanted if r not in known]
        if unknown:
            raise pytest.UsageError(f"unknown reader id(s): {', '.join(unknown)}; known: {', '.join(known)}")
        if self.option("--use-current-env"):
            lane = [r for r in wanted if "@" in r]
            if lane or self.option("--versions") != "default":
                raise pytest.UsageError("--use-current-env runs the release installed here: a versions-lane reader "
                                        f"({', '.join(lane) or '--versions ' + self.option('--versions')}) names another; drop one or the other")
        lanes = {"default": ("default",), "lane": ("versions",), "all": ("default", "versions")}[self.option("--versions")]
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

    def fixture_ids(self) -> list[str]:
        import fnmatch

        from zipstore_compat.fixtures.registry import matrix_fixture_ids

        if self.option("--archive"):
            self.config.option.fixtures_dir = self.byo["folder"]
            return list(self.byo["ids"])
        from zipstore_compat.compat_tests.habits import habit_ids

        unavailable = self.not_tested()
        ids = [i for i in matrix_fixture_ids() if i not in unavailable] + habit_ids()
        if self.option("--corpus"):   # the fixtures the corpus folder holds (another project's archive only when fetched beside)
            folder = Path(self.option("--fixtures-dir"))
            ids = [i for i in ids if (folder / f"{i}.manifest.json").is_file()]
        wanted = [f for f in self.option("--fixture-ids").split(",") if f]
        if not wanted:
            return ids
        picked = [i for i in ids if any(fnmatch.fnmatchcase(i, w) for w in wanted)]
        if not picked:
            raise pytest.UsageError(f"--fixture-ids {','.join(wanted)} matches no fixture; list them with: ./run fixtures list "
                                    f"(the reader habits: {', '.join(habit_ids())})")
        return picked

    def not_tested(self) -> dict[str, str]:
        """External archives that could not be had here (id -> why): not run, and named in the report."""
        from zipstore_compat.fixtures.external import unavailable_external

        if self.option("--archive"):
            return {}
        found = unavailable_external(Path(self.option("--fixtures-dir")))
        if self.option("--corpus"):
            from zipstore_compat.fixtures.external import external_ids

            folder = Path(self.option("--fixtures-dir"))
            found.update({i: "not in the corpus folder (another project's archive: python -m zipstore_compat corpus externals DIR)"
                          for i in external_ids() if not (folder / f"{i}.manifest.json").is_file()})
        return found

    # ---- Ctrl-C: the cells that run now finish, the results say the run stopped early -------------------
    def pytest_sessionstart(self, session) -> None:
        self.session = session
        if self.worker:  # an xdist worker: the controller decides when the run stops, and tells it
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        elif signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, self.stop_early)

    def stop_early(self, signum, frame) -> None:
        """The first Ctrl-C: no new cell starts, the cells running now finish and are kept; a second one stops at once."""
        signal.signal(signal.SIGINT, signal.default_int_handler)
        self.interrupted = True
        reason = "interrupted (Ctrl-C): no new cell starts; a second Ctrl-C stops at once"
        self.session.shouldstop = reason
        dsession = self.config.pluginmanager.getplugin("dsession")   # pytest-xdist's controller
        if dsession is not None:
            dsession.shouldstop = reason
        sys.stderr.write(f"\n{reason}\n")
        sys.stderr.flush()

    # ---- preparing the run (the controller, once) ------------------------------------------------------
    def start(self) -> None:
        if self.option("--corpus"):
            self.use_corpus()
        self.check()
        self.released = self.load_released()
        if self.option("--archive"):
            self.prepare_byo()
        elif not self.option("--no-build") and not self.option("--corpus") and not self.config.option.collectonly:
            self.prepare_fixtures()
        from zipstore_compat.compat_tests.reports.results import start_lines

        self.lines = start_lines(Path(self.option("--results")), self.run_info({}))

    def prepare_fixtures(self) -> None:
        """Build the default fixtures and fetch the external archives into --fixtures-dir, in a child process."""
        out = Path(self.option("--fixtures-dir"))
        command = [sys.executable, "-m", "zipstore_compat.compat_tests.prepare", str(out)]
        if not self.cache_mode().read:
            command.append("--no-cache-read")
        capture = self.config.pluginmanager.getplugin("capturemanager")
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            # its progress and problems go straight to the terminal; its last stdout line is the summary
            proc = subprocess.run(command, cwd=locations.work_root(), env=child_environ(), stdout=subprocess.PIPE, text=True)
            try:
                done = json.loads(proc.stdout.strip().splitlines()[-1])
            except (IndexError, ValueError):
                raise pytest.UsageError(f"preparing the fixtures failed (exit status {proc.returncode}): {proc.stdout.strip()[-300:]}") from None
            for fixture_id, why in done["unavailable"].items():
                print(f"not tested: {fixture_id}: {why}", file=sys.stderr)
            print(f"{done['built'] + done['hostile']} fixtures ready ({done['cached']} cached, {done['hostile']} hostile), "
                  f"{len(done['errors'])} could not be built"
                  + (f", {len(done['unavailable'])} external archives unavailable (not tested)" if done["unavailable"] else ""),
                  file=sys.stderr, flush=True)

    def use_corpus(self) -> None:
        """--corpus DIR: the fixtures are DIR's, checked against the package's corpus index (compat_tests/corpus.py); a file
        that differs is one line and exit status 4. A fixture DIR does not hold is not tested, and said."""
        from zipstore_compat.compat_tests.corpus import CorpusError, load_index, present_fixtures, verify

        folder = Path(self.option("--corpus")).expanduser().resolve()
        if not folder.is_dir():
            raise pytest.UsageError(f"--corpus {folder}: no such folder (get it with: python -m zipstore_compat corpus fetch {folder})")
        try:
            index = load_index()
        except CorpusError as exc:
            raise pytest.UsageError(str(exc)) from None
        problems = verify(folder, index)
        if problems:
            raise pytest.UsageError(f"--corpus {folder}: {problems[0]}" + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
                                    + f"; fetch it again: python -m zipstore_compat corpus fetch {folder}")
        if not present_fixtures(folder, index):
            raise pytest.UsageError(f"--corpus {folder}: holds no fixture of the corpus (python -m zipstore_compat corpus fetch {folder})")

    def load_released(self) -> dict | None:
        """The released column this run compares with: --released FILE, or with --use-current-env the package's own."""
        from zipstore_compat.compat_tests import released

        chosen = self.option("--released")
        if chosen == "none" or self.option("--archive") or (chosen == "auto" and not self.option("--use-current-env")):
            return None
        try:
            return released.load(released.RELEASED_FILE if chosen == "auto" else Path(chosen))
        except released.ReleasedError as exc:
            raise pytest.UsageError(str(exc)) from None

    def compare(self, record: dict, expected) -> object | None:
        """The cell against the released column (compat_tests.released.compare), or None when this run compares with none."""
        if self.released is None:
            return None
        from zipstore_compat.compat_tests.released import compare

        return compare(record, self.released, allowed_by_matrix=bool(expected.also) and record["outcome"] in expected.also)

    def current_environment(self):
        """--use-current-env: the caller's interpreter, node_modules and PATH (compat_tests/current_env.py), or None."""
        if not self.option("--use-current-env"):
            return None
        from zipstore_compat.compat_tests.current_env import CurrentEnvironment, node_modules_folder

        return CurrentEnvironment(sys.executable, node_modules_folder(self.option("--node-modules"), Path(self.config.invocation_params.dir)))

    def prepare_byo(self) -> None:
        """The reference reading of each --archive, in a capped worker, once per run (not per xdist worker).

        One line per archive that cannot be run (not a ZIP, unreadable) or cannot be judged;
        the others run. Nothing to run at all: exit status 2.
        """
        import shutil
        import tempfile

        from zipstore_compat.compat_tests.byo import prepare

        folder = Path(tempfile.mkdtemp(prefix="zipcompat-byo-"))
        self.config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))  # links and manifests only: the archives stay
        prepared = prepare(self.option("--archive"), folder, timeout=self.option("--cell-timeout"))
        if not prepared.ids and len(prepared.problems) == 1:  # the one archive is not a ZIP: its line is all there is to say
            pytest.exit(prepared.problems[0], returncode=2)
        for line in prepared.problems + prepared.notices:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()
        self.byo = {"folder": str(folder), "ids": prepared.ids, "problems": prepared.problems}
        if not prepared.ids:
            pytest.exit("no archive to run", returncode=2)

    def params(self) -> list:
        readers, fixture_ids = self.readers(), self.fixture_ids()
        return [pytest.param((r, f), id=cell_id(r.id, f)) for r in readers for f in cell_fixtures(r, fixture_ids)]

    # ---- the report header: what is known, without starting a worker -------------------------------------
    def header(self) -> list[str]:
        from zipstore_compat.compat_tests.result_cache import cached_description

        lines = ["zipstore-compat readers (library versions and build flags, as each worker last reported them):"]
        if self.option("--use-current-env"):
            lines = [f"zipstore-compat {__version__}, --use-current-env: the readers run in {sys.executable} "
                     f"(Node.js packages from {self.current_environment().node_modules}, command-line tools from PATH)"]
            lines += [f"  {reader.id:24} {reader.library}: its versions come with its first cell" for reader in self.readers()]
            lines.append(f"corpus: {self.option('--fixtures-dir')}; released column: "
                         f"{(self.released or {}).get('suite', 'none')}; cell timeout {self.option('--cell-timeout'):g} s")
            return lines
        for reader in self.readers():
            info = cached_description(reader)
            if info is None:
                shown = "(not described yet: its worker reports its versions with its first cell)"
            elif "versions" in info:
                shown = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
            else:
                shown = f"NOT AVAILABLE ({info.get('status')}): {info.get('unavailable', '')[:200]}"
            lines.append(f"  {reader.id:24} {shown[:300]}")
        lines.append(f"fixtures dir: {self.option('--fixtures-dir')}; cell timeout {self.option('--cell-timeout'):g} s; "
                     f"strict: {self.option('--strict-expectations')}")
        return lines

    # ---- results ---------------------------------------------------------------------------------------
    def pytest_runtest_logreport(self, report) -> None:
        """A hook of the session object itself (registered as a plugin at configure): each finished cell's record."""
        if report.when != "call":
            return
        for key, value in report.user_properties:
            if key == RESULTS_KEY:
                self.records.append(value)
                if value.get("released") is not None:
                    self.changes.append(value["released"])
                if self.lines is not None:  # the controller: a cell is on disk as soon as it finishes
                    self.lines.append(value)

    def run_info(self, versions: dict) -> dict:
        return {
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "machine": platform.machine(),
            "ci": os.environ.get("CI", ""),
            "strict": self.option("--strict-expectations"),
            "current_env": sys.executable if self.option("--use-current-env") else None,
            "corpus": self.option("--corpus"),
            "released": (self.released or {}).get("suite"),
            "readers": versions,
            "not_tested": self.not_tested(),
        }

    def finish(self, session, exitstatus) -> None:
        if self.worker:
            self.config.workeroutput["zipcompat_peak_rss_mib"] = peak_rss_mib()
            return
        if (self.byo or {}).get("problems"):
            session.exitstatus = 2  # an archive could not be run at all (said above, one line each)
        self.interrupted = self.interrupted or exitstatus == pytest.ExitCode.INTERRUPTED
        if not self.records:
            if self.lines is not None:
                self.lines.finish()
            return
        from zipstore_compat.compat_tests.reports.since import since
        from zipstore_compat.compat_tests.reports.writers import writer_records
        from zipstore_compat.compat_tests.result_cache import run_info

        records = sorted(self.records, key=lambda r: r["cell"])
        versions = {}
        for record in records:
            versions.setdefault(record["reader"], record.get("versions") or {})
        out = Path(self.option("--results"))
        out.parent.mkdir(parents=True, exist_ok=True)
        run = self.run_info(versions)
        run["orchestrator_peak_rss_mib"] = {"main": peak_rss_mib(), **self.worker_peaks}
        run["cache"] = run_info(records, self.cache_mode())
        if self.interrupted:  # said everywhere the results are shown: this is not a complete run of a smaller selection
            run["interrupted"] = {"after": len(records), "of": max(self.collected, len(records))}
        payload = {"results_schema": 1, "run": run, "cells": records, "since": since(records), "writers": writer_records(records)}
        payload["summary"] = summarize(payload)
        out.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        if self.lines is not None:
            self.lines.finish()  # results.json now holds every cell
        from zipstore_compat.compat_tests.reports.html import write_html
        from zipstore_compat.compat_tests.reports.markdown import write_markdown

        write_markdown(payload, out.with_name("matrix.md"))
        write_html(payload, out.with_name("matrix.html"))
        self.written = str(out)
        if self.released is not None:
            self.write_summary(payload, out.with_name("summary.md"))
        if self.released is not None and any(c["kind"] == "regression" or (c["outcome"] in LOUD and self.option("--known-wrong-data") == "fail")
                                             or c["outcome"] == "not-installed" for c in self.changes):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED   # a regression, wrong data, or a library that is not here (nothing tested)
        if not self.option("--archive") and self.option("--versions") == "all" and not self.interrupted:
            # only a run of every declared release can tell that a condition meets none of them
            self.dead = expectations.dead_conditions(expectations.load(), records)
            if self.dead:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def write_summary(self, payload: dict, beside: Path) -> None:
        """The maintainer's Markdown summary (compat_tests/reports/maintainer.py): beside results.json, --summary FILE,
        and appended to $GITHUB_STEP_SUMMARY when set (a GitHub job's summary)."""
        from zipstore_compat.compat_tests.reports.maintainer import summary_markdown

        text = summary_markdown(payload, self.released, wrong_data_fails=self.option("--known-wrong-data") == "fail")
        beside.write_text(text, encoding="utf-8")
        if self.option("--summary"):
            Path(self.option("--summary")).write_text(text, encoding="utf-8")
        step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if step_summary:
            with open(step_summary, "a", encoding="utf-8") as handle:
                handle.write(text + "\n")

    def terminal_summary(self, terminalreporter) -> None:
        if not self.records or self.worker:
            return
        from collections import Counter

        from zipstore_compat.compat_tests.result_cache import run_info, run_info_text

        counts = Counter(r["outcome"] for r in self.records)
        unexpected = [r for r in self.records if not r["as_expected"]]
        byo = [r for r in self.records if r.get("expected") is None]
        terminalreporter.section("zipstore-compat matrix")
        if self.interrupted:
            terminalreporter.write_line(f"INTERRUPTED after {len(self.records)} of {max(self.collected, len(self.records))} cells: "
                                        "the results below are of those cells only; a later run takes them from the cache",
                                        yellow=True, bold=True)
        terminalreporter.write_line("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        cache = run_info(self.records, self.cache_mode())
        terminalreporter.write_line(run_info_text({"run": {"cache": cache}, "cells": self.records})
                                    + (" (--rerun runs every cell)" if cache["cached"] else ""))
        for record in (r for r in self.records if r["outcome"] in LOUD):
            shout = "WRONG DATA" if record["outcome"] == "wrong-data" else "DATA MISSING, NO ERROR"
            terminalreporter.write_line(f"{shout}  {record['cell']}: {record['message'][:200]}", red=True, bold=True)
        for record in byo:  # your archives: no expectations, the outcome plainly
            if record["outcome"] not in LOUD:
                terminalreporter.write_line(f"{record['outcome']:12}{record['cell']}: {record['message'][:200]}")
        for record in unexpected:
            terminalreporter.write_line(f"UNEXPECTED  {record['cell']}: {record['outcome']} (matrix.yaml says {record['expected']}): {record['message'][:160]}", yellow=True)
        for line in self.dead:
            terminalreporter.write_line(f"matrix.yaml: {line}", red=True, bold=True)
        if self.released is not None:
            from zipstore_compat.compat_tests.reports.maintainer import terminal_lines

            for line, colour in terminal_lines(self.changes, self.released):
                terminalreporter.write_line(line, **colour)
        if self.written:
            terminalreporter.write_line(f"results: {self.written}, with matrix.md and matrix.html beside it")
        peaks = {"main": peak_rss_mib(), **self.worker_peaks}
        terminalreporter.write_line("orchestrator peak memory (RSS): " + ", ".join(f"{k} {v:.0f} MiB" for k, v in peaks.items()))


def _session(config) -> MatrixSession | None:
    found = config.stash.get(SESSION, None)
    return found if found is not None and found.active else None


# ---- hooks: each delegates to the session -------------------------------------------------------------------

def pytest_configure(config):
    matrix = MatrixSession(config)
    config.stash[SESSION] = matrix
    if matrix.active:
        config.pluginmanager.register(matrix, "zipcompat-session")
        if not matrix.worker:
            matrix.start()


def pytest_generate_tests(metafunc):
    if "cell" not in metafunc.fixturenames or MATRIX_DIR not in Path(metafunc.definition.path).parents:
        return  # only the matrix's own test takes cells
    matrix = metafunc.config.stash[SESSION]
    metafunc.parametrize("cell", matrix.params())


def pytest_collection_finish(session):
    matrix = _session(session.config)
    if matrix is not None:
        matrix.collected = len(session.items)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids):
    """pytest-xdist: the controller learns how many cells the run has from a worker's collection."""
    matrix = _session(node.config)
    if matrix is not None:
        matrix.collected = max(matrix.collected, len(ids))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist: each worker gets the controller's BYO folder instead of reading the archives again."""
    matrix = _session(node.config)
    if matrix is not None and matrix.byo:
        node.workerinput["zipcompat_byo"] = matrix.byo


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist: a worker's own peak memory, for the run info."""
    matrix = _session(node.config)
    rss = getattr(node, "workeroutput", {}).get("zipcompat_peak_rss_mib")
    if matrix is not None and rss is not None:
        matrix.worker_peaks[node.gateway.id] = rss


def pytest_report_header(config):
    matrix = _session(config)
    return matrix.header() if matrix is not None and not matrix.worker else None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    record = getattr(item, "_zipcompat_record", None)
    if record is not None and report.when == "call":
        report.user_properties.append((RESULTS_KEY, record))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    matrix = _session(session.config)
    if matrix is not None:
        matrix.finish(session, exitstatus)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    matrix = _session(config)
    if matrix is not None:
        matrix.terminal_summary(terminalreporter)


# ---- fixtures of the matrix's test ------------------------------------------------------------------------

@pytest.fixture(scope="session")
def worker_pool(request):
    matrix = request.config.stash.get(SESSION, None)
    pool = WorkerPool(current=matrix.current_environment() if matrix is not None and matrix.active else None)
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def matrix_session(request) -> MatrixSession:
    return request.config.stash[SESSION]


@pytest.fixture(scope="session")
def describe(worker_pool, matrix_session):
    from zipstore_compat.compat_tests.result_cache import CachedDescriber

    return CachedDescriber(Describer(worker_pool), matrix_session.cache_mode())


@pytest.fixture(scope="session")
def cell_cache(matrix_session):
    from zipstore_compat.compat_tests.result_cache import CellCache

    return CellCache(matrix_session.cache_mode(), matrix_session.option("--cell-timeout"))


@pytest.fixture(scope="session")
def matrix_entries(matrix_session):
    return matrix_session.entries()


@pytest.fixture(scope="session")
def remote_servers(request):
    """nginx and the fault server of this pytest process, started by its first remote cell (docs/reference/remote.md)."""
    from zipstore_compat.compat_tests.remote.servers import RemoteServers

    servers = RemoteServers(Path(request.config.getoption("--fixtures-dir")))
    yield servers
    servers.stop()
