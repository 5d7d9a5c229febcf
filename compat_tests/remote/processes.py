"""What the servers' processes share: they die with the process that started them (Linux PR_SET_PDEATHSIG)."""

from __future__ import annotations

import ctypes
import signal

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """preexec_fn of a server process: SIGKILL when its parent (the pytest process) dies, so none is left behind."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:  # not glibc: the session's own stop() still ends it
        pass
