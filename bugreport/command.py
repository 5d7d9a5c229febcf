"""report-bug CELL: the minimal archive, the script, the issue text and the install line of one non-pass cell.

Writes reports/bug/<cell>/: tiny.zip (the smallest archive that fails the
same way, or the original when none does), reproduce.py (or .mjs, .sh: the
library's language; a command-line tool gets a shell script and a Python one), ISSUE.md,
install.txt and report.json (the failure's signature, every shrinking step,
and with --check what the script showed in a fresh environment).
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from zipstore_compat.core import locations
from zipstore_compat.bugreport.issue import issue_markdown, title as make_title, writer_words
from zipstore_compat.bugreport.script import EMBED_LIMIT, ScriptError, code_lines, spec_for
from zipstore_compat.bugreport.writing import FENCE, check_scripts, runtime_facts, write_scripts
from zipstore_compat.bugreport.shrink import CHECK_KINDS, HeavyLock, ShrinkResult, Signature, failed_array, shrink, signature
from zipstore_compat.bugreport.tiny import MiniArray, MiniDataset, load_dataset_arrays, needed_groups
from zipstore_compat.compat_tests.cells import Describer, run_cell, time_limit
from zipstore_compat.compat_tests.checks import IGNORED_ATTRS
from zipstore_compat.compat_tests.expectations import expectation_for, load as load_expectations
from zipstore_compat.compat_tests.readers import family_cell
from zipstore_compat.repro.bundle import ReproError, fixture_files, parse_cell
from zipstore_compat.compat_tests.workers import DEFAULT_TIMEOUT, WorkerPool
from zipstore_compat.envs import EnvUnavailable, ensure_environment
from zipstore_compat.fixtures.build import link_or_copy
from zipstore_compat.fixtures.registry import all_fixtures
from zipstore_compat.fixtures.variants import DATASET_KINDS, Variant

ROOT = Path(__file__).resolve().parents[1]
RESULTS = locations.results_file()
KIND_WORDS = {"not listed": "array not listed", "values differ": "wrong values", "shape": "wrong shape", "dtype": "another dtype",
              "attributes": "attributes missing or different", "dimensions": "dimension names missing or different"}
TRY_TIMEOUT = 20.0            # seconds: the limit of one shrinking try, unless the cell itself is a timeout
REPORTABLE = ("partial", "wrong-data", "silent-missing", "error", "crash", "timeout", "unsupported")


class ReportError(ValueError):
    """Bad input or a cell that cannot be reported: one line for the user."""


def find_record(cell: str, results: Path) -> dict:
    try:
        cells = json.loads(Path(results).read_text(encoding="utf-8"))["cells"]
    except FileNotFoundError:
        raise ReportError(f"no results file at {results}: run the matrix first, or pass --results FILE") from None
    except (OSError, ValueError, KeyError) as exc:
        raise ReportError(f"{results} is not a results file: {exc}") from None
    for record in cells:
        if record["cell"] == cell:
            return record
    raise ReportError(f"{cell} has no result in {results}: run it first (pytest --readers ... --fixture-ids ...)")


def script_outcome_for(target: Signature, record: dict) -> str:
    """What the standalone script should show: its plain call, judged on the one array it reads."""
    if target.outcome in ("timeout", "crash"):
        return target.outcome
    if target.outcome == "silent-missing":   # opened without error, the array not there: asking for it by name raises
        return "error"
    if any(kind not in CHECK_KINDS for kind in target.kinds):
        return "error"                                  # an exception, for the array or the whole call
    if "values differ" in target.kinds or "shape" in target.kinds:
        return "wrong-data"
    by_default = re.search(r"by default: ([\w-]+)", record.get("message") or "")
    return by_default.group(1) if target.option and by_default else "partial"


def _plain(message: str, archive: Path | None) -> str:
    """The reader's message with our folders taken out (a maintainer has tiny.zip, not our tree)."""
    if archive is not None:
        message = message.replace(str(archive.resolve()), "tiny.zip").replace(str(archive), "tiny.zip")
    return message.replace(str(ROOT) + "/", "")


@dataclass
class Prepared:
    """A reportable cell, ready to shrink: its record, reader, fixture files, failure signature and start dataset."""
    cell: str
    reader: object
    fixture_id: str
    record: dict
    archive: Path
    manifest_path: Path
    manifest: dict
    expected: object
    focus: str | None
    target: Signature
    start: MiniDataset | None        # None: another project's archive, reported as it is
    external: object = None          # its catalogue entry (fixtures.catalogue.ExternalArchive)
    values: object = None            # the focus array's values from the reference reading (another project's archive)


