"""Long-lived reader workers: one process per environment, JSON lines over stdin/stdout.

A request that outlives its time limit ends as `timeout` (the worker is
killed); a worker that dies ends its request as `crash` (with the signal);
either way the next request starts a fresh worker. Memory is capped with
RLIMIT_AS so that a runaway read fails inside the reader instead of taking
the machine down; a request that ends on that cap (a MemoryError, or a
worker that dies of a failed allocation) is a `crash` whose message starts
"memory cap reached at N GiB". The orchestrator reads at most MAX_REPLY
characters of any answer.

The same machinery runs the reference reading of archives that come without
a manifest (fixtures/reference_worker.py, in the project environment).
"""

from __future__ import annotations

import json
import os
import queue
import resource
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from zipstore_compat.core.limits import DEFAULT_CELL_SECONDS, default_memory_gib, heap_limit_message, machine_memory_bytes, memory_cap_message  # noqa: F401 (the memory rule, re-exported)
from zipstore_compat.core import locations
from zipstore_compat.core.processes import child_environ
from zipstore_compat.envs import EnvUnavailable, ensure_environment
from zipstore_compat.envs.build import runtime_environ

DEFAULT_TIMEOUT = DEFAULT_CELL_SECONDS  # the base of a cell's time limit (core.limits)
PROJECT_ENV = "project"  # the suite's own environment (the reference worker runs there)
MAX_REPLY = 64 * 2**20   # characters of one answer line the orchestrator reads at most
# what a worker's stderr says when an allocation failed (C++, C, Python, Rust)
ALLOCATION_FAILED = ("bad_alloc", "MemoryError", "Cannot allocate memory", "out of memory", "memory allocation of",
                     "failed to allocate", "std::length_error")
# what node prints when V8's own heap limit is reached (below the worker's cap), before its stack trace of 20-odd lines
RUNTIME_HEAP_LIMIT = ("JavaScript heap out of memory",)


DEFAULT_MEMORY_GIB = default_memory_gib()


@dataclass
class Reply:
    status: str                 # ok | error | crash | timeout | not-installed
    result: dict | None = None
    error: str = ""
    traceback: str = ""
    seconds: float = 0.0        # the worker's time on the request (the read, loading the manifest, the digests)
    read_seconds: float | None = None  # the reader's call alone, when the worker says (compat_tests/worker.py)


