"""Debian's nginx, serving the built fixtures on 127.0.0.1, with a generated config; its access log counts.

One nginx process (`master_process off`, `daemon off`: it dies with the process that started it), on a
free port of 127.0.0.1 and nowhere else, its pid, logs and temporary folders in a folder of ours; no
default site (the config is ours alone, `-c`). Every URL is /<location>/<token>/<archive>: the token is
the cell attempt's own, so each access-log line belongs to one cell; the location is `c` (well-behaved) or
one of the faults nginx's own configuration makes (compat_tests/remote/plan.py FAULTS).

The access log (JSON lines: $request, $http_range, $status, $bytes_sent, $body_bytes_sent, $request_time,
the method and the URI) is the one source of request and byte counts.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from zipstore_compat.compat_tests.remote.logs import JsonLinesLog
from zipstore_compat.compat_tests.remote.processes import die_with_parent

PLAIN = "c"
HOST = "127.0.0.1"
# the faults nginx makes itself: location name -> directives inside it
NGINX_FAULTS = {
    "range-ignored": "max_ranges 0;",                                   # Range ignored: 200 with the whole body
    "head-refused": "if ($request_method = HEAD) { return 405; }",
    "suffix-416": 'if ($http_range ~ "^bytes=-") { return 416; }',
}
LOG_FIELDS = {  # access-log field -> nginx variable (strings; numbers are converted when read)
    "request": "$request", "method": "$request_method", "uri": "$uri", "range": "$http_range", "status": "$status",
    "bytes_sent": "$bytes_sent", "body_bytes_sent": "$body_bytes_sent", "request_time": "$request_time",
    "connection": "$connection", "msec": "$msec",
}
TOKEN = r"[A-Za-z0-9_.-]+"
START_SECONDS = 10.0     # nginx answers on its port within this, or the start failed
STOP_SECONDS = 5.0


class ServerUnavailable(RuntimeError):
    """The server cannot run here; carries the command that fixes it."""

    def __init__(self, reason: str, fix: str = ""):
        self.reason, self.fix = reason, fix
        super().__init__(reason + (f"; fix: {fix}" if fix else ""))


def config_text(port: int | str, fixtures: Path | str, folder: Path | str) -> str:
    """The whole nginx configuration (no include of Debian's: no default site, no other server)."""
    log_format = "{" + ",".join(f'"{k}":"{v}"' for k, v in LOG_FIELDS.items()) + "}"
    locations = "".join(
        f"""
    location ~ ^/{name}/(?<token>{TOKEN})/(?<name>[^/]+)$ {{
      {directives}
      alias {fixtures}/$name;
    }}""" for name, directives in {PLAIN: "", **NGINX_FAULTS}.items())
    return f"""# written by compat_tests/remote/nginx.py for one pytest process; 127.0.0.1 only
worker_processes 1;
master_process off;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
  log_format zipcompat escape=json '{log_format}';
  access_log {folder}/access.log zipcompat;
  client_body_temp_path {folder}/client_body;
  proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi;
  scgi_temp_path {folder}/scgi;
  types {{ application/zip zip ozx; }}
  default_type application/octet-stream;
  sendfile on;
  keepalive_timeout 30s;
  keepalive_requests 100000;
  server_tokens off;
  server {{
    listen {HOST}:{port};
    server_name localhost;
    autoindex off;
    location / {{ return 404; }}{locations}
  }}
}}
"""


def template() -> str:
    """The configuration with its per-run values left as placeholders: part of a remote cell's cache key."""
    return config_text("PORT", "FIXTURES", "FOLDER")


def binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def version(path: str | None = None) -> str:
    """`nginx -v` ("" when there is no nginx)."""
    path = path or binary()
    if not path:
        return ""
    proc = subprocess.run([path, "-v"], capture_output=True, text=True, timeout=30)
    return (proc.stderr or proc.stdout).strip().removeprefix("nginx version: ")


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def prepare_line(line: dict) -> str:
    """An access-log line with numbers as numbers, its location and token split out of the URI; returns the token."""
    for key in ("status", "bytes_sent", "body_bytes_sent", "connection"):
        line[key] = int(line.get(key) or 0)
    line["request_time"] = float(line.get("request_time") or 0)
    line["msec"] = float(line.get("msec") or 0)
    parts = line.get("uri", "").split("/")
    line["location"], line["token"] = (parts[1], parts[2]) if len(parts) > 3 else ("", "")
    return line["token"]


class Nginx:
    """One nginx for one pytest process."""

    def __init__(self, fixtures: Path, folder: Path, path: str | None = None):
        self.fixtures, self.folder = Path(fixtures).resolve(), Path(folder)
        self.path = path or binary()
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.log = JsonLinesLog(self.folder / "access.log", prepare_line)

    def start(self, attempts: int = 3) -> None:
        if not self.path:
            raise ServerUnavailable("nginx is not installed", "apt-get install -y nginx")
        self.folder.mkdir(parents=True, exist_ok=True)
        for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.folder / temp).mkdir(exist_ok=True)
        last = ""
        for _ in range(attempts):  # another process may take the free port between our probe and nginx's bind
            self.port = free_port()
            config = self.folder / "nginx.conf"
            config.write_text(config_text(self.port, self.fixtures, self.folder), encoding="utf-8")
            self.proc = subprocess.Popen([self.path, "-p", str(self.folder), "-c", str(config), "-e", str(self.folder / "error.log")],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                         preexec_fn=die_with_parent)
            deadline = time.monotonic() + START_SECONDS
            while time.monotonic() < deadline and self.proc.poll() is None:
                if answers(self.port):
                    return
                time.sleep(0.02)
            last = self._failure()
            self.stop()
            if "Address already in use" not in last:
                break
        raise ServerUnavailable(f"nginx did not start: {last}", f"{self.path} -t -c {self.folder / 'nginx.conf'}")

    def _failure(self) -> str:
        text = ""
        if self.proc and self.proc.poll() is not None and self.proc.stderr:
            text = self.proc.stderr.read().decode("utf-8", "replace")
        log = self.folder / "error.log"
        if log.exists():
            text += log.read_text(encoding="utf-8", errors="replace")[-2000:]
        lines = [line for line in text.strip().splitlines() if line.strip()]
        return lines[-1] if lines else f"no answer on {HOST}:{self.port} within {START_SECONDS:g} s"

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: the access log is complete
            try:
                self.proc.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def url(self, token: str, name: str, location: str = PLAIN) -> str:
        if not re.fullmatch(TOKEN, token):
            raise ValueError(f"token {token!r} is not URL-safe")
        return f"http://{HOST}:{self.port}/{location}/{token}/{name}"

    def requests(self, token: str) -> list[dict]:
        """The access-log lines of one token, once nginx has written them."""
        self.log.settle()
        return self.log.lines_of(token)
