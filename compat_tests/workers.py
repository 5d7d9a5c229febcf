"""Long-lived reader workers: one process per environment, JSON lines over stdin/stdout.

A request that outlives its time limit ends as `timeout` (the worker is
killed); a worker that dies ends its request as `crash` (with the signal);
either way the next request starts a fresh worker. Memory is capped with
RLIMIT_AS so that a runaway read fails inside the reader instead of taking
the machine down.
"""

from __future__ import annotations

import json
import os
import queue
import resource
import signal
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from envs import EnvUnavailable, ensure_environment
from envs.build import runtime_environ

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TIMEOUT = float(os.environ.get("ZIPCOMPAT_CELL_TIMEOUT", "60"))
DEFAULT_MEMORY_GIB = float(os.environ.get("ZIPCOMPAT_WORKER_MEMORY_GIB", "12"))


@dataclass
class Reply:
    status: str                 # ok | error | crash | timeout | not-installed
    result: dict | None = None
    error: str = ""
    traceback: str = ""
    seconds: float = 0.0


class Worker:
    def __init__(self, env: str, memory_gib: float = DEFAULT_MEMORY_GIB):
        self.env = env
        self.memory_bytes = int(memory_gib * 2**30)
        self.proc: subprocess.Popen | None = None
        self.lines: queue.Queue = queue.Queue()
        self.stderr_tail: list[str] = []

    def _limit_memory(self):
        resource.setrlimit(resource.RLIMIT_AS, (self.memory_bytes, self.memory_bytes))

    def _start(self) -> None:
        python = ensure_environment(self.env)
        env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", OMP_NUM_THREADS="2", **runtime_environ(self.env))
        env.pop("VIRTUAL_ENV", None)
        self.proc = subprocess.Popen(
            [str(python), "-m", "compat_tests.worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=env, cwd=str(ROOT), preexec_fn=self._limit_memory,
        )
        self.lines = queue.Queue()
        self.stderr_tail = []
        threading.Thread(target=self._pump, args=(self.proc, self.lines), daemon=True).start()
        threading.Thread(target=self._pump_stderr, args=(self.proc,), daemon=True).start()

    @staticmethod
    def _pump(proc, lines):
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    def _pump_stderr(self, proc):
        for line in proc.stderr:
            self.stderr_tail = (self.stderr_tail + [line.rstrip()])[-20:]

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def request(self, payload: dict, timeout: float = DEFAULT_TIMEOUT) -> Reply:
        try:
            if self.proc is None or self.proc.poll() is not None:
                self._start()
        except EnvUnavailable as exc:
            return Reply("not-installed", error=exc.reason + (f"; fix: {exc.fix}" if exc.fix else ""))
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
            self.proc = None
            name = signal.Signals(-code).name if code < 0 else f"exit code {code}"
            tail = " | ".join(self.stderr_tail[-3:])
            return Reply("crash", error=f"worker died: {name}" + (f" ({tail})" if tail else ""))
        answer = json.loads(line)
        if answer.get("ok"):
            return Reply("ok", result=answer["result"], seconds=answer.get("seconds", 0.0))
        return Reply("error", error=answer.get("error", ""), traceback=answer.get("traceback", ""), seconds=answer.get("seconds", 0.0))


class WorkerPool:
    """One worker per environment, started on first use."""

    def __init__(self):
        self.workers: dict[str, Worker] = {}

    def get(self, env: str) -> Worker:
        if env not in self.workers:
            self.workers[env] = Worker(env)
        return self.workers[env]

    def close(self) -> None:
        for worker in self.workers.values():
            worker.stop()
