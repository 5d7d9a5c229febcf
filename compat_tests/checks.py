"""Compare what a reader returned with the manifest: the checks and the outcome."""

from __future__ import annotations

from dataclasses import dataclass, field

from zipstore_compat.compat_tests.attempts import normalise, plan

IGNORED_ATTRS = {"_ARRAY_DIMENSIONS", "_FillValue", "_NCProperties", "_nczarr_attr"}

@dataclass
class Verdict:
    outcome: str                       # pass | partial | wrong-data | silent-missing | error
    failed: list[str] = field(default_factory=list)   # one line per failed check
    checks: int = 0
    values_right: int = 0              # arrays whose values equal the manifest's
    cf: dict[str, dict] = field(default_factory=dict)  # arrays read right as their CF decoding: what it did (cf_effect)

    @property
    def message(self) -> str:
        return "; ".join(self.failed[:6]) + (f"; ... {len(self.failed) - 6} more" if len(self.failed) > 6 else "")


def _attrs_equal(expected, got) -> bool:
    if isinstance(expected, float) and isinstance(got, (int, float)):
        return expected == got or (expected != expected and got != got)
    if isinstance(expected, list) and hasattr(got, "__len__") and not isinstance(got, str):
        return len(expected) == len(got) and all(_attrs_equal(e, g) for e, g in zip(expected, got))
    return expected == got


def cf_match(expected: dict, got: dict) -> str | None:
    """How a reader's values equal the CF decoding of the manifest's (docs/reference/cf-decoding.md): "decoded"
    (masked, scaled, times as dates), "untimed" (masked and scaled, times left as numbers), or None."""
    decoded = expected.get("cf")
    if not decoded or not got.get("cf_sha256"):
        return None
    if got["cf_sha256"] == decoded["sha256"]:
        return "decoded"
    if decoded.get("untimed_sha256") and got["cf_sha256"] == decoded["untimed_sha256"]:
        return "untimed"
    return None


def cf_effect(decoded: dict, how: str) -> dict:
    """What CF decoding did to one array, for the cell's cf_effects (docs/results-schema.md)."""
    return {"masked": decoded["masked"], "masked_real": decoded.get("masked_real"), "mask_values": decoded.get("mask_values", []),
            "scaled": decoded.get("scale_factor") is not None or decoded.get("add_offset") is not None,
            "times": (decoded.get("times") or {}).get("calendar") if how == "decoded" else None}


def judge(manifest: dict, result: dict, decodes_cf: bool = False) -> Verdict:
    """pass: every check holds; wrong-data: a reader returned values that differ;
    silent-missing: the call returned without raising, but the library has no
    such array for some of the manifest's (an empty Dataset, a group without
    its variables); error: the reader raised for every array; partial: some
    arrays, attributes or names are missing or wrong, the values read are right.

    decodes_cf: the reader declares that it decodes CF by default (compat_tests/readers.py): an
    array whose values equal the CF decoding of the manifest's (its `cf` entry) is right too, and
    the attributes the decoding consumes (units and calendar of decoded times, _FillValue, ...) are
    not asked for. Any other reader is judged on the raw values.
    """
    failed, wrong, silent, checks, right, decoded_as_cf = [], [], [], 0, 0, {}
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
        if "missing" in got:  # the library answered "no such array" without raising
            silent.append(f"{path} ({got['missing']})")
            continue
        if "error" in got:
            failed.append(f"{path}: {got['error']}")
            continue
        checks += 4
        if got["shape"] != expected["shape"]:
            wrong.append(f"{path}: shape {got['shape']} != {expected['shape']}")
            continue
        how = cf_match(expected, got) if decodes_cf else None
        consumed: set[str] = set()
        also = f"; CF decoding would give {expected['cf']['preview'][:4]}" if decodes_cf and expected.get("cf") else ""
        if how:
            right += 1
            decoded_as_cf[path] = cf_effect(expected["cf"], how)
            consumed = set(expected["cf"].get("consumed_attributes", []))
            if how == "untimed":
                consumed -= {"units", "calendar"}
            slice_digest = expected["cf"]["slice_sha256" if how == "decoded" else "untimed_slice_sha256"]
            if got.get("cf_slice_read_sha256") is not None and got["cf_slice_read_sha256"] != slice_digest:
                wrong.append(f"{path}: slice {expected['slice']} differs from the full read's")
        elif got["dtype_class"] != expected["dtype_class"]:
            if got["sha256"] == expected["sha256"] or got.get("sha256_cast") == expected["sha256"]:
                failed.append(f"{path}: dtype {got['dtype_class']} instead of {expected['dtype_class']} (same values)")
                right += 1
            else:
                wrong.append(f"{path}: dtype {got['dtype_class']} != {expected['dtype_class']}, values {got['preview'][:3]} vs {expected['preview'][:3]}{also}")
            continue
        elif got["sha256"] != expected["sha256"]:
            wrong.append(f"{path}: values differ (got {got['preview'][:4]}, expected {expected['preview'][:4]}; NaNs {got.get('nan_count')} vs {expected.get('nan_count')}){also}")
            continue
        else:
            right += 1
            if got.get("slice_read_sha256") is not None and got["slice_read_sha256"] != expected["slice_sha256"]:
                wrong.append(f"{path}: slice {expected['slice']} differs from the full read's")
        if got.get("attrs") is not None:  # None: the reader has no way to show metadata
            bad = [k for k, v in expected["attributes"].items()
                   if k not in IGNORED_ATTRS and k not in consumed and not _attrs_equal(v, got["attrs"].get(k))]
            if bad:
                failed.append(f"{path}: attributes {', '.join(bad[:4])} missing or different")
            if expected["dimension_names"] and got.get("dims") != expected["dimension_names"]:
                failed.append(f"{path}: dimensions {got.get('dims')} != {expected['dimension_names']}")
    if wrong:
        return Verdict("wrong-data", wrong + failed, checks, right, decoded_as_cf)
    if silent:
        raised = sum(1 for p in expected_paths if p not in result["arrays"] or "error" in result["arrays"][p])
        returned = len(expected_paths) - len(silent) - raised
        head = (f"opened without error, returned {returned} of {len(expected_paths)} arrays; no such array: "
                + ", ".join(silent[:3]) + (f" and {len(silent) - 3} more" if len(silent) > 3 else ""))
        return Verdict("silent-missing", [head] + failed, checks, right, decoded_as_cf)
    if expected_paths and all(p not in result["arrays"] or "error" in result["arrays"][p] for p in expected_paths):
        return Verdict("error", failed, checks, right, decoded_as_cf)
    if failed:
        return Verdict("partial", failed, checks, right, decoded_as_cf)
    return Verdict("pass", [], checks, right, decoded_as_cf)


