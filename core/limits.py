"""The cell time limit rule, in one place: a base (60 s, ZIPCOMPAT_CELL_TIMEOUT) plus 2 ms per ZIP entry;
and the memory cap of a worker (a third of the machine's memory, ZIPCOMPAT_WORKER_MEMORY_GIB).

Reading 70,000 chunks one by one legitimately takes a minute or more; a flat
limit close to that would turn machine load into outcomes. The matrix, the
reference reading, repro bundles and bug-report scripts all use this rule.
"""

from __future__ import annotations

import os
from pathlib import Path

from zipstore_compat.core.outcomes import HEAP_LIMIT_MARK, MEMORY_CAP_MARK

DEFAULT_CELL_SECONDS = float(os.environ.get("ZIPCOMPAT_CELL_TIMEOUT", "60"))
SECONDS_PER_ENTRY = 0.002
DESCRIBE_SECONDS = 120.0  # a worker's first answer (`describe`) includes importing its library
MAX_ENTRIES_COUNTED = 200_000  # an archive's claimed entry count is not trusted past this (hostile input)


MEMORY_CAP_PREFIX = MEMORY_CAP_MARK  # how a cell that ended on a worker's memory cap says so


def memory_cap_message(memory_gib: float, what: str) -> str:
    return f"{MEMORY_CAP_PREFIX} {memory_gib:g} GiB: {what}"


def heap_limit_message(said: str, what: str) -> str:
    """A worker that died on its runtime's own heap limit (node's V8 heap), below the worker's memory cap."""
    return f"{HEAP_LIMIT_MARK} (the runtime's own, below the worker's memory cap: {said}): {what}"


def cell_time_limit(entries: int = 0, base: float | None = None) -> float:
    """The time limit of a cell on an archive of `entries` ZIP entries."""
    base = DEFAULT_CELL_SECONDS if base is None else base
    return base + SECONDS_PER_ENTRY * min(max(int(entries or 0), 0), MAX_ENTRIES_COUNTED)


MEMORY_SHARE = 1 / 3   # of the machine's memory (or of the cgroup's limit), per worker


def machine_memory_bytes() -> int:
    """Physical memory, or the cgroup's limit when that is lower (containers, CI runners)."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(limit_file).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            total = min(total, int(text))
    return total


def default_memory_gib() -> float:
    """ZIPCOMPAT_WORKER_MEMORY_GIB, else a third of the machine's memory.

    Two cells run at once on a 2-core machine (one per core); two workers at
    their cap then leave a third of the memory to the orchestrator and the
    system. On a 24 GiB machine that is 8 GiB, on a 7 GiB CI runner 2.3 GiB.
    """
    configured = os.environ.get("ZIPCOMPAT_WORKER_MEMORY_GIB")
    if configured:
        return float(configured)
    return round(machine_memory_bytes() * MEMORY_SHARE / 2**30, 1)
