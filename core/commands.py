"""How a command of the suite names itself in its usage lines.

Each product runs as `python -m <package>` (bugreport, repro, bench, repofiles)
and also behind the harness's command hub, `python -m compat_tests COMMAND`,
which forwards the command line with sys.argv[0] set to its own words
("python -m compat_tests report-bug"): what a program was called by is what
its usage line says.
"""

from __future__ import annotations

import sys

FORWARDED = "python -m "   # how sys.argv[0] starts when the hub forwarded the command line


def program_name(module: str) -> str:
    """`python -m <module>`, or the hub's words when `python -m compat_tests` forwarded the command line."""
    first = sys.argv[0] if sys.argv else ""
    return first if first.startswith(FORWARDED) else f"python -m {module}"
