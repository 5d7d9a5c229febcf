"""The outcome of a cell, the one entry point for the matrix and repro bundles: judge_cell.

Three kinds of manifest:
- an ordinary fixture: compat_tests.checks.decide (every array must be read right);
- a hostile fixture ("hostile" in the manifest): each array says what a
  correct reader does with it ("expect"): "read" (intact: read it right),
  "refuse" (its data is not there or is corrupt: a clean exception is right,
  returning any values without an error is wrong-data), or "either" (reading
  the manifest's values or refusing cleanly are both right, other values are
  wrong-data). "refusal_ok" says whether refusing the whole archive is right;
- an unjudged archive ("unjudged": the reference could not read it): the
  cell says what the reader did. A crash or a timeout is what it is; a clean
  exception or a return is `unjudged`, with what it raised or listed.

Imports only the standard library and compat_tests.checks: bundles carry it.
"""

from __future__ import annotations

from zipstore_compat.compat_tests.checks import Decision, decide, judge, reconcile, unjudgeable

REFUSED = "refused the archive cleanly"


def judge_cell(manifest: dict, attempt, fallbacks: list, expected_outcome: str | None = None, decodes_cf: bool = False) -> Decision:
    """From a reader's answers to the cell's judged outcome: the one way, for the matrix (compat_tests.cells.run_cell)
    and for repro bundles (their repro.py).

    attempt(options) asks the reader, {} for the default call and then each option set the plan tries
    (compat_tests.attempts), and gives (status, payload): "ok" with the worker's summary, or a failure status
    ("error", "crash", "timeout", ...) with its message; it may answer checks.STOP when the cell's time for
    options is spent. An archive whose reference reading decoded no array is `fixture-error`, and the reader is
    not asked. expected_outcome is matrix.yaml's for the cell (judged() applies it); None gives the outcome as
    the reader made it, which the matrix keeps in its result cache and judges when it records the cell.
    decodes_cf: the reader declares it decodes CF by default (compat_tests/readers.py): judged against the CF
    decoding of the manifest's values too (hostile and unjudged manifests carry none).
    """
    why = unjudgeable(manifest)
    if why and not manifest.get("unjudged"):  # nothing the reader returns can be judged: the archive itself is the finding
        return Decision("fixture-error", why, None, [], [])
    decision = decide_cell(manifest, attempt({}), fallbacks, attempt, decodes_cf)
    if expected_outcome is not None:
        decision.outcome = judged(decision.outcome, decision.message, expected_outcome)
    return decision


def judged(outcome: str, message: str, expected_outcome: str) -> str:
    """The cell's outcome in the light of matrix.yaml's: an error declared `unsupported` is that (checks.reconcile),
    and a clean refusal of a hostile archive by a reader declared to refuse every archive is the declared outcome."""
    return declared_refusal(reconcile(outcome, expected_outcome), message, expected_outcome)


def decide_cell(manifest: dict, first: tuple[str, object], fallbacks: list, retry, decodes_cf: bool = False) -> Decision:
    """The cell's Decision (outcome, message, option or None, failed checks, attempts), as checks.decide gives it."""
    if manifest.get("unjudged"):
        return Decision(*_unjudged(manifest, first), attempts=[])
    if manifest.get("hostile"):
        return Decision(*_hostile(manifest, first), attempts=[])
    return decide(manifest, first, fallbacks, retry, decodes_cf=decodes_cf)


def _unjudged(manifest: dict, first) -> tuple[str, str, None, list[str]]:
    status, payload = first
    why = f"unjudged: the reference could not read this archive ({manifest['unjudged'][:300]})"
    if status == "ok":
        listed = payload.get("listed")
        shown = "listed no array" if not listed else f"listed {len(listed)} array(s): {', '.join(listed[:8])}" + (" ..." if len(listed) > 8 else "")
        return "unjudged", f"the reader opened it and {shown}; {why}", None, []
    if status == "error":
        return "unjudged", f"the reader raised {payload}; {why}", None, []
    return status, f"{payload}; {why}", None, []  # crash, timeout, memory cap: wrong whatever the truth


def _hostile(manifest: dict, first) -> tuple[str, str, None, list[str]]:
    status, payload = first
    hostile = manifest["hostile"]
    arrays = manifest["arrays"]
    must_read = [a for a in arrays if a.get("expect", "read") == "read"]
    if status != "ok":
        if status == "error" and (hostile.get("refusal_ok") or not must_read):
            return "pass", f"{REFUSED}: {payload}", None, []
        if status == "error":
            return "error", f"{payload} (intact arrays not read: {', '.join(a['path'] for a in must_read[:4])})", None, []
        return status, str(payload), None, []
    got = payload["arrays"]
    wrong, refused, right = [], [], []
    for expected in arrays:
        path, expect = expected["path"], expected.get("expect", "read")
        if expect == "read":
            continue
        entry = got.get(path)
        if entry is None or "error" in entry:
            refused.append(f"{path}: {(payload['errors'].get(path) if entry is None else entry['error']) or 'not read'}"[:200])
        elif expect == "either" and entry.get("sha256") == expected["sha256"] and entry.get("dtype_class") == expected["dtype_class"]:
            right.append(path)
        else:
            wrong.append(f"{path}: returned values without an error ({entry.get('preview', [])[:4]}), "
                         f"though {expected.get('why', 'its data is corrupt')}")
    failed, outcome, refused_all = [], "pass", False
    if must_read:
        verdict = judge(dict(manifest, arrays=must_read), payload)
        outcome, failed = verdict.outcome, list(verdict.failed)
        refused_all = outcome == "error" and hostile.get("refusal_ok")
    if wrong:
        return "wrong-data", "; ".join(wrong + failed)[:1500], None, wrong + failed
    if refused_all:  # every intact array refused, one by one: a refusal of the archive
        return "pass", f"{REFUSED}: " + "; ".join((failed + refused)[:4])[:1500], None, []
    if outcome != "pass":
        return outcome, "; ".join(failed)[:1500], None, failed
    said = [f"read the {len(must_read)} intact array(s)"] if must_read else []
    if right:
        said.append(f"read {', '.join(right)} as the manifest says")
    if refused:
        said.append("refused cleanly: " + "; ".join(refused[:4]))
    return "pass", "; ".join(said), None, []


def declared_refusal(outcome: str, message: str, expected_outcome: str) -> str:
    """A clean refusal of a hostile archive by a reader that matrix.yaml says refuses every such archive
    (h5py, a netCDF-C without zip support) is that declared outcome: it says nothing about hostility."""
    if outcome == "pass" and message.startswith(REFUSED) and expected_outcome in ("unsupported", "error"):
        return expected_outcome
    return outcome
