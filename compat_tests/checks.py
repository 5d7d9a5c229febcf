"""Compare what a reader returned with the manifest: the checks and the outcome."""

from __future__ import annotations

from dataclasses import dataclass, field

IGNORED_ATTRS = {"_ARRAY_DIMENSIONS", "_FillValue", "_NCProperties", "_nczarr_attr"}


@dataclass
class Verdict:
    outcome: str                       # pass | partial | wrong-data | error
    failed: list[str] = field(default_factory=list)   # one line per failed check
    checks: int = 0

    @property
    def message(self) -> str:
        return "; ".join(self.failed[:6]) + (f"; ... {len(self.failed) - 6} more" if len(self.failed) > 6 else "")


def _attrs_equal(expected, got) -> bool:
    if isinstance(expected, float) and isinstance(got, (int, float)):
        return expected == got or (expected != expected and got != got)
    if isinstance(expected, list) and hasattr(got, "__len__") and not isinstance(got, str):
        return len(expected) == len(got) and all(_attrs_equal(e, g) for e, g in zip(expected, got))
    return expected == got


def judge(manifest: dict, result: dict) -> Verdict:
    """pass: every check holds; wrong-data: a reader returned values that differ;
    partial: some arrays, attributes or names are missing or wrong, values right."""
    failed, wrong, checks = [], [], 0
    listed = result.get("listed")
    expected_paths = [a["path"] for a in manifest["arrays"]]
    if listed is not None:
        checks += 1
        listed_paths = set(listed)
        missing = [p for p in expected_paths if p not in listed_paths]
        if missing:
            failed.append(f"not listed: {', '.join(missing[:4])}" + (" ..." if len(missing) > 4 else ""))
    for expected in manifest["arrays"]:
        path = expected["path"]
        got = result["arrays"].get(path)
        checks += 1
        if got is None:
            failed.append(f"{path}: {result['errors'].get(path, 'not read')}")
            continue
        if "error" in got:
            failed.append(f"{path}: {got['error']}")
            continue
        checks += 4
        if got["shape"] != expected["shape"]:
            wrong.append(f"{path}: shape {got['shape']} != {expected['shape']}")
            continue
        if got["dtype_class"] != expected["dtype_class"]:
            if got["sha256"] == expected["sha256"] or got.get("sha256_cast") == expected["sha256"]:
                failed.append(f"{path}: dtype {got['dtype_class']} instead of {expected['dtype_class']} (same values)")
            else:
                wrong.append(f"{path}: dtype {got['dtype_class']} != {expected['dtype_class']}, values {got['preview'][:3]} vs {expected['preview'][:3]}")
            continue
        if got["sha256"] != expected["sha256"]:
            wrong.append(f"{path}: values differ (got {got['preview'][:4]}, expected {expected['preview'][:4]}; NaNs {got.get('nan_count')} vs {expected.get('nan_count')})")
            continue
        if got.get("slice_read_sha256") is not None and got["slice_read_sha256"] != expected["slice_sha256"]:
            wrong.append(f"{path}: slice {expected['slice']} differs from the full read's")
        if got.get("attrs") is not None:  # None: the reader has no way to show metadata
            bad = [k for k, v in expected["attributes"].items() if k not in IGNORED_ATTRS and not _attrs_equal(v, got["attrs"].get(k))]
            if bad:
                failed.append(f"{path}: attributes {', '.join(bad[:4])} missing or different")
            if expected["dimension_names"] and got.get("dims") != expected["dimension_names"]:
                failed.append(f"{path}: dimensions {got.get('dims')} != {expected['dimension_names']}")
    if wrong:
        return Verdict("wrong-data", wrong + failed, checks)
    if expected_paths and all(p not in result["arrays"] or "error" in result["arrays"][p] for p in expected_paths):
        return Verdict("error", failed, checks)
    if failed:
        return Verdict("partial", failed, checks)
    return Verdict("pass", [], checks)


def decide(manifest: dict, first: tuple[str, object], fallbacks: list, retry) -> tuple[str, str, str | None, list[str]]:
    """The outcome of a cell from its first reading and, if that fails, the reader's fallbacks.

    first and retry(options) give (status, payload): status "ok" with the worker's
    summary, or a failure status ("error", "crash", "timeout", ...) with its message.
    Returns (outcome, message, option that made it pass or None, failed checks).
    """
    status, payload = first
    if status == "ok":
        verdict = judge(manifest, payload)
        outcome, message, failed = verdict.outcome, verdict.message, verdict.failed
    else:
        outcome, message, failed = status, str(payload), []
    if outcome in ("partial", "wrong-data", "error"):
        # a crash or a timeout is the finding: no second try that could hide it
        for label, options in fallbacks:
            retry_status, retry_payload = retry(options)
            if retry_status == "ok" and judge(manifest, retry_payload).outcome == "pass":
                return "partial", f"passes only with {label}; by default: {outcome}: {message}", label, failed
    return outcome, message, None, failed


def reconcile(actual: str, expected_outcome: str) -> str:
    """The outcome to report: an error that matrix.yaml declares `unsupported` is that."""
    if expected_outcome == "unsupported" and actual == "error":
        return "unsupported"
    return actual


def unjudgeable(manifest: dict) -> str | None:
    """Why no cell of this archive can be judged (the reference decoded none of its arrays), else None."""
    skipped = manifest.get("reference_skipped") or {}
    if manifest.get("arrays") or not skipped:
        return None
    return "the reference reading decoded no array of this archive, so no cell can be judged: " + "; ".join(f"{k}: {v}" for k, v in skipped.items())