@dataclass
class Attempt:
    label: str                 # "default" or the option set tried
    outcome: str
    message: str = ""
    failed: list[str] = field(default_factory=list)
    values_right: int = 0
    docs: tuple[str, ...] = ()
    cf: dict[str, dict] = field(default_factory=dict)   # Verdict.cf: arrays read right as their CF decoding
    opened: bool = False       # the library opened the archive and answered (the worker's status was ok)

    def note(self, number: int) -> str:
        docs = f" [{' '.join(d for d in self.docs if d)}]" if any(self.docs) else ""
        return (f"attempt {number} ({self.label}){docs}: {self.outcome}" + (f": {self.message}" if self.message else ""))[:500]

    def score(self) -> tuple:
        """Lower is better: a read (pass, then partial) before anything else, then more arrays right, fewer failed checks."""
        return (0 if self.outcome == "pass" else 1 if self.outcome == "partial" else 2, -self.values_right, len(self.failed))

    def depth(self) -> tuple:
        """How far a failing attempt got (higher is further): it opened the archive, then how many arrays it read right."""
        return (self.opened, self.values_right, -len(self.failed))


@dataclass
class Decision:
    outcome: str
    message: str
    option: str | None          # the option set the outcome needs (None: the default call)
    failed: list[str]
    attempts: list[Attempt]
    cf_effects: dict[str, dict] = field(default_factory=dict)   # per array read as its CF decoding: what the decoding did

    def __iter__(self):  # outcome, message, option, failed = decide(...)
        return iter((self.outcome, self.message, self.option, self.failed))

    @property
    def notes(self) -> list[str]:
        """One line per attempt, when options were tried; one line on CF decoding, when values were read decoded."""
        lines = [a.note(i) for i, a in enumerate(self.attempts, 1)] if len(self.attempts) > 1 else []
        return lines + ([cf_note(self.cf_effects)] if self.cf_effects else [])


def cf_note(effects: dict[str, dict]) -> str:
    """One line: what CF decoding did to the values the reader returned ("decoded as CF: N values masked as NaN, ...")."""
    masked = {p: e["masked"] for p, e in effects.items() if e["masked"]}
    parts = []
    if masked:
        each = f" ({', '.join(f'{p} {n:,}' for p, n in masked.items())})" if len(masked) > 1 else f" ({next(iter(masked))})"
        parts.append(f"{sum(masked.values()):,} values masked as NaN{each}")
        real = [e["masked_real"] for e in effects.values() if e["masked"] and e.get("masked_real") is not None]
        if real and sum(real):
            parts[0] += f", {sum(real):,} of them real data values (their source declares no such missing value)"
    widened = [p for p, e in effects.items() if e["mask_values"] and not e["masked"] and not e.get("times")]
    if widened:
        parts.append(f"nothing masked, values as floats ({', '.join(widened[:4])})")
    calendars = sorted({e["times"] for e in effects.values() if e.get("times")})
    if calendars:
        timed = [p for p, e in effects.items() if e.get("times")]
        parts.append(f"times as dates ({', '.join(calendars)}: {', '.join(timed[:4])})")
    if any(e.get("scaled") for e in effects.values()):
        parts.append("packed values unpacked (scale_factor/add_offset)")
    avoid: dict[str, list[str]] = {}
    for path, e in effects.items():
        if e.get("avoid"):
            avoid.setdefault(e["avoid"]["label"], []).append(path)
    if avoid:
        parts.append("the stored values, as documented: " + "; ".join(
            f"{label}" + (f" ({', '.join(paths[:4])})" if len(avoid) > 1 else "") for label, paths in avoid.items()))
    return ("decoded as CF: " + "; ".join(parts))[:500]


