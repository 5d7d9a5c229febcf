"""nginx and the fault server for one pytest process: started on its first remote cell, stopped at its end.

Each pytest process that runs remote cells (the one process of `-n 0`, or each xdist worker) has its own
pair, on ports of 127.0.0.1 the kernel picks: no port is shared between processes, nothing has to be
handed from the controller to the workers, and a worker that dies takes its servers with it
(PR_SET_PDEATHSIG). Starting nginx takes milliseconds; a process that runs no remote cell starts nothing.

Both come from the `web-server` environment (envs/environments.toml): Debian's nginx (installed when
root, as every environment's Debian packages are) and the Python the fault server runs in.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from zipstore_compat.compat_tests.remote import nginx
from zipstore_compat.compat_tests.remote.logs import JsonLinesLog
from zipstore_compat.compat_tests.remote.nginx import ServerUnavailable
from zipstore_compat.compat_tests.remote.plan import Case
from zipstore_compat.compat_tests.remote.processes import die_with_parent

ENVIRONMENT = "web-server"
START_SECONDS = 20.0
PACKAGE = Path(__file__).resolve().parent


def code_digest() -> str:
    """The remote machinery's code (servers, fault server, costs, the one-chunk truth): part of a remote cell's key."""
    from zipstore_compat.compat_tests.result_cache import closure

    roots = tuple(f"zipstore_compat.compat_tests.remote.{p.stem}" for p in sorted(PACKAGE.glob("*.py")) if p.stem != "__init__")
    return hashlib.sha256(repr(sorted(closure(roots).items())).encode()).hexdigest()


class RemoteServers:
    def __init__(self, fixtures: Path):
        self.fixtures = Path(fixtures)
        self.folder: Path | None = None
        self.nginx: nginx.Nginx | None = None
        self.fault_proc: subprocess.Popen | None = None
        self.fault_port = 0
        self.fault_log: JsonLinesLog | None = None
        self.failed: ServerUnavailable | None = None
        self.counter = itertools.count()
        self._key: dict | None = None

    def key(self) -> dict:
        """What a remote cell's result depends on besides the reader and the archive: nginx's release, the config
        template, and this package's code (the fault server's among it)."""
        if self._key is None:
            self._key = {"nginx": nginx.version(), "config": hashlib.sha256(nginx.template().encode()).hexdigest(),
                         "code": code_digest()}
        return self._key

    def start(self) -> None:
        """Start both servers, once; a failure is kept and raised again for every later cell (one line each)."""
        if self.failed:
            raise self.failed
        if self.nginx is not None and self.nginx.running:
            return
        try:
            self._start()
        except ServerUnavailable as exc:
            self.failed = exc
            self.stop()
            raise

    def _start(self) -> None:
        from zipstore_compat.envs import EnvUnavailable, ensure_environment

        try:
            python = ensure_environment(ENVIRONMENT)  # Debian's nginx, installed when root
        except EnvUnavailable as exc:
            raise ServerUnavailable(f"the web server cannot run here: {exc.reason}", exc.fix) from None
        self.folder = Path(tempfile.mkdtemp(prefix="zipcompat-nginx-"))
        self.nginx = nginx.Nginx(self.fixtures, self.folder)
        self.nginx.start()
        self._start_fault_server(str(python))
        self._key = None  # nginx may have been installed just now

    def _start_fault_server(self, python: str) -> None:
        from zipstore_compat.core.processes import child_environ

        log = self.folder / "faults.log"
        self.fault_log = JsonLinesLog(log, lambda line: line.get("token", ""))
        self.fault_proc = subprocess.Popen(
            [python, "-m", "zipstore_compat.compat_tests.remote.fault_server", "--upstream-port", str(self.nginx.port), "--log", str(log)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_environ(),
            preexec_fn=die_with_parent)
        first: list[str] = []
        reader = threading.Thread(target=lambda: first.append(self.fault_proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(START_SECONDS)
        line = first[0].strip() if first else ""
        if not line.isdigit():
            self.fault_proc.kill()
            error = self.fault_proc.stderr.read()[-500:] if self.fault_proc.poll() is not None else "no port within the time limit"
            raise ServerUnavailable(f"the fault server did not start: {error.strip() or line}")
        self.fault_port = int(line)

    def new_token(self) -> str:
        """A token no other attempt of this process has: its requests, and only those, carry it."""
        return f"{next(self.counter):05d}{secrets.token_hex(3)}"

    def url(self, case: Case, token: str, name: str) -> str:
        if case.made_by == "fault-server":
            return f"http://{nginx.HOST}:{self.fault_port}/{case.fault}/{token}/{name}"
        return self.nginx.url(token, name, case.fault or nginx.PLAIN)

    def requests(self, token: str) -> list[dict]:
        """What reached nginx for this token (its access log)."""
        return self.nginx.requests(token)

    def fault_actions(self, token: str) -> list[dict]:
        """What the fault server answered and did for this token (its log), read after nginx's."""
        if self.fault_log is None:
            return []
        self.fault_log.settle()
        return self.fault_log.lines_of(token)

    def stop(self) -> None:
        if self.fault_proc is not None:
            if self.fault_proc.poll() is None:
                self.fault_proc.terminate()
                try:
                    self.fault_proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.fault_proc.kill()
                    self.fault_proc.wait()
            for stream in (self.fault_proc.stdout, self.fault_proc.stderr):
                if stream:
                    stream.close()
            self.fault_proc = None
        if self.nginx is not None:
            self.nginx.stop()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
