"""Shrink a failing cell to the smallest archive that fails the same way.

A failure's *signature* is its outcome (with the option a partial cell needs)
and the kinds of its failed checks on the array it is about: the exception
type, or the check that failed ("values differ", "not listed", "dtype", ...).
A candidate archive reproduces the failure when the reader, run in its
worker on that archive, gives the same signature.

Steps are tried greedily in a fixed order, each from the smallest archive
that has reproduced so far; every step is recorded, kept or not.
"""

from __future__ import annotations

import fcntl
import os
import re
import time
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Callable

from zipstore_compat.bugreport.tiny import MiniArray, MiniDataset, TinyBuildError, cached_tiny, needed_groups
from zipstore_compat.compat_tests.cells import CellResult
from zipstore_compat.compat_tests.checks import reconcile
from zipstore_compat.fixtures.variants import BASELINE

EXCEPTION = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Warning|Failure|Interrupt|Fault))\b")
CHECK_KINDS = ("not listed", "not read", "values differ", "dtype", "shape", "slice", "attributes", "dimensions",
               "could not summarise values")


def failure_kind(text: str, _inner: bool = True) -> str:
    """What kind of failure one failed-check line (without its array path) or a cell message is.

    A message that starts with an array's path ("time: ArrayNotFoundError: ...", as a partial cell's
    "by default:" part does) is the kind of what follows the path.
    """
    text = text.strip()
    match = EXCEPTION.match(text)
    if match:
        return match.group(1).rsplit(".", 1)[-1]
    for kind in CHECK_KINDS:
        if text.startswith(kind):
            return kind
    head, _, rest = text.partition(": ")
    if _inner and rest and " " not in head:
        inner = failure_kind(rest, _inner=False)
        if EXCEPTION.match(rest.strip()) or inner in CHECK_KINDS:
            return inner
    return text.split(":", 1)[0][:60]


@dataclass(frozen=True)
class Signature:
    outcome: str                 # the cell's outcome (after matrix.yaml's reconcile)
    option: str | None           # the non-default option a partial cell needs
    kinds: frozenset[str]        # kinds of the failed checks on the array, or of the cell's error

    def __str__(self) -> str:
        return f"{self.outcome}" + (f" (passes only with {self.option})" if self.option else "") + f": {', '.join(sorted(self.kinds)) or 'no failed check'}"


def failed_array(result: CellResult | dict, paths: list[str]) -> str | None:
    """The first array a failed check names (longest path first: 'train/images' before 'train')."""
    details = result["details"] if isinstance(result, dict) else result.details
    for line in details:
        for path in sorted(paths, key=len, reverse=True):
            if line.startswith(f"{path}: ") or (line.startswith("not listed: ") and path in line[12:].split(", ")):
                return path
    return None


def signature(result: CellResult | dict, path: str | None, expected_outcome: str) -> Signature:
    """The signature of a cell result about array `path` (None: the cell-level failure)."""
    get = (lambda k: result.get(k)) if isinstance(result, dict) else (lambda k: getattr(result, k))
    outcome = reconcile(get("outcome"), expected_outcome)
    details = get("details") or []
    kinds = set()
    if path is not None:
        for line in details:
            if line.startswith(f"{path}: "):
                kinds.add(failure_kind(line[len(path) + 2:]))
            elif line.startswith("not listed: ") and path in line[12:].replace(" ...", "").split(", "):
                kinds.add("not listed")
    if not kinds:
        message = get("message") or ""
        default = re.search(r"by default: [\w-]+: (.*)", message)
        kinds.add(failure_kind(default.group(1) if default else message))
    return Signature(outcome, get("option"), frozenset(kinds))


@dataclass
class Step:
    name: str                    # what this step tried, in words
    kept: bool
    signature: str               # what the candidate showed (or why it could not be built)
    archive_bytes: int | None = None
    entries: int | None = None
    arrays: str = ""
    seconds: float = 0.0

    def to_json(self) -> dict:
        return self.__dict__.copy()


@dataclass
class ShrinkResult:
    target: Signature
    mini: MiniDataset | None             # None: no tiny archive reproduced; the original is used
    archive: Path | None
    manifest: Path | None
    steps: list[Step] = field(default_factory=list)
    message: str = ""                    # what the reader said on the archive kept
    focus: str | None = None             # the array the failure is about, in the archive kept
    stopped: str | None = None           # why the shrinking stopped early (its time bound), if it did


class HeavyLock:
    """The machine's heavy-work lock (a file named by ZIPCOMPAT_HEAVY_LOCK), held per batch of trials.

    Taken before a trial when not held; released once it has been held for
    `hold` seconds, so that others get their turn. Without the variable it does nothing.
    """

    def __init__(self, hold: float = 150.0):
        self.path, self.hold = os.environ.get("ZIPCOMPAT_HEAVY_LOCK"), hold
        self.handle, self.since = None, 0.0

    def __enter__(self):
        return self

    def take(self) -> None:
        if self.handle is not None and time.monotonic() - self.since > self.hold:
            self.release()
        if self.path and self.handle is None:
            self.handle = open(self.path, "a")
            fcntl.flock(self.handle, fcntl.LOCK_EX)
            self.since = time.monotonic()

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None

    def __exit__(self, *exc):
        self.release()