class Worker:
    def __init__(self, env: str, memory_gib: float | None = None, module: str = "zipstore_compat.compat_tests.worker",
                 program: tuple[str, ...] = (), current=None):
        """A Python worker (`module` in environment `env`), or, given `program`, a reader program of any
        language behind the protocol shim (compat_tests/foreign_worker.py) with `env`'s variables. `current`
        (compat_tests.current_env.CurrentEnvironment): the caller's own interpreter and tools instead of `env`."""
        self.env, self.module, self.program, self.current = env, module, program, current
        self.memory_gib = DEFAULT_MEMORY_GIB if memory_gib is None else memory_gib
        self.memory_bytes = int(self.memory_gib * 2**30)
        self.proc: subprocess.Popen | None = None
        self.lines: queue.Queue = queue.Queue()
        self.stderr_tail: list[str] = []
        self.heap_limit: str | None = None   # the line of this request's stderr that says V8's heap limit was reached

    def _limit_memory(self):
        """In the child before exec: the memory cap, and Ctrl-C left to the controlling pytest process (a terminal's
        Ctrl-C reaches the whole process group; the controller stops the run in order and stops the workers itself)."""
        resource.setrlimit(resource.RLIMIT_AS, (self.memory_bytes, self.memory_bytes))
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    def _start(self) -> None:
        if self.current is not None:   # --use-current-env: nothing is built, the caller's interpreter and PATH
            python, extra = Path(self.current.python), self.current.variables(self.env)
        elif self.env == PROJECT_ENV:
            python, extra = Path(sys.executable), {}
        else:
            python, extra = ensure_environment(self.env), runtime_environ(self.env)
        command = [str(python), "-m", self.module]
        if self.program:  # the shim runs in the project's environment; the program gets the reader environment's variables
            command = [sys.executable, "-m", "zipstore_compat.compat_tests.foreign_worker", *self.program]
        env = child_environ({"PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "2", **extra})
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=env, cwd=str(locations.work_root()), preexec_fn=self._limit_memory,
            start_new_session=True,   # a process group of its own: stopping the worker stops what it started (a tool it runs)
        )
        self.lines = queue.Queue()
        self.stderr_tail, self.heap_limit = [], None
        threading.Thread(target=self._pump, args=(self.proc, self.lines), daemon=True).start()
        threading.Thread(target=self._pump_stderr, args=(self.proc,), daemon=True).start()

    @staticmethod
    def _pump(proc, lines):
        while True:
            line = proc.stdout.readline(MAX_REPLY)
            if not line:
                break
            if not line.endswith("\n"):  # longer than MAX_REPLY: skip the rest of it, answer an error
                while True:
                    rest = proc.stdout.readline(MAX_REPLY)
                    if not rest or rest.endswith("\n"):
                        break
                line = json.dumps({"ok": False, "error": f"the worker's answer was longer than {MAX_REPLY // 2**20} MiB; not read"}) + "\n"
            lines.put(line)
        lines.put(None)

    def _pump_stderr(self, proc):
        for line in proc.stderr:
            self.stderr_tail = (self.stderr_tail + [line.rstrip()])[-20:]
            if self.heap_limit is None and any(marker in line for marker in RUNTIME_HEAP_LIMIT):
                self.heap_limit = line.strip()   # kept: node's stack trace after it pushes it out of the tail

    def _kill_group(self) -> None:
        """SIGKILL to the worker's process group (start_new_session: the worker and what it started)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self) -> None:
        """Kill the worker and every process it started (a command-line reader's gdal_translate, ncdump, node): a cell
        past its time limit must not leave a tool running on into the next cells."""
        if self.proc:
            self._kill_group()
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
        self.proc = None

    def request(self, payload: dict, timeout: float = DEFAULT_TIMEOUT) -> Reply:
        try:
            if self.proc is None or self.proc.poll() is not None:
                self._start()
        except EnvUnavailable as exc:
            return Reply("not-installed", error=exc.reason + (f"; fix: {exc.fix}" if exc.fix else ""))
        self.stderr_tail = []  # what this request prints: a crash is judged on it alone
        self.heap_limit = None
        try:
            self.proc.stdin.write(json.dumps(payload) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            self.stop()
            return Reply("timeout", error=f"no answer within {timeout:g} s; worker killed and restarted", seconds=timeout)
        if line is None:
            code = self.proc.wait()
            self._kill_group()   # what the dead worker started dies with it
            self.proc = None
            name = signal.Signals(-code).name if code < 0 else f"exit code {code}"
            tail = " | ".join(self.stderr_tail[-3:])
            error = f"worker died: {name}" + (f" ({tail})" if tail else "")
            if self.heap_limit:
                error = heap_limit_message(self.heap_limit[:200], error)
            elif any(marker in line for line in self.stderr_tail for marker in ALLOCATION_FAILED):
                error = memory_cap_message(self.memory_gib, error)
            return Reply("crash", error=error)
        answer = json.loads(line)
        if answer.get("ok"):
            return Reply("ok", result=answer["result"], seconds=answer.get("seconds", 0.0), read_seconds=answer.get("read_seconds"))
        if answer.get("memory"):  # the reader raised MemoryError: the cap, not the reader's own judgement
            self.stop()  # a fresh worker for the next cell: nothing half-freed carries over
            return Reply("crash", error=memory_cap_message(self.memory_gib, answer.get("error", "")),
                         traceback=answer.get("traceback", ""), seconds=answer.get("seconds", 0.0))
        return Reply("error", error=answer.get("error", ""), traceback=answer.get("traceback", ""), seconds=answer.get("seconds", 0.0))


class WorkerPool:
    """One worker per environment, started on first use; with `current` (--use-current-env), every reader's
    worker runs in the caller's environment (compat_tests/current_env.py)."""

    def __init__(self, current=None):
        self.workers: dict[str, Worker] = {}
        self.current = current

    def get(self, env: str) -> Worker:
        if env not in self.workers:
            self.workers[env] = Worker(env, current=self.current)
        return self.workers[env]

    def for_reader(self, reader) -> Worker:
        """The worker that serves `reader`: Python adapters share their environment's worker; a program
        of another language (reader.worker, "{file}" its adapter file) has a worker of its own."""
        if not reader.foreign:
            return self.get(reader.env)
        key = f"{reader.env}::{reader.id}"
        if key not in self.workers:
            program = tuple(part.replace("{file}", reader.adapter) for part in reader.worker)
            self.workers[key] = Worker(reader.env, program=program, current=self.current)
        return self.workers[key]

    def reference(self) -> Worker:
        """The worker that reads archives without a manifest (fixtures/reference_worker.py)."""
        if "reference" not in self.workers:
            self.workers["reference"] = Worker(PROJECT_ENV, module="zipstore_compat.fixtures.reference_worker")
        return self.workers["reference"]

    def close(self) -> None:
        for worker in self.workers.values():
            worker.stop()
