"""core/: defined once, imported by all (that it imports nothing of ours: tests/test_structure.py)."""

from __future__ import annotations

import ast
from pathlib import Path

from zipstore_compat.core import limits, outcomes

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_the_data_flows_one_way():
    """datasets -> fixtures -> compat_tests -> reports, and the products (doctor/) beside: no package imports one downstream of it."""
    downstream = {"datasets": {"fixtures", "compat_tests", "doctor"}, "fixtures": {"compat_tests", "doctor"}, "compat_tests": {"doctor"}}
    for package, forbidden in downstream.items():
        for path in (ROOT / package).rglob("*.py"):
            assert not _imports(path) & forbidden, f"{path.relative_to(ROOT)} imports {_imports(path) & forbidden}"


def test_every_outcome_has_a_word_in_every_report():
    from zipstore_compat.compat_tests.reports.html import LABEL, LEGEND
    from zipstore_compat.compat_tests.reports.markdown import SYMBOL

    for table in (LABEL, LEGEND, SYMBOL):
        assert set(table) == set(outcomes.OUTCOMES), set(table) ^ set(outcomes.OUTCOMES)


def test_the_cell_time_limit_rule():
    assert limits.cell_time_limit(0, base=60) == 60
    assert limits.cell_time_limit(70_014, base=60) == 60 + 0.002 * 70_014
    assert limits.cell_time_limit(10**9, base=60) == 60 + 0.002 * limits.MAX_ENTRIES_COUNTED  # a hostile claim is capped


def test_the_serve_loop_answers_each_line_and_a_raise_is_its_answer():
    """core.serve, the loop of every worker: one answer a line, in order; what a request raises is its answer."""
    import json
    import subprocess
    import sys

    program = ("import sys\nfrom core.serve import serve\n"
               "def answer(request):\n    print('chatter on stdout')\n"
               "    if request['x'] == 'boom': raise ValueError('boom')\n"
               "    if request['x'] == 'cap': raise MemoryError('cap')\n"
               "    return {'ok': True, 'result': request['x'], **({'seconds': 9} if request['x'] == 'timed' else {})}\n"
               "sys.exit(serve(answer))\n")
    proc = subprocess.run([sys.executable, "-c", program], input="\n".join(json.dumps({"x": x}) for x in (1, "boom", "cap", "timed")) + "\n",
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    answers = [json.loads(line) for line in proc.stdout.splitlines()]
    assert proc.returncode == 0 and len(answers) == 4 and proc.stderr.count("chatter on stdout") == 4
    assert answers[0]["ok"] and answers[0]["result"] == 1 and answers[0]["seconds"] >= 0
    assert answers[1]["ok"] is False and answers[1]["error"] == "ValueError: boom" and "in answer" in answers[1]["traceback"]
    assert answers[2]["memory"] is True and answers[2]["error"] == "MemoryError: cap"
    assert answers[3]["seconds"] == 9   # the handler's own figure is kept