def not_reportable(record: dict) -> str | None:
    """Why a non-pass cell cannot be reported (shrunk and scripted) without running anything; None if it can be tried."""
    outcome, fixture_id = record["outcome"], record.get("fixture") or parse_cell(record["cell"])[1]
    if outcome == "pass":
        return "passes: there is no bug to report"
    if outcome not in REPORTABLE:
        return f"{outcome}, which is not a library's bug to report: {(record.get('message') or '')[:200]}"
    if fixture_id.startswith("ext-"):
        from zipstore_compat.fixtures.catalogue import catalogue

        return None if fixture_id in catalogue() else f"{fixture_id} is not in external/catalogue.toml"
    if fixture_id.startswith("hostile-"):
        return None
    if fixture_id not in all_fixtures():
        return f"{fixture_id} is not a fixture of this code base (renamed or removed since the run)"
    return None


def prepare(cell: str, results: Path = RESULTS, record: dict | None = None, lock: HeavyLock | None = None,
            describe: Describer | None = None) -> Prepared:
    """Everything a report needs before shrinking; ReportError (one line) when the cell cannot be reported."""
    try:
        reader, fixture_id = parse_cell(cell)
    except ReproError as exc:
        raise ReportError(str(exc)) from None
    record = record or find_record(cell, results)
    why = not_reportable(dict(record, fixture=fixture_id))
    if why:
        raise ReportError(f"{cell}: {why}" if record["outcome"] != "pass" else f"{cell} passes ({results}): there is no bug to report")
    spec = all_fixtures().get(fixture_id)
    if lock is not None:
        lock.take()  # a missing fixture or environment is built here
    try:
        archive, manifest_path = fixture_files(fixture_id)
        spec_for(reader)
        ensure_environment(reader.env)
    except (ReproError, ScriptError) as exc:
        raise ReportError(str(exc)) from None
    except EnvUnavailable as exc:
        raise ReportError(f"the {reader.env} environment is not available here: {exc.reason}") from None
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    expected = expectation_for(family_cell(cell), load_expectations(), reader_versions(reader, describe))
    focus = failed_array(record, [a["path"] for a in manifest["arrays"]])
    target = signature(record, focus, expected.outcome)
    if spec is None:  # not rebuilt by our writers: reported as it is
        from zipstore_compat.fixtures.catalogue import catalogue

        readable = [a for a in manifest["arrays"] if a.get("expect", "read") == "read"]
        if not readable:
            raise ReportError(f"{cell}: the reference reading cannot read {fixture_id} ({manifest.get('unjudged') or 'no arrays'}): no expected values")
        about = next((a for a in manifest["arrays"] if a["path"] == focus), None)
        if about is not None and about.get("expect", "read") != "read":
            raise ReportError(f"{cell}: the failure is about `{focus}`, which a correct reader may or must refuse ({about.get('why')}): "
                              f"a script that prints values cannot show it; use `repro {cell}`")
        hostile = _hostile_array(cell, manifest, target) if focus is None else None
        if hostile is not None:   # the crash or the hang comes from the array made hostile: the script reads that one
            record_of, values = hostile
        else:
            record_of = focus if focus is not None else min(readable, key=lambda a: math.prod(a["shape"]))["path"]
            values = reference_values(archive, record_of)
        return Prepared(cell, reader, fixture_id, record, archive, manifest_path, manifest, expected, focus, target, None,
                        catalogue().get(fixture_id), (record_of, values))
    meta, arrays = load_dataset_arrays(spec.dataset, spec.variant.zarr_format)
    start = MiniDataset(spec.dataset, DATASET_KINDS[spec.dataset], meta["groups"], tuple(arrays), spec.variant)
    return Prepared(cell, reader, fixture_id, record, archive, manifest_path, manifest, expected, focus, target, start)


def reader_versions(reader, describe: Describer | None = None) -> dict:
    """The releases the reader runs here (its worker's describe, through the caller's pool when it has one): a
    matrix.yaml entry may hold for some releases only."""
    if describe is not None:
        return (describe(reader) or {}).get("versions") or {}
    pool = WorkerPool()
    try:
        return reader_versions(reader, Describer(pool))
    finally:
        pool.close()


