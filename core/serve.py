"""The JSON-lines serve loop every worker of the suite runs (docs/worker-protocol.md).

One request a line on stdin, one answer a line on stdout, in order: the
reader worker (compat_tests/worker.py), the protocol shim of readers in other
languages (compat_tests/foreign_worker.py), the reference reading
(fixtures/reference_worker.py) and the benchmark's floor (bench/floor.py) all
answer through `serve`. What a request raises is its answer, never the end of
the worker: {"ok": false, "error": "Type: text" (core.errors: an exception group with the exceptions inside), "traceback": ...}, with
"memory": true when it was a MemoryError (the worker's memory cap, RLIMIT_AS,
refused an allocation). Every answer says how long it took ("seconds"), unless
the handler said so itself. While serving, sys.stdout is the standard error:
a library's chatter cannot corrupt the protocol.

Standard library only: every environment, reader workers included, runs it.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from typing import Callable

from zipstore_compat.core.errors import exception_text

ERROR_CHARS, TRACEBACK_CHARS = 2000, 4000   # what an error answer keeps of the message and of the traceback


def failure(exc: BaseException) -> dict:
    """The answer of a request that raised `exc`."""
    answer = {"ok": False, "error": exception_text(exc)[:ERROR_CHARS], "traceback": traceback.format_exc(limit=8)[-TRACEBACK_CHARS:]}
    if isinstance(exc, MemoryError):
        answer["memory"] = True
    return answer


def serve(answer: Callable[[dict], dict]) -> int:
    """Answer each JSON line of stdin with answer(request), one JSON line on stdout, until stdin ends."""
    protocol = sys.stdout
    sys.stdout = sys.stderr  # library chatter must not corrupt the protocol
    try:
        for line in sys.stdin:
            request = json.loads(line)
            started = time.perf_counter()
            try:
                reply = answer(request)
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # the request's exception is its answer (SystemExit too: a library that exits)
                reply = failure(exc)
            reply.setdefault("seconds", time.perf_counter() - started)
            protocol.write(json.dumps(reply) + "\n")
            protocol.flush()
    finally:
        sys.stdout = protocol
    return 0
