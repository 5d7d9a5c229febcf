"""core/: defined once, imported by all, importing nothing of ours."""

from __future__ import annotations

import ast
from pathlib import Path

from core import limits, outcomes

ROOT = Path(__file__).resolve().parent.parent
OURS = ("compat_tests", "fixtures", "datasets", "envs", "tests", "doctor")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_core_imports_nothing_of_ours():
    for path in (ROOT / "core").glob("*.py"):
        assert not _imports(path) & set(OURS), f"{path.name} imports {_imports(path) & set(OURS)}"


def test_the_data_flows_one_way():
    """datasets -> fixtures -> compat_tests -> reports, and the products (doctor/) beside: no package imports one downstream of it."""
    downstream = {"datasets": {"fixtures", "compat_tests", "doctor"}, "fixtures": {"compat_tests", "doctor"}, "compat_tests": {"doctor"}}
    for package, forbidden in downstream.items():
        for path in (ROOT / package).rglob("*.py"):
            assert not _imports(path) & forbidden, f"{path.relative_to(ROOT)} imports {_imports(path) & forbidden}"


def test_every_outcome_has_a_word_in_every_report():
    from compat_tests.reports.html import LABEL, LEGEND
    from compat_tests.reports.markdown import SYMBOL

    for table in (LABEL, LEGEND, SYMBOL):
        assert set(table) == set(outcomes.OUTCOMES), set(table) ^ set(outcomes.OUTCOMES)


def test_the_cell_time_limit_rule():
    assert limits.cell_time_limit(0, base=60) == 60
    assert limits.cell_time_limit(70_014, base=60) == 60 + 0.002 * 70_014
    assert limits.cell_time_limit(10**9, base=60) == 60 + 0.002 * limits.MAX_ENTRIES_COUNTED  # a hostile claim is capped