CONSTANT_LIMIT = 10**8    # a hostile array of one repeated value is stated as np.full(...) up to this many elements


def _hostile_array(cell: str, manifest: dict, target: Signature) -> tuple[str, np.ndarray] | None:
    """For a crash or a hang on a hostile archive: the array made hostile and the values it stands for (its fill value
    everywhere: no chunk is written); ReportError when a correct reader must refuse it (no values to expect)."""
    if target.outcome not in ("crash", "timeout"):
        return None
    entry = next((a for a in manifest["arrays"] if a.get("expect", "read") != "read"), None)
    if entry is None:
        return None
    if entry.get("expect") == "refuse" or entry.get("fill_value") is None or math.prod(entry["shape"]) > CONSTANT_LIMIT:
        raise ReportError(f"{cell}: the {target.outcome} is on `{entry['path']}`, which a correct reader must refuse ({entry.get('why')}): "
                          f"a script that prints values cannot state what to expect; use `repro {cell}`")
    return entry["path"], np.full(entry["shape"], entry["fill_value"], dtype=entry["dtype"])


_REFERENCE: list[WorkerPool] = []


def reference_values(archive: Path, array: str) -> np.ndarray:
    """One array's values as the reference reading decodes them, in its capped worker (cached by the archive's sha256)."""
    from zipstore_compat.datasets.sources import sha256_file
    from zipstore_compat.envs import cache_root

    folder = cache_root() / "bugreport-tiny" / "values"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (hashlib.sha256(f"{sha256_file(archive)}:{array}".encode()).hexdigest()[:24] + ".npy")
    if not target.exists():
        if not _REFERENCE:
            _REFERENCE.append(WorkerPool())
            atexit.register(_REFERENCE[0].close)
        reply = _REFERENCE[0].reference().request({"command": "values", "archive": str(archive), "array": array, "out": str(target) + ".part.npy"},
                                                  timeout=DEFAULT_TIMEOUT)
        if reply.status != "ok":
            raise ReportError(f"the reference reading cannot give the values of {array}: {reply.error}")
        os.replace(str(target) + ".part.npy", target)
    return np.load(target, allow_pickle=True)


def try_limit(target: Signature) -> float:
    """The time limit of one shrinking try: the cell's own for a timeout, else a shorter one (a tiny archive
    that needs more than this shows another failure, a timeout, and the try is dropped either way)."""
    return DEFAULT_TIMEOUT if target.outcome == "timeout" else min(DEFAULT_TIMEOUT, TRY_TIMEOUT)


def make_report(cell: str, out: Path | None = None, results: Path = RESULTS, run_check: bool = False, log=print,
                lock: HeavyLock | None = None, budget: float | None = None) -> dict:
    """Write the report of `cell`; `lock` (the heavy-work lock, held per batch) may be shared by several reports."""
    if lock is None:
        with HeavyLock() as own:
            return make_report(cell, out, results, run_check, log, own, budget)
    pool = WorkerPool()
    describe = Describer(pool)
    try:
        prep = prepare(cell, results, lock=lock, describe=describe)   # the same worker describes and runs the reader
        log(f"{cell}: {prep.target}" + (f" (about {prep.focus})" if prep.focus else ""))
        limit = try_limit(prep.target)

        def run(candidate: Path, candidate_manifest: Path, focus_path: str | None):
            result = run_cell(prep.reader, "tiny", candidate, candidate_manifest, pool, describe, timeout=limit)
            return signature(result, focus_path, prep.expected.outcome), result.message

        if prep.start is None:   # another project's or a hostile archive: reported as it is, nothing to shrink
            shrunk = ShrinkResult(prep.target, None, None, None)
        else:
            shrunk = shrink(prep.start, prep.focus, prep.target, run, log=log, lock=lock, budget=budget)
        describe(prep.reader)
    finally:
        pool.close()
    return write_report(prep, shrunk, Path(out) if out else None, describe.cache.get(prep.reader.id), run_check, log, lock)


