"""The fault server: the server faults nginx cannot make, on 127.0.0.1 in front of nginx (standard library only).

    python -m compat_tests.remote.fault_server --upstream-port N --log FILE

binds a free port of 127.0.0.1 (printed as the first line of its stdout), and answers
/<fault>/<token>/<archive> by asking nginx for /c/<token>/<archive> (same method, same Range), so nginx's
access log still counts what reached nginx, and passing the answer on, changed by the fault
(compat_tests/remote/plan.py FAULTS). Each request it answers is one JSON line of its log: the token,
the fault, the method and Range, what it answered and what it did ("passed", "answered 503", ...).

Bounded: the upstream request and each client connection have a time limit, a body is relayed in
blocks up to its Content-Length, at most MAX_CONNECTIONS connections are served at once, and the
process dies with its parent (PR_SET_PDEATHSIG) or on SIGTERM.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import struct
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"
UPSTREAM_SECONDS = 10.0
CLIENT_SECONDS = 30.0
BLOCK = 1 << 16
MAX_CONNECTIONS = 64
LENGTH_LIE = 1024          # head-length-differs: HEAD says this many bytes more than the body has
PASSED_HEADERS = ("Content-Type", "Content-Length", "Content-Range", "Accept-Ranges", "Last-Modified", "ETag")
FAULTS = ("head-no-length", "head-length-differs", "transient-503", "closed-mid-body", "short-body")


class State:
    """What the server has done per token (the faults that happen once), and its log."""

    def __init__(self, log_path: str):
        self.lock = threading.Lock()
        self.seen: dict[tuple[str, str], int] = {}
        self.log = open(log_path, "a", encoding="utf-8", buffering=1)

    def first(self, token: str, what: str) -> bool:
        """True the first time `what` happens for `token`."""
        with self.lock:
            count = self.seen.get((token, what), 0)
            self.seen[(token, what)] = count + 1
            return count == 0

    def record(self, **fields) -> None:
        with self.lock:
            self.log.write(json.dumps(fields) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = CLIENT_SECONDS
    server_version = "zipcompat-fault-server"
    sys_version = ""

    def log_message(self, format, *args):  # the JSON log is the record; nothing on stderr per request
        pass

    def do_HEAD(self):
        self.answer("HEAD")

    def do_GET(self):
        self.answer("GET")

    def answer(self, method: str) -> None:
        parts = self.path.split("?", 1)[0].split("/")
        if len(parts) != 4 or parts[1] not in FAULTS:
            self.plain(404, b"not a fault URL\n")
            self.note(method, "", "", 404, 0, "not a fault URL")
            return
        _, fault, token, name = parts
        wanted = self.headers.get("Range", "")
        state: State = self.server.state
        if fault == "transient-503" and state.first(token, "any request"):
            self.plain(503, b"Service Unavailable (transient)\n")
            self.note(method, fault, token, 503, 0, "answered 503 (the first request of this token)", wanted)
            return
        try:
            upstream = http.client.HTTPConnection(HOST, self.server.upstream_port, timeout=UPSTREAM_SECONDS)
            upstream.request(method, f"/c/{token}/{name}", headers={"Range": wanted} if wanted else {})
            reply = upstream.getresponse()
        except OSError as exc:
            self.plain(502, b"upstream unavailable\n")
            self.note(method, fault, token, 502, 0, f"nginx did not answer: {exc}", wanted)
            return
        try:
            self.relay(method, fault, token, wanted, reply)
        finally:
            upstream.close()

    def relay(self, method: str, fault: str, token: str, wanted: str, reply) -> None:
        state: State = self.server.state
        headers = [(k, v) for k, v in reply.getheaders() if k.lower() in (h.lower() for h in PASSED_HEADERS)]
        length = int(reply.getheader("Content-Length") or 0)
        action, close, cut = "passed", False, None
        if method == "HEAD" and fault == "head-no-length":
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            action, close = "answered HEAD without Content-Length", True
        elif method == "HEAD" and fault == "head-length-differs" and reply.status == 200:
            headers = [(k, str(int(v) + LENGTH_LIE) if k.lower() == "content-length" else v) for k, v in headers]
            action = f"answered HEAD with Content-Length {length + LENGTH_LIE} (the body has {length})"
        elif method == "GET" and fault in ("closed-mid-body", "short-body") and length >= 2 and state.first(token, "a GET with a body"):
            cut = length // 2
            how = "reset the connection (RST)" if fault == "closed-mid-body" else "closed the connection (FIN)"
            action, close = f"sent {cut} of {length} body bytes, then {how}", True
        self.send_response(reply.status)
        for key, value in headers:
            self.send_header(key, value)
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        sent = 0
        if method == "GET":
            limit = length if cut is None else cut
            while sent < limit:
                block = reply.read(min(BLOCK, limit - sent))
                if not block:
                    break
                self.wfile.write(block)
                sent += len(block)
            self.wfile.flush()
        self.note(method, fault, token, reply.status, sent, action, wanted)
        if cut is not None:
            if fault == "closed-mid-body":  # SO_LINGER 0: close() sends RST instead of FIN
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                self.connection.shutdown(socket.SHUT_WR)
            self.close_connection = True
        elif close:
            self.close_connection = True

    def plain(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def note(self, method, fault, token, status, body_bytes, action, wanted=""):
        self.server.state.record(token=token, fault=fault, method=method, range=wanted, status=status,
                                 body_bytes=body_bytes, action=action)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = MAX_CONNECTIONS

    def __init__(self, upstream_port: int, log_path: str):
        super().__init__((HOST, 0), Handler)
        self.upstream_port, self.state = upstream_port, State(log_path)
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def process_request(self, request, client_address):
        if not self.slots.acquire(timeout=CLIENT_SECONDS):
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


def main(argv=None) -> int:
    import signal

    parser = argparse.ArgumentParser(prog="python -m compat_tests.remote.fault_server")
    parser.add_argument("--upstream-port", type=int, required=True, help="nginx's port on 127.0.0.1")
    parser.add_argument("--log", required=True, help="the JSON-lines record of what the server did")
    args = parser.parse_args(argv)
    server = Server(args.upstream_port, args.log)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