def avoiding_option(effect: dict, declared: list) -> dict | None:
    """The first documented option of the reader (its FALLBACKS, with `avoids`) that gives the stored values back
    where the CF decoding changed them: {"label", "doc"}, or None when the reader documents none."""
    needed = set()
    if effect["mask_values"] and (effect["masked"] or not effect["times"]):   # masked values, or a type widened to hold them
        needed.add("zarr_fill_mask" if all(m.get("from") == "zarr_fill_value" for m in effect["mask_values"]) else "mask")
    if effect["scaled"]:
        needed.add("scale")
    if effect["times"]:
        needed.add("times")
    for option in declared:
        avoids = set(option.get("avoids") or ()) if isinstance(option, dict) else set()
        if avoids and needed <= (avoids | ({"zarr_fill_mask"} if "mask" in avoids else set())):
            return {"label": option["label"], "doc": option.get("doc", "")}
    return None


STOP = "stop"  # the status retry() answers when the cell's time for options is spent


def _attempt(manifest: dict, label: str, status: str, payload, docs=(), decodes_cf: bool = False) -> Attempt:
    if status == "ok":
        verdict = judge(manifest, payload, decodes_cf)
        return Attempt(label, verdict.outcome, verdict.message, verdict.failed, verdict.values_right, tuple(docs), verdict.cf, opened=True)
    return Attempt(label, status, str(payload), [], 0, tuple(docs))


def decide(manifest: dict, first: tuple[str, object], declared: list, retry, decodes_cf: bool = False) -> Decision:
    """The outcome of a cell: the best over the default call and the reader's documented options.

    first and retry(options) give (status, payload): status "ok" with the worker's
    summary, or a failure status ("error", "crash", "timeout", ...) with its
    message; retry answers STOP when the cell's time for options is spent.
    Options (attempts.plan) are tried only when the default does not pass; a
    crash or a timeout of the default is the finding and is not retried. An
    attempt replaces the default only if it reads (pass or partial) and reads
    more than the default; a pass with options is `partial` naming them. When
    no attempt reads and the default raised, the message leads with the attempt
    that got furthest (it opened the archive: the limit a user meets once the
    archive is named right), the outcome staying the default's.
    decodes_cf: the reader's declaration (judge); the decision's cf_effects name, per array read as its
    CF decoding, the documented option that gives the stored values (avoiding_option).
    """
    default = _attempt(manifest, "default", *first, decodes_cf=decodes_cf)
    attempts = [default]
    if default.outcome in ("partial", "wrong-data", "silent-missing", "error"):
        for option_set in plan(declared, manifest):
            status, payload = retry(option_set.options)
            if status == STOP:
                attempts.append(Attempt(option_set.label, "not tried", str(payload)))
                break
            attempts.append(_attempt(manifest, option_set.label, status, payload, option_set.docs, decodes_cf))
            if attempts[-1].outcome == "pass":
                break  # the first (smallest) option set that gives everything
    reads = [a for a in attempts[1:] if a.outcome in ("pass", "partial")]
    best = min(reads, key=Attempt.score, default=None)  # the earliest of equals
    normalised = [normalise(d) for d in declared]

    def effects(attempt: Attempt) -> dict[str, dict]:
        return {path: dict(effect, avoid=avoiding_option(effect, normalised)) for path, effect in attempt.cf.items()}

    if best is None or best.score() >= default.score():
        furthest = max(attempts, key=Attempt.depth)  # the earliest of equals: the default when nothing got further
        if default.outcome == "error" and furthest.depth() > default.depth():
            message = f"furthest with {furthest.label}: {furthest.outcome}: {furthest.message}; by default: {default.message}"
            return Decision(default.outcome, message, None, default.failed, attempts, effects(default))
        return Decision(default.outcome, default.message, None, default.failed, attempts, effects(default))
    by_default = f"by default: {default.outcome}: {default.message}"
    if best.outcome == "pass":
        return Decision("partial", f"passes only with {best.label}; {by_default}", best.label, [], attempts, effects(best))
    return Decision("partial", f"with {best.label}: {best.message}; {by_default}", best.label, best.failed, attempts, effects(best))


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


def unchecked(manifest: dict) -> dict[str, str]:
    """Arrays the archive holds that no cell checks (the reference could not decode them), with the reason."""
    return dict(manifest.get("reference_skipped") or {})