# ---- the steps: each maps a mini-dataset to a smaller one, or None when it does not apply ----

def _cut(array: MiniArray, shape: list[int], chunks: list[int]) -> MiniArray:
    region = tuple(slice(0, n) for n in shape)
    same_grid = list(chunks) == list(array.record["chunks"])
    grid = [-(-n // c) if c else 0 for n, c in zip(shape, chunks)]
    missing = [m for m in array.record.get("missing_chunks", []) if same_grid and all(i < g for i, g in zip(m, grid))]
    return array.with_(data=array.data[region], chunks=list(chunks), missing_chunks=missing)


def _map_arrays(mini: MiniDataset, change: Callable[[MiniArray], MiniArray | None]) -> MiniDataset | None:
    arrays = tuple(change(a) for a in mini.arrays)
    if any(a is None for a in arrays) or all(_same(a, b) for a, b in zip(arrays, mini.arrays)):
        return None
    return replace(mini, arrays=arrays, groups=needed_groups(mini.groups, arrays))


def _same(a: MiniArray, b: MiniArray) -> bool:
    return a.path == b.path and a.shape == b.shape and a.record == b.record and a.data.dtype == b.data.dtype


def few_chunks(mini):
    """at most two chunks along each dimension"""
    return _map_arrays(mini, lambda a: _cut(a, [min(n, 2 * c) for n, c in zip(a.shape, a.record["chunks"])], a.record["chunks"]))


def small_chunks(mini):
    """chunks of at most 2 along each dimension, two chunks along each"""
    def change(a):
        chunks = [max(1, min(c, 2)) for c in a.record["chunks"]]
        return _cut(a, [min(n, 2 * c) for n, c in zip(a.shape, chunks)], chunks)
    return _map_arrays(mini, change)


def one_chunk(mini):
    """one chunk"""
    return _map_arrays(mini, lambda a: _cut(a, [min(n, c) for n, c in zip(a.shape, a.record["chunks"])], a.record["chunks"]))


def at_root(mini):
    """the array at the root, not in a group"""
    names = [a.path.rsplit("/", 1)[-1] for a in mini.arrays]
    if len(set(names)) != len(names):
        return None
    return _map_arrays(mini, lambda a: a.with_(path=a.path.rsplit("/", 1)[-1]))


def no_attributes(mini):
    """no attributes (array and groups)"""
    smaller = _map_arrays(mini, lambda a: a.with_(attrs={}))
    if smaller is None and not any(mini.groups.values()):
        return None
    return replace(smaller or mini, groups={g: {} for g in mini.groups})


def no_dimension_names(mini):
    """no dimension names"""
    return _map_arrays(mini, lambda a: a.with_(dims=None))


def no_fill_value(mini):
    """no fill value"""
    return _map_arrays(mini, lambda a: a.with_(fill_value=None))


ARRAY_STEPS = [few_chunks, small_chunks, one_chunk, at_root, no_attributes, no_dimension_names, no_fill_value]


def property_steps(mini: MiniDataset) -> list[tuple[str, Callable]]:
    """One step per variant property that departs from the baseline: set it back, keep it if the failure stays."""
    steps = []
    for f in fields(mini.variant):
        if f.name in ("writer", "layout"):
            continue
        if getattr(mini.variant, f.name) != getattr(BASELINE, f.name):
            value = getattr(BASELINE, f.name)
            steps.append((f"{f.name}={value} instead of {getattr(mini.variant, f.name)}",
                          lambda m, n=f.name, v=value: replace(m, variant=replace(m.variant, **{n: v}))))
    if mini.variant.layout != BASELINE.layout:
        steps.append((f"layout=root instead of {mini.variant.layout}", lambda m: replace(m, variant=replace(m.variant, layout="root"))))
    if mini.variant.writer != BASELINE.writer:
        steps.append((f"writer={BASELINE.writer} (zarr-python 3 ZipStore) instead of {mini.variant.writer}",
                      lambda m: replace(m, variant=replace(m.variant, writer=BASELINE.writer, layout="root"))))
    return steps


def array_subsets(arrays: tuple[MiniArray, ...], focus: str | None) -> list[tuple[str, tuple[MiniArray, ...]]]:
    """Fewer arrays: the focus array alone, else halves of the set, smallest first."""
    if focus is not None:
        alone = tuple(a for a in arrays if a.path == focus)
        return [(f"only the array {focus}", alone)] if alone and len(arrays) > 1 else []
    by_size = sorted(arrays, key=lambda a: a.data.size)
    out = []
    if len(by_size) > 1:
        out.append((f"only the smallest array, {by_size[0].path}", (by_size[0],)))
    half = by_size[: max(1, len(by_size) // 2)]
    if 1 < len(half) < len(by_size):
        out.append((f"the {len(half)} smallest arrays", tuple(half)))
    return out


@dataclass(frozen=True)
class Try:
    name: str                    # what this step tries, in words
    candidate: MiniDataset
    focus: str | None            # the array the failure is about, in the candidate


def plan(start: MiniDataset, focus: str | None):
    """The greedy shrinking plan: yields the next Try; is sent whether it reproduced the failure (kept)."""
    current = None
    for name, arrays in array_subsets(start.arrays, focus):
        candidate = replace(start, arrays=arrays, groups=needed_groups(start.groups, arrays))
        candidate = few_chunks(candidate) or candidate
        if (yield Try(name, candidate, focus if focus in {a.path for a in arrays} else None)):
            current = candidate
            break
    if current is None:  # fewer arrays did not reproduce: shrink every array of the dataset instead
        candidate = few_chunks(start)
        if candidate is not None and (yield Try("every array, at most two chunks along each dimension", candidate, focus)):
            current = candidate
    if current is None:
        return
    for step in ARRAY_STEPS:
        candidate = step(current)
        if candidate is not None:
            focus_now = _follow(focus, current, candidate)
            if (yield Try(step.__doc__, candidate, focus_now)):
                current, focus = candidate, focus_now
    for name, step in property_steps(current):
        candidate = step(current)
        if not candidate.variant.problems(candidate.kind) and (yield Try(name, candidate, focus)):
            current = candidate


class Shrinker:
    """One cell's shrinking, driven from outside: `pending` is the next try; `tell(...)` gives what the reader showed.

    `budget` bounds the seconds spent running tries: past it the shrinking stops with the smallest
    archive that reproduced so far (`stopped` says so).
    """

    def __init__(self, start: MiniDataset, focus: str | None, target: Signature, budget: float | None = None):
        self.result = ShrinkResult(target, None, None, None)
        self.budget, self.spent, self.stopped = budget, 0.0, None
        self._plan = plan(start, focus)
        self.pending: Try | None = self._next(None)

    def _next(self, kept: bool | None) -> Try | None:
        try:
            return next(self._plan) if kept is None else self._plan.send(kept)
        except StopIteration:
            return None

    def tell(self, archive: Path | None, manifest: Path | None, got: Signature | None, message: str = "",
             seconds: float = 0.0, not_built: str | None = None) -> Step:
        t = self.pending
        assert t is not None, "no try is pending"
        if not_built is not None or archive is None:
            step = Step(t.name, False, f"not built: {not_built}"[:300], arrays=t.candidate.describe())
        else:
            kept = got == self.result.target
            step = Step(t.name, kept, str(got), archive.stat().st_size, _entries(archive), t.candidate.describe())
            if kept:
                r = self.result
                r.mini, r.archive, r.manifest, r.message, r.focus = t.candidate, archive, manifest, message, t.focus
        step.seconds = round(seconds, 2)
        self.result.steps.append(step)
        self.spent += seconds
        if self.budget is not None and self.spent > self.budget:
            self.stopped = f"stopped after {len(self.result.steps)} tries: the {self.budget:g} s bound for running tries was spent"
            self.pending = None
        else:
            self.pending = self._next(step.kept)
        return step


def shrink(start: MiniDataset, focus: str | None, target: Signature, run: Callable[[Path, Path, str | None], tuple[Signature, str]],
           out: Path | None = None, log=lambda msg: None, lock: HeavyLock | None = None, budget: float | None = None) -> ShrinkResult:
    """Greedy shrinking from `start` (the fixture's dataset and variant) while run(...) gives `target`.

    run(archive, manifest, focus path) runs the reader in its worker on a candidate: (its signature, its message).
    Candidates are built into (or taken from) the tiny-archive cache; `out` is not used any more.
    """
    shrinker = Shrinker(start, focus, target, budget)
    while shrinker.pending is not None:
        t = shrinker.pending
        n = len(shrinker.result.steps) + 1
        if lock is not None:
            lock.take()
        started = time.perf_counter()
        try:
            archive, manifest = cached_tiny(t.candidate)
        except TinyBuildError as exc:
            step = shrinker.tell(None, None, None, seconds=time.perf_counter() - started, not_built=str(exc))
        else:
            got, message = run(archive, manifest, t.focus)
            step = shrinker.tell(archive, manifest, got, message, seconds=time.perf_counter() - started)
        log(f"  step {n}: {t.name}: {'kept' if step.kept else 'dropped'} ({step.signature}"
            + (f", {step.archive_bytes} bytes" if step.archive_bytes else "") + ")")
    if shrinker.stopped:
        log(f"  {shrinker.stopped}")
    shrinker.result.stopped = shrinker.stopped
    return shrinker.result


def _follow(focus: str | None, before: MiniDataset, after: MiniDataset) -> str | None:
    """Where the focus array is after a step (at_root renames it)."""
    if focus is None:
        return None
    for a, b in zip(before.arrays, after.arrays):
        if a.path == focus:
            return b.path
    return focus


def _entries(archive: Path) -> int:
    import zipfile

    with zipfile.ZipFile(archive) as zf:
        return len(zf.infolist())
