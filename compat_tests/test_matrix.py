"""The reader matrix: one test per cell (<reader>--<fixture>), parametrized by compat_tests.plugin."""

from __future__ import annotations

from pathlib import Path

import pytest

from compat_tests.cells import CellResult, cell_id, repro_command, report_bug_command, run_cell
from compat_tests.checks import reconcile, unjudgeable
from compat_tests.expectations import expectation_for

pytestmark = pytest.mark.skipif("not config.pluginmanager.has_plugin('compat_tests.plugin')", reason="run with -p compat_tests.plugin (python -m compat_tests run)")


def test_cell(cell, request, worker_pool, describe, matrix_entries):
    reader, fixture_id = cell
    config = request.config
    folder = Path(config.getoption("--fixtures-dir"))
    archive, manifest = folder / f"{fixture_id}.zip", folder / f"{fixture_id}.manifest.json"
    facts = _manifest_facts(manifest)
    if manifest.exists() and archive.exists() and facts["unjudgeable"]:
        result = CellResult(cell_id(reader.id, fixture_id), reader.id, fixture_id, "fixture-error", facts["unjudgeable"])
    elif manifest.exists() and archive.exists():
        result = run_cell(reader, fixture_id, archive.resolve(), manifest.resolve(), worker_pool, describe,
                          timeout=config.getoption("--cell-timeout"))
    else:
        error = folder / f"{fixture_id}.error.json"
        why = error.read_text(encoding="utf-8") if error.exists() else f"{archive} was not built (run ./run fixtures build)"
        result = CellResult(cell_id(reader.id, fixture_id), reader.id, fixture_id, "fixture-error", why)
    if facts["skipped"]:
        result.notes.append("not checked, the reference could not decode them: " + "; ".join(f"{k}: {v}" for k, v in facts["skipped"].items()))
    expected = expectation_for(result.cell, matrix_entries)
    result.outcome = reconcile(result.outcome, expected.outcome)
    as_expected = result.outcome == expected.outcome
    description = describe(reader) or {}
    request.node._zipcompat_record = {
        **result.to_json(),
        "expected": expected.outcome,
        "as_expected": as_expected,
        "reason": expected.reason,
        "link": expected.link,
        "tags": facts["tags"],
        "reference": facts["reference"],
        "library": reader.library,
        "call": reader.call,
        "versions": description.get("versions"),
        "repro": repro_command(result.cell),
        "report_bug": report_bug_command(result.cell) if result.outcome != "pass" else None,
    }
    summary = f"{result.outcome}: {result.message}"
    if result.outcome == "wrong-data" and not as_expected:
        pytest.fail(f"WRONG DATA (not expected by matrix.yaml): {result.message}; repro: {repro_command(result.cell)}", pytrace=False)
    if as_expected:
        if expected.outcome != "pass":
            pytest.xfail(f"{expected.outcome} as matrix.yaml says ({expected.link}): {result.message[:300]}")
        return
    text = f"UNEXPECTED {summary} (matrix.yaml: {expected.outcome}{' ' + expected.link if expected.link else ''}); repro: {repro_command(result.cell)}"
    if config.getoption("--strict-expectations"):
        pytest.fail(text, pytrace=False)
    pytest.xfail(text)


def _manifest_facts(manifest: Path) -> dict:
    """The fixture's tags, and which reference its truth comes from (external and user archives)."""
    import json

    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"tags": [], "reference": None, "skipped": {}, "unjudgeable": None}
    return {"tags": data.get("tags", []), "reference": data.get("reference", "manifest written with the archive"),
            "skipped": data.get("reference_skipped") or {}, "unjudgeable": unjudgeable(data)}
