"""The outcomes of a cell: the one list of their names, their order and which are loud.

The meanings are in ../shared/DESIGN.md and the legend of the HTML table
(compat_tests/reports/html.py LEGEND, whose keys a test holds to this list).
"""

from __future__ import annotations

PASS = "pass"
OUTCOMES = ("pass", "partial", "wrong-data", "silent-missing", "error", "crash", "timeout", "slow", "unsupported", "not-installed",
            "fixture-error", "unjudged")
# slow: the answer comes, but slower than the cell limit; measured once (matrix.yaml `measured`), not run at every run
# what such a measured answer may be: a correct read, or a refusal that only comes after the time (netCDF-C's
# quadratic walk of a Zarr 3 store's keys before it says the file is no Zarr it knows)
SLOW_ANSWERS = ("pass", "partial", "error")
# every outcome but pass: what a matrix.yaml entry may expect (unjudged is decided by the run, never expected)
NON_PASS = tuple(o for o in OUTCOMES if o not in (PASS, "unjudged"))
# for a user the call worked and the data is wrong or gone: shown as loudly as each output can
LOUD = ("wrong-data", "silent-missing")
# how bad an outcome is, for "regressed" and "newly passing" (report diff)
RANK = {"pass": 0, "partial": 1, "unsupported": 2, "not-installed": 2, "fixture-error": 2, "unjudged": 2,
        "error": 3, "timeout": 3, "slow": 2, "crash": 4, "wrong-data": 5, "silent-missing": 5}
# outcomes that say nothing about the reader: the harness could not run the cell
NOT_TESTED = ("not-installed", "fixture-error")

assert set(RANK) == set(OUTCOMES), "every outcome has a rank"

MEMORY_CAP_MARK = "memory cap reached at"   # how a cell that ended on a worker's memory cap says so (core/limits.py)
HEAP_LIMIT_MARK = "heap limit reached"      # ... and one that ended on its runtime's own heap limit (node's V8), below the cap
LIMIT_MARKS = (MEMORY_CAP_MARK, HEAP_LIMIT_MARK)


def outcome_class(outcome: str, message: str = "") -> str:
    """What must come out the same on every run (expectations, the determinism check): the outcome, except that a
    reader stopped by a limit is `limit` whichever came first, the harness's time limit, its memory cap or the
    reader's runtime's own heap limit (node's V8 heap, below the cap): which of them a reader that never ends reaches
    first depends on the machine's load, not on the reader (zarrita.js on 10^7 chunks: a timeout at 60 s on most runs,
    V8's "JavaScript heap out of memory" at 56 s on one of 2026-12-07)."""
    if outcome == "timeout" or (outcome == "crash" and any(mark in (message or "") for mark in LIMIT_MARKS)):
        return "limit"
    return outcome
