"""The outcomes of a cell: the one list of their names, their order and which are loud.

The meanings are in ../shared/DESIGN.md and the legend of the HTML table
(compat_tests/reports/html.py LEGEND, whose keys a test holds to this list).
"""

from __future__ import annotations

PASS = "pass"
OUTCOMES = ("pass", "partial", "wrong-data", "silent-missing", "error", "crash", "timeout", "unsupported", "not-installed",
            "fixture-error", "unjudged")
# every outcome but pass: what a matrix.yaml entry may expect (unjudged is decided by the run, never expected)
NON_PASS = tuple(o for o in OUTCOMES if o not in (PASS, "unjudged"))
# for a user the call worked and the data is wrong or gone: shown as loudly as each output can
LOUD = ("wrong-data", "silent-missing")
# how bad an outcome is, for "regressed" and "newly passing" (report diff)
RANK = {"pass": 0, "partial": 1, "unsupported": 2, "not-installed": 2, "fixture-error": 2, "unjudged": 2,
        "error": 3, "timeout": 3, "crash": 4, "wrong-data": 5, "silent-missing": 5}
# outcomes that say nothing about the reader: the harness could not run the cell
NOT_TESTED = ("not-installed", "fixture-error")

assert set(RANK) == set(OUTCOMES), "every outcome has a rank"
