"""report-bug CELL: the minimal archive, the script, the issue text and the install line of one non-pass cell.

Writes reports/bug/<cell>/: tiny.zip (the smallest archive that fails the
same way, or the original when none does), reproduce.py, ISSUE.md,
install.txt and report.json (the failure's signature, every shrinking step,
and with --check what the script showed in a fresh environment).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from compat_tests.tools.bugreport import check as checker
from compat_tests.tools.bugreport.install import install_for
from compat_tests.tools.bugreport.issue import issue_markdown, title as make_title, writer_words
from compat_tests.tools.bugreport.script import EMBED_LIMIT, ScriptError, array_literal, assemble, code_lines, packages, spec_for
from compat_tests.tools.bugreport.shrink import CHECK_KINDS, HeavyLock, Signature, failed_array, shrink, signature
from compat_tests.tools.bugreport.tiny import MiniDataset, load_dataset_arrays, needed_groups
from compat_tests.cells import Describer, run_cell, time_limit
from compat_tests.checks import IGNORED_ATTRS
from compat_tests.expectations import expectation_for, load as load_expectations
from compat_tests.tools.repro import ReproError, fixture_files, parse_cell
from compat_tests.workers import DEFAULT_TIMEOUT, WorkerPool
from envs import EnvUnavailable, ensure_environment
from fixtures.build import link_or_copy
from fixtures.registry import all_fixtures
from fixtures.variants import DATASET_KINDS, Variant

ROOT = Path(__file__).resolve().parents[3]
RESULTS = ROOT / "reports" / "results.json"
LITERAL_LIMIT = 256          # expected values up to this many go into the script as a literal, else expected.npy beside it
KIND_WORDS = {"not listed": "array not listed", "values differ": "wrong values", "shape": "wrong shape", "dtype": "another dtype",
              "attributes": "attributes missing or different", "dimensions": "dimension names missing or different"}
REPORTABLE = ("partial", "wrong-data", "error", "crash", "timeout", "unsupported")


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
    if any(kind not in CHECK_KINDS for kind in target.kinds):
        return "error"                                  # an exception, for the array or the whole call
    if "values differ" in target.kinds or "shape" in target.kinds:
        return "wrong-data"
    by_default = re.search(r"by default: ([\w-]+)", record.get("message") or "")
    return by_default.group(1) if target.option and by_default else "partial"


def _environment_facts(python: Path) -> tuple[str, str]:
    proc = subprocess.run([str(python), "-c", "import platform; print(platform.python_version()); print(platform.platform())"],
                          capture_output=True, text=True, check=True)
    version, plat = proc.stdout.splitlines()[:2]
    return version, plat


def _plain(message: str, archive: Path | None) -> str:
    """The reader's message with our folders taken out (a maintainer has tiny.zip, not our tree)."""
    if archive is not None:
        message = message.replace(str(archive.resolve()), "tiny.zip").replace(str(archive), "tiny.zip")
    return message.replace(str(ROOT) + "/", "")


