"""The cell time limit rule, in one place: a base (60 s, ZIPCOMPAT_CELL_TIMEOUT) plus 2 ms per ZIP entry.

Reading 70,000 chunks one by one legitimately takes a minute or more; a flat
limit close to that would turn machine load into outcomes. The matrix, the
reference reading, repro bundles and bug-report scripts all use this rule.
"""

from __future__ import annotations

import os

from core.outcomes import MEMORY_CAP_MARK

DEFAULT_CELL_SECONDS = float(os.environ.get("ZIPCOMPAT_CELL_TIMEOUT", "60"))
SECONDS_PER_ENTRY = 0.002
DESCRIBE_SECONDS = 120.0  # a worker's first answer (`describe`) includes importing its library
MAX_ENTRIES_COUNTED = 200_000  # an archive's claimed entry count is not trusted past this (hostile input)


MEMORY_CAP_PREFIX = MEMORY_CAP_MARK  # how a cell that ended on a worker's memory cap says so


def memory_cap_message(memory_gib: float, what: str) -> str:
    return f"{MEMORY_CAP_PREFIX} {memory_gib:g} GiB: {what}"


def cell_time_limit(entries: int = 0, base: float | None = None) -> float:
    """The time limit of a cell on an archive of `entries` ZIP entries."""
    base = DEFAULT_CELL_SECONDS if base is None else base
    return base + SECONDS_PER_ENTRY * min(max(int(entries or 0), 0), MAX_ENTRIES_COUNTED)
