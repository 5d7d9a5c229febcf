"""How a reader's exception is said in a cell: its type and message, and for an exception group (asyncio's
TaskGroup in zarr-python 3) the exceptions inside it, which hold the real cause ("unhandled errors in a TaskGroup
(1 sub-exception)" alone says nothing a user can act on). Standard library only."""

from __future__ import annotations


def exception_text(exc: BaseException, limit: int = 4) -> str:
    text = f"{type(exc).__name__}: {exc}"
    leaves = list(_leaves(exc))
    if leaves and leaves != [exc]:
        text += " [" + "; ".join(f"{type(e).__name__}: {e}" for e in leaves[:limit]) + (f"; and {len(leaves) - limit} more" if len(leaves) > limit else "") + "]"
    return text


def _leaves(exc: BaseException):
    inner = getattr(exc, "exceptions", None)   # BaseExceptionGroup (Python 3.11+)
    if not inner:
        yield exc
        return
    for sub in inner:
        yield from _leaves(sub)