def make_report(cell: str, out: Path | None = None, results: Path = RESULTS, run_check: bool = False, log=print,
                lock: HeavyLock | None = None) -> dict:
    """Write the report of `cell`; `lock` (the heavy-work lock, held per batch) may be shared by several reports."""
    if lock is None:
        with HeavyLock() as own:
            return make_report(cell, out, results, run_check, log, own)
    try:
        reader, fixture_id = parse_cell(cell)
    except ReproError as exc:
        raise ReportError(str(exc)) from None
    record = find_record(cell, results)
    outcome = record["outcome"]
    if outcome == "pass":
        raise ReportError(f"{cell} passes ({results}): there is no bug to report")
    if outcome not in REPORTABLE:
        raise ReportError(f"{cell} is {outcome}, which is not a library's bug to report: {(record.get('message') or '')[:200]}")
    if fixture_id.startswith("ext-") or fixture_id not in all_fixtures():
        raise ReportError(f"{fixture_id} was made by another project: our writers cannot rebuild it smaller; use `repro {cell}`")
    spec = all_fixtures()[fixture_id]
    lock.take()  # a missing fixture or environment is built here
    try:
        archive, manifest_path = fixture_files(fixture_id)
        script_spec = spec_for(reader.id)
        python = ensure_environment(reader.env)
    except (ReproError, ScriptError) as exc:
        raise ReportError(str(exc)) from None
    except EnvUnavailable as exc:
        raise ReportError(f"the {reader.env} environment is not available here: {exc.reason}") from None
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    expected = expectation_for(cell, load_expectations())
    focus = failed_array(record, [a["path"] for a in manifest["arrays"]])
    target = signature(record, focus, expected.outcome)
    folder = Path(out) if out else ROOT / "reports" / "bug" / cell
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "steps").mkdir(parents=True)
    log(f"{cell}: {target}" + (f" (about {focus})" if focus else ""))

    pool = WorkerPool()
    describe = Describer(pool)

    def run(candidate: Path, candidate_manifest: Path, focus_path: str | None):
        result = run_cell(reader, "tiny", candidate, candidate_manifest, pool, describe)
        return signature(result, focus_path, expected.outcome), result.message

    meta, arrays = load_dataset_arrays(spec.dataset, spec.variant.zarr_format)
    start = MiniDataset(spec.dataset, DATASET_KINDS[spec.dataset], meta["groups"], tuple(arrays), spec.variant)
    try:
        shrunk = shrink(start, focus, target, run, folder / "steps", log=log, lock=lock)
    finally:
        pool.close()

    if shrunk.mini is not None:
        used_archive, used_manifest, mini, focus_now = shrunk.archive, shrunk.manifest, shrunk.mini, shrunk.focus
        message = shrunk.message
    else:
        used_archive, used_manifest, mini, focus_now = archive, manifest_path, start, focus
        message = record.get("message") or ""
    tiny_zip = folder / ("tiny.zip" if shrunk.mini is not None else archive.name)
    link_or_copy(used_archive, tiny_zip)  # the original (when nothing smaller fails) can be large: a hard link
    shutil.copyfile(used_manifest, folder / tiny_zip.name.replace(".zip", ".manifest.json"))
    used = json.loads(Path(used_manifest).read_text(encoding="utf-8"))
    shutil.rmtree(folder / "steps")

    focus_array = next((a for a in mini.arrays if a.path == focus_now), None) or min(mini.arrays, key=lambda a: a.data.size)
    dtype = focus_array.record["dtype"]
    if focus_array.data.size <= LITERAL_LIMIT:
        expected_source = array_literal(focus_array.data, dtype)
    else:
        np.save(folder / "expected.npy", focus_array.data, allow_pickle=dtype == "string")
        expected_source = 'np.load(pathlib.Path(__file__).resolve().with_name("expected.npy"), allow_pickle=%s)' % (dtype == "string")
    install = install_for(reader.env, packages(script_spec))
    what = next(iter(sorted(k for k in target.kinds if k not in CHECK_KINDS)), None) or " and ".join(KIND_WORDS.get(k, k) for k in sorted(target.kinds))
    what = {"timeout": "no answer (hangs)", "crash": "the process crashes"}.get(target.outcome, what)
    variant = used["variant"]
    title = make_title(reader.library, what, variant["zarr_format"], dtype, variant)
    embed = tiny_zip.stat().st_size <= EMBED_LIMIT
    attrs = {k: v for k, v in focus_array.record["attrs"].items() if k not in IGNORED_ATTRS}
    script = assemble(reader.id, title, install.line(), archive=tiny_zip, embed=embed, array=focus_array.path,
                      expected=expected_source, attrs=attrs, dims=focus_array.record.get("dims"),
                      extra={"ZARR_FORMAT": variant["zarr_format"], "STORE_PREFIX": used["store_prefix"]})
    script_path = folder / "reproduce.py"
    script_path.write_text(script, encoding="utf-8")
    (folder / "install.txt").write_text(install.line() + "\n", encoding="utf-8")

    wanted = script_outcome_for(target, record)
    checked = None
    if run_check:
        log(f"checking {script_path.name} in a fresh environment ({install.line()[:120]}) ...")
        lock.take()
        checked = checker.check(script_path, install, reader.env, timeout=time_limit(DEFAULT_TIMEOUT, used))
        log(f"  the script shows: {checked.outcome} (the cell: {wanted})" + (f"; {checked.notes}" if checked.notes else ""))

    version, plat = _environment_facts(python)
    versions = (describe.cache.get(reader.id) or {}).get("versions") or record.get("versions") or {}
    original_facts = manifest["zip"]
    facts = [
        f"written by {writer_words(variant)} ({', '.join(f'{k} {v}' for k, v in used['writer']['versions'].items())}), Zarr format {variant['zarr_format']}",
        f"{used['zip']['entries']} ZIP entries, {', '.join(f'{n} {k}' for k, v in used['zip']['compression'].items() for n in [v])}, "
        f"root prefix {used['store_prefix']!r}, {tiny_zip.stat().st_size} bytes, sha256 {used['zip']['archive_sha256'][:16]}...",
        f"the array `{focus_array.path}`: {dtype}, shape {focus_array.shape}, chunks {focus_array.record['chunks']}",
    ]
    if shrunk.mini is not None:
        kept = [s.name for s in shrunk.steps if s.kept]
        dropped_props = [s.name for s in shrunk.steps if not s.kept and "=" in s.name and "instead of" in s.name]
        summary = [f"cut from the suite's archive `{fixture_id}.zip` ({original_facts['archive_bytes']:,} bytes, {original_facts['entries']} entries) "
                   f"to {tiny_zip.stat().st_size:,} bytes and {used['zip']['entries']} entries in {len(shrunk.steps)} tries, each run by the library: "
                   + "; ".join(kept)]
        if dropped_props:
            summary.append("the failure goes away (or changes) with: " + "; ".join(dropped_props))
    else:
        summary = [f"no smaller archive showed the same failure ({len(shrunk.steps)} tries, see report.json): this is the suite's own archive `{fixture_id}.zip`"]
    happened = _plain(message, used_archive)
    if checked is not None and checked.outcome == wanted:
        happened = checked.output
    issue = issue_markdown(
        title=title, library=reader.library, call=reader.call, versions=versions, python=version, platform=plat,
        expected=f"`{focus_array.path}` read as {dtype}, shape {focus_array.shape}, with the values the script lists"
                 + (f", the attributes {attrs}" if attrs else "") + ("" if not focus_array.record.get("dims") else f" and the dimension names {focus_array.record['dims']}") + ".",
        happened=happened, script=script, script_name=script_path.name, install=install.line(), embedded=embed,
        archive_facts=facts, shrink_summary=summary, link=expected.link or "(no matrix.yaml entry)", reason=expected.reason, cell=cell,
        workaround=target.option,
        check_line=(f"the script shows `{checked.outcome}` in a fresh environment made from the install line" if checked else None))
    (folder / "ISSUE.md").write_text(issue, encoding="utf-8")

    report = {
        "cell": cell, "folder": str(folder), "recorded": {"outcome": outcome, "message": record.get("message")}, "target": str(target),
        "focus": focus, "shrank": shrunk.mini is not None, "archive": tiny_zip.name, "archive_bytes": tiny_zip.stat().st_size,
        "original_bytes": original_facts["archive_bytes"], "script_lines": code_lines(script), "embedded": embed,
        "install": install.line(), "versions": versions, "python": version, "platform": plat, "script_outcome_wanted": wanted,
        "check": checked.to_json() if checked else None,
        "same_outcome_standalone": (checked.outcome == wanted) if checked else None,
        "steps": [s.to_json() for s in shrunk.steps],
    }
    (folder / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return report