def write_report(prep: Prepared, shrunk, out: Path | None, description: dict | None, run_check: bool = False, log=print,
                 lock: HeavyLock | None = None) -> dict:
    """The report folder of a prepared cell from its shrinking result: archive, script, install line, issue, report.json."""
    cell, reader, fixture_id, record = prep.cell, prep.reader, prep.fixture_id, prep.record
    archive, manifest_path, manifest, expected, focus, target, start = (prep.archive, prep.manifest_path, prep.manifest, prep.expected,
                                                                        prep.focus, prep.target, prep.start)
    outcome = record["outcome"]
    ensure_environment(reader.env)
    folder = Path(out) if out else locations.reports() / "bug" / cell
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)

    external = prep.external
    if shrunk.mini is not None:
        used_archive, used_manifest, mini, focus_now = shrunk.archive, shrunk.manifest, shrunk.mini, shrunk.focus
        message = shrunk.message
    elif start is None:  # another project's archive as published, or a hostile one: the focus array's record from its manifest
        used_archive, used_manifest, message = archive, manifest_path, record.get("message") or ""
        focus_now, values = prep.values
        entry = next(a for a in manifest["arrays"] if a["path"] == focus_now)
        dtype_name = "string" if entry["dtype"] == "string" else np.dtype(entry["dtype"]).str
        mini = MiniDataset(fixture_id, "as-is", {}, (MiniArray(focus_now, values, {
            "dtype": dtype_name, "attrs": entry.get("attributes") or {}, "dims": entry.get("dimension_names"), "chunks": entry.get("chunks"),
            "fill_value": entry.get("fill_value")}),),
            None)
    else:
        used_archive, used_manifest, mini, focus_now = archive, manifest_path, start, focus
        message = record.get("message") or ""
    tiny_zip = folder / ("tiny.zip" if shrunk.mini is not None else external.file if external is not None else archive.name)
    link_or_copy(used_archive, tiny_zip)  # the original (when nothing smaller fails) can be large: a hard link
    shutil.copyfile(used_manifest, folder / (tiny_zip.name.rsplit(".", 1)[0] + ".manifest.json"))
    used = json.loads(Path(used_manifest).read_text(encoding="utf-8"))

    # the array the failure is about; else the smallest (an error on opening shows on any array), or for a hang with no
    # array named, the largest: the cell read every array, and a small one answers in time
    pick = max if target.outcome == "timeout" else min
    focus_array = next((a for a in mini.arrays if a.path == focus_now), None) or pick(mini.arrays, key=lambda a: a.data.size)
    dtype = focus_array.record["dtype"]
    what = next(iter(sorted(k for k in target.kinds if k not in CHECK_KINDS)), None) or " and ".join(KIND_WORDS.get(k, k) for k in sorted(target.kinds))
    what = {"timeout": "no answer (hangs)", "crash": "the process crashes"}.get(target.outcome, what)
    variant = used["variant"] or {"zarr_format": used["zarr_format"]}
    title = make_title(reader.library, what, variant["zarr_format"], dtype, variant)
    if external is not None:
        title += f" made by {external.repository}"
    embed = tiny_zip.stat().st_size <= EMBED_LIMIT and external is None
    attrs = {k: v for k, v in focus_array.record["attrs"].items() if k not in IGNORED_ATTRS}
    wanted = script_outcome_for(target, record)
    scripts = write_scripts(reader, folder, title, archive=tiny_zip, embed=embed, array=focus_array.path, values=focus_array.data,
                            dtype=dtype, record=focus_array.record, attrs=attrs,
                            extra={"ZARR_FORMAT": variant["zarr_format"], "STORE_PREFIX": used["store_prefix"]},
                            download=(external.url, external.sha256) if external is not None else None, wanted=wanted)
    own = scripts[0]
    (folder / "install.txt").write_text(own.install.line() + "\n", encoding="utf-8")

    if run_check:
        check_scripts(scripts, reader.env, time_limit(DEFAULT_TIMEOUT, used), wanted, log, lock)
    checked = own.check

    runtime, plat = runtime_facts(own.spec, reader.env)
    versions = (description or {}).get("versions") or record.get("versions") or {}
    original_facts = manifest["zip"]
    hostile = used.get("hostile")
    written = (f"hand-made by zipstore-compat's fixtures/hostile.py from a small Zarr 3 store, then damaged on purpose: {hostile.get('what')} "
               f"(departs from {hostile.get('spec')}), Zarr format {variant['zarr_format']}" if hostile else
               f"made by {external.repository} (`{external.path}` at commit {external.commit[:12]}; licence {external.licence}), "
               f"downloaded by the script from {external.url} and checked by its sha256 {external.sha256}, Zarr format {variant['zarr_format']}"
               if external is not None else None)
    facts = [
        written or f"written by {writer_words(variant)} ({', '.join(f'{k} {v}' for k, v in used['writer']['versions'].items())}), Zarr format {variant['zarr_format']}",
        f"{used['zip']['entries']} ZIP entries, {', '.join(f'{n} {k}' for k, v in used['zip']['compression'].items() for n in [v])}, "
        f"root prefix {used['store_prefix']!r}, {tiny_zip.stat().st_size} bytes, sha256 {used['zip']['archive_sha256'][:16]}...",
        f"the array `{focus_array.path}`: {dtype}, shape {focus_array.shape}, chunks {focus_array.record['chunks']}",
    ]
    if hostile:
        summary = ["not made smaller: a hand-made hostile archive, already one small store (two or three arrays of a few chunks)"]
    elif external is not None:
        summary = ["not made smaller: the archive was made by another project, and our writers cannot rebuild it; it is the project's own "
                   "file, as published at that commit"]
    elif shrunk.mini is not None:
        kept = [s.name for s in shrunk.steps if s.kept]
        dropped_props = [s.name for s in shrunk.steps if not s.kept and "=" in s.name and "instead of" in s.name]
        summary = [f"cut from the suite's archive `{fixture_id}.zip` ({original_facts['archive_bytes']:,} bytes, {original_facts['entries']} entries) "
                   f"to {tiny_zip.stat().st_size:,} bytes and {used['zip']['entries']} entries in {len(shrunk.steps)} tries, each run by the library: "
                   + "; ".join(kept)]
        if dropped_props:
            summary.append("the failure goes away (or changes) with: " + "; ".join(dropped_props))
    else:
        summary = [f"no smaller archive showed the same failure ({len(shrunk.steps)} tries, see report.json): this is the suite's own archive `{fixture_id}.zip`"]
    if getattr(shrunk, "stopped", None):
        summary.append(shrunk.stopped)
    happened = _plain(message, used_archive)
    if checked is not None and checked.outcome == wanted:
        happened = checked.output
    issue = issue_markdown(
        title=title, library=reader.library, call=reader.call, versions=versions, runtime=runtime, platform=plat,
        expected=f"`{focus_array.path}` read as {dtype}, shape {focus_array.shape}, with the values the script lists"
                 + (f", the attributes {attrs}" if attrs else "") + ("" if not focus_array.record.get("dims") else f" and the dimension names {focus_array.record['dims']}") + ".",
        happened=happened, script=own.text, run_line=own.run_line, language=FENCE[own.spec.language], install=own.install.line(), embedded=embed,
        others=[f"`{w.path.name}` ({w.spec.language}: `{w.install.line()}`, then `{w.run_line}`)" for w in scripts[1:]],
        archive_facts=facts, shrink_summary=summary, link=expected.link or "(no matrix.yaml entry)", reason=expected.reason, cell=cell,
        workaround=target.option, archive_name=tiny_zip.name, download=external is not None,
        check_line=("; ".join(f"`{w.path.name}` shows `{w.check.outcome}` in a fresh environment made from its install line" for w in scripts)
                    if checked else None))
    (folder / "ISSUE.md").write_text(issue, encoding="utf-8")

    report = {
        "cell": cell, "folder": str(folder), "recorded": {"outcome": outcome, "message": record.get("message")}, "target": str(target),
        "focus": focus, "shrank": shrunk.mini is not None, "external": external.url if external is not None else None, "archive": tiny_zip.name, "archive_bytes": tiny_zip.stat().st_size,
        "original_bytes": original_facts["archive_bytes"], "script_lines": code_lines(own.text), "script_language": own.spec.language, "embedded": embed,
        "install": own.install.line(), "versions": versions, "runtime": runtime, "platform": plat, "script_outcome_wanted": wanted,
        "scripts": [{"file": w.path.name, "language": w.spec.language, "lines": code_lines(w.text), "install": w.install.line(),
                     "check": w.check.to_json() if w.check else None} for w in scripts],
        "check": checked.to_json() if checked else None,
        "same_outcome_standalone": all(w.check.outcome == wanted for w in scripts) if checked else None,
        "stopped": getattr(shrunk, "stopped", None),
        "steps": [s.to_json() for s in shrunk.steps],
    }
    (folder / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return report
