"""Per reader, what it did with the hostile archives: the README's reliability table, from a results file.

    python -m compat_tests report reliability results.json
"""

from __future__ import annotations

from collections import Counter, defaultdict

from zipstore_compat.compat_tests.outcomes import REFUSED
from zipstore_compat.core.outcomes import outcome_class

COLUMNS = ["as a correct reader", "of which: refused the whole archive", "raised where intact data was",
           "partial", "crashed", "memory cap", "hung (timeout)", "returned garbage (wrong-data)", "other"]


def category(cell: dict) -> list[str]:
    outcome, message = cell["outcome"], cell.get("message", "")
    if outcome == "pass":
        return ["as a correct reader"] + (["of which: refused the whole archive"] if message.startswith(REFUSED) else [])
    if outcome == "crash":
        # a crash at a memory limit (the worker's cap, or a runtime's own heap limit below it) is the one rule's `limit`
        return ["memory cap" if outcome_class(outcome, message) == "limit" else "crashed"]
    return [{"error": "raised where intact data was", "partial": "partial", "timeout": "hung (timeout)",
             "wrong-data": "returned garbage (wrong-data)"}.get(outcome, "other")]


def table(payload: dict) -> str:
    """One row per reader; a reader that cannot read the undamaged hostile-baseline is listed apart:
    its refusals of the damaged archives say nothing about how it handles damage."""
    counts: dict[str, Counter] = defaultdict(Counter)
    totals: Counter = Counter()
    baseline: dict[str, dict] = {}
    for cell in payload["cells"]:
        if cell["fixture"] == "hostile-baseline":
            baseline[cell["reader"]] = cell
        if not cell["fixture"].startswith("hostile-") or cell["fixture"] == "hostile-baseline":
            continue
        totals[cell["reader"]] += 1
        for name in category(cell):
            counts[cell["reader"]][name] += 1
    lines = ["| reader | hostile archives | " + " | ".join(COLUMNS) + " |", "|---|" + "---|" * (len(COLUMNS) + 1)]
    apart = []
    for reader in sorted(totals):
        base = baseline.get(reader)
        if base is not None and base["outcome"] != "pass":
            apart.append(f"`{reader}` ({base['outcome']})")
            continue
        lines.append(f"| `{reader}` | {totals[reader]} | " + " | ".join(str(counts[reader][c] or "") for c in COLUMNS) + " |")
    if apart:
        lines += ["", "Not counted, because they cannot read the undamaged store (`hostile-baseline`) either: " + "; ".join(apart) + "."]
    return "\n".join(lines)
