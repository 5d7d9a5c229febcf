"""Reproduce one cell outside the suite: a bundle to attach to an upstream issue.

reports/repro/<cell>/ holds the archive and its manifest, repro.py (the
reader called as the adapter calls it, judged as the matrix judges it),
the few helper modules it needs (library + numpy only) under lib/,
requirements.txt pinned to the versions in the reader's environment, and a
README with the expected and the recorded outcome. --run builds a fresh
environment from requirements.txt and runs repro.py in it.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from zipstore_compat.compat_tests.expectations import Expectation, expectation_for, load as load_expectations
from zipstore_compat.compat_tests.readers import all_readers, family_cell
from zipstore_compat.compat_tests.result_cache import closure
from zipstore_compat.core.limits import cell_time_limit
from zipstore_compat.envs import EnvUnavailable, ensure_environment, get_environment, install_script
from zipstore_compat.fixtures.build import link_or_copy
from zipstore_compat.repro.commands_sh import commands_script

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "build" / "fixtures"
RESULTS = ROOT / "reports" / "results.json"
# what the bundle's repro.py imports of ours (the judging: outcomes, checks, attempts; worker.summarise; core/), found
# by following its imports; the adapters are copied whole besides
PROGRAM_IMPORTS = ("zipstore_compat.compat_tests.outcomes", "zipstore_compat.compat_tests.worker")
FOREIGN_PROGRAM_IMPORTS = (*PROGRAM_IMPORTS, "zipstore_compat.compat_tests.foreign_worker")

BUNDLE_PROGRAM = ROOT / "repro" / "program.py"   # copied as the bundle's repro.py
FOREIGN_BUNDLE_PROGRAM = ROOT / "repro" / "foreign_program.py"   # a foreign reader's repro.py


class ReproError(ValueError):
    pass


def library_files(imports: tuple[str, ...]) -> list[str]:
    """The project files a bundle's program imports, transitively (compat_tests.result_cache.closure), adapters aside."""
    return [path for path in closure(imports, ("zipstore_compat.compat_tests.adapters",)) if not path.startswith("compat_tests/adapters/")]


def parse_cell(cell: str):
    from zipstore_compat.fixtures.registry import all_fixtures

    reader_id, sep, fixture_id = cell.partition("--")
    if not sep or not reader_id or not fixture_id:
        raise ReproError(f"{cell!r} is not a cell id: expected <reader>--<fixture>, e.g. zarr3--coads-v3-stored")
    readers = all_readers()
    if reader_id not in readers:
        raise ReproError(f"unknown reader {reader_id!r} in {cell!r}; readers: {', '.join(readers)}")
    from zipstore_compat.fixtures.registry import matrix_fixture_ids

    known = list(all_fixtures()) + [f for f in matrix_fixture_ids() if f.startswith(("ext-", "hostile-"))]
    if fixture_id.startswith("byo-"):
        return readers[reader_id], fixture_id  # your own archive: make_bundle needs its path (--archive)
    if fixture_id not in known:
        import difflib

        close = difflib.get_close_matches(fixture_id, known, 3)
        raise ReproError(f"unknown fixture {fixture_id!r} in {cell!r}" + (f"; did you mean {', '.join(close)}?" if close else "; list them with ./run fixtures list"))
    return readers[reader_id], fixture_id


def _recorded(cell: str, results: Path = RESULTS) -> dict | None:
    try:
        for record in json.loads(Path(results).read_text(encoding="utf-8"))["cells"]:
            if record["cell"] == cell:
                return record
    except (OSError, ValueError, KeyError):
        return None
    return None


def _outcome_lines(record: dict | None, expected) -> list[str]:
    """A bundle README's Outcome lines: what the matrix recorded, or that its results have no such cell (a versions-lane
    cell after a default run, a cell not run yet): the bundle then checks matrix.yaml's expectation instead."""
    if record:
        recorded = f"- recorded by the matrix: **{record['outcome']}**" + (f": {record['message'][:800]}" if record.get("message") else "")
    else:
        recorded = f"- recorded by the matrix: nothing (reports/results.json has no such cell); the bundle checks the expectation below"
    return [recorded, f"- matrix.yaml expects: **{expected.outcome}**" + (f" ({expected.link}): {expected.reason}" if expected.link else "")]


def _byo_fixture(fixture_id: str, archive: str | None) -> tuple[Path, Path]:
    """Your archive and its reference manifest (read in a capped worker), in a scratch folder."""
    from zipstore_compat.compat_tests.byo import BYO_TAG, reference_reading
    from zipstore_compat.compat_tests.bounded import zip_signature
    from zipstore_compat.compat_tests.workers import WorkerPool

    if not archive:
        raise ReproError(f"{fixture_id} is your own archive: give its path, e.g. repro <cell> --archive PATH (the matrix prints the whole command)")
    path = Path(archive).expanduser().absolute()
    signature = zip_signature(path)
    if not signature.is_zip:
        raise ReproError(f"--archive {archive}: {signature.why}")
    folder = Path(tempfile.mkdtemp(prefix="zipcompat-repro-byo-"))
    pool = WorkerPool()
    try:
        manifest = reference_reading(pool, path, fixture_id, str(path), folder / f"{fixture_id}.manifest.json",
                                     claimed_entries=signature.claimed_entries)
    finally:
        pool.close()
    manifest["tags"] = [BYO_TAG, *(t for t in manifest.get("tags", []) if not t.startswith("kind:"))]
    (folder / f"{fixture_id}.manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    shutil.copyfile(path, folder / f"{fixture_id}.zip")
    return folder / f"{fixture_id}.zip", folder / f"{fixture_id}.manifest.json"


def make_bundle(cell: str, out: Path | None = None, record: dict | None = None, archive_path: str | None = None) -> Path:
    """Write the bundle of `cell`; `record` is its results.json record (else looked up in reports/results.json).

    A cell of your own archive (byo-...) needs archive_path: the archive is in no registry.
    """
    reader, fixture_id = parse_cell(cell)
    if not fixture_id.startswith("byo-"):
        return _make_bundle(cell, reader, fixture_id, out, record, *fixture_files(fixture_id))
    archive, manifest = _byo_fixture(fixture_id, archive_path)
    try:
        return _make_bundle(cell, reader, fixture_id, out, record, archive, manifest, byo=True)
    finally:
        shutil.rmtree(archive.parent, ignore_errors=True)  # the scratch folder: the bundle has its own copies


def fixture_files(fixture_id: str) -> tuple[Path, Path]:
    """(archive, manifest) of a fixture in build/fixtures, built or fetched first if missing."""
    from zipstore_compat.fixtures.registry import all_fixtures

    spec = all_fixtures().get(fixture_id)
    archive = FIXTURES / (spec.archive_name if spec else f"{fixture_id}.zip")
    manifest = FIXTURES / f"{fixture_id}.manifest.json"
    if not archive.exists() and fixture_id.startswith("hostile-"):
        from zipstore_compat.fixtures.hostile import place_hostile

        place_hostile(FIXTURES, [fixture_id])
    if not archive.exists() and fixture_id.startswith("ext-"):
        from zipstore_compat.compat_tests.byo import CappedReference
        from zipstore_compat.fixtures.external import place_external

        with CappedReference() as reference:
            _, unavailable = place_external(FIXTURES, reference=reference)
        if fixture_id in unavailable:
            raise ReproError(f"the external archive of {fixture_id} is unavailable here: {unavailable[fixture_id]}")
    if not archive.exists():
        from zipstore_compat.fixtures.build import build
        from zipstore_compat.fixtures.registry import resolve

        result = build(resolve([fixture_id]), out=FIXTURES)
        if fixture_id in result.errors:
            raise ReproError(f"fixture {fixture_id} could not be built: {result.errors[fixture_id]}")
    return archive, manifest


def _make_bundle(cell: str, reader, fixture_id: str, out: Path | None, record: dict | None, archive: Path, manifest: Path,
                 byo: bool = False) -> Path:
    env = get_environment(reader.env)
    try:
        ensure_environment(reader.env)
    except EnvUnavailable as exc:
        raise ReproError(f"the {reader.env} environment is not available here: {exc.reason}") from None
    if reader.foreign:
        return _make_foreign_bundle(cell, reader, env, fixture_id, out, record, archive, manifest, byo)
    install = install_script(reader.env)   # every distribution of the reader's environment, then its post steps
    requirements, post_steps = install.pip[0], install.pip[1:]

    bundle = _new_bundle(cell, out, archive, manifest, library_files(PROGRAM_IMPORTS))
    (bundle / "requirements.txt").write_text("\n".join(requirements.requirements) + "\n", encoding="utf-8")
    for recipe, _release in install.native:
        shutil.copyfile(env.recipe(recipe), bundle / f"build-{recipe}.sh")
    post = [" ".join(install.shell_requirements(step)) for step in post_steps]
    flags = " ".join(post_steps[0].flags) if post_steps else ""
    if post:
        (bundle / "post-install.txt").write_text(
            "# pip install these after requirements.txt, with: " + flags + "\n" + "\n".join(post) + "\n", encoding="utf-8")

    record = record or _recorded(cell)
    expected = Expectation("pass") if byo else expectation_for(family_cell(cell), load_expectations(), (record or {}).get("versions"))
    recorded = record["outcome"] if record else expected.outcome
    post_hint = f", then pip install {flags} {' '.join(post)}" if post else ""
    if install.native:
        post_hint = ", the native build and the install steps of README.md"
    facts = json.loads(manifest.read_text(encoding="utf-8"))
    shutil.copyfile(BUNDLE_PROGRAM, bundle / "zipstore_compat.repro.py")
    (bundle / "bundle.json").write_text(json.dumps({
        "cell": cell, "reader": reader.id, "env": reader.env, "library": reader.library, "call": reader.call, "adapter": reader.adapter,
        "archive": archive.name, "manifest": f"{fixture_id}.manifest.json", "install": f"pip install -r requirements.txt{post_hint}",
        "seconds": cell_time_limit(facts.get("zip", {}).get("entries", 0)), "recorded": recorded, "has_record": record is not None, "expected": expected.outcome,
        "decodes_cf": reader.decodes_cf,
    }, indent=1) + "\n", encoding="utf-8")
    script = commands_script(reader, archive.name, manifest, (record or {}).get("option"), install)
    if script:
        (bundle / "commands.sh").write_text(script, encoding="utf-8")
        (bundle / "commands.sh").chmod(0o755)
    readme = [
        f"# {cell}", "",
        f"**{reader.library}** reading `{archive.name}`, called as users call it:", "", f"    {reader.call}", "",
        "## Outcome", "",
        *_outcome_lines(record, expected),
        "",
        "## Run it", "",
        "    python3 -m venv .venv && .venv/bin/pip install -r requirements.txt",
    ]
    # the install script of the reader's environment (envs.install_script), in the shell form, with .venv's pip
    readme += ["    " + line + "   # built from source, see the script's header" for line in install.recipe_lines()]
    readme += ["    " + install.pip_line(step, pip=".venv/bin/pip") for step in post_steps]
    if install.runtime_env:
        readme.append("    export " + " ".join(f"{k}={v}" for k, v in install.runtime_exports().items()))
    if install.apt:
        readme.insert(readme.index("## Run it") + 2, f"Debian packages first: `apt-get install -y {' '.join(install.apt)}`")
    if script:
        readme += ["", "The reader is a command-line tool: `commands.sh` runs the very commands the cell ran (they are also",
                   "in the cell's notes), so you can read the tool's own output; `repro.py` runs them and parses that output.",
                   "", "    sh commands.sh"]
    readme += [
        "    .venv/bin/python repro.py", "",
        "`repro.py` reads every array the manifest lists, one slice of each, the",
        "attributes and dimension names, and compares canonical sha256 digests",
        "(byte order and NaN payloads do not matter) with the manifest.",
        "",
        "## The archive", "",
        f"- written by: {facts['writer']['description']} ({', '.join(f'{k} {v}' for k, v in facts['writer']['versions'].items())})",
        f"- reference: {facts.get('reference', 'the manifest written with the archive')}",
        f"- Zarr format {facts['zarr_format']}; variant: " + (", ".join(f"{k}={v}" for k, v in facts["variant"].items()) or "external archive"),
        f"- ZIP: {facts['zip']['entries']} entries, compression {facts['zip']['compression']}, root prefix {facts['zip']['root_prefix']!r}, "
        f"ZIP64 end record {facts['zip']['zip64_end_record']}, duplicates {facts['zip']['duplicates']['count']}",
        f"- sha256 {facts['zip']['archive_sha256']}",
        f"- arrays: " + ", ".join(f"{a['path']} {a['shape']} {a['dtype']}" for a in facts["arrays"][:12]) + (" ..." if len(facts["arrays"]) > 12 else ""),
    ]
    (bundle / "README.md").write_text("\n".join(readme) + "\n", encoding="utf-8")
    return bundle


def _project_numpy() -> str:
    from importlib.metadata import version

    return f"numpy=={version('numpy')}"


def _readme_tail(facts: dict, archive: Path) -> list[str]:
    return [
        "## The archive", "",
        f"- written by: {facts['writer']['description']} ({', '.join(f'{k} {v}' for k, v in facts['writer']['versions'].items())})",
        f"- reference: {facts.get('reference', 'the manifest written with the archive')}",
        f"- Zarr format {facts['zarr_format']}; variant: " + (", ".join(f"{k}={v}" for k, v in facts["variant"].items()) or "external archive"),
        f"- ZIP: {facts['zip']['entries']} entries, compression {facts['zip']['compression']}, root prefix {facts['zip']['root_prefix']!r}, "
        f"ZIP64 end record {facts['zip']['zip64_end_record']}, duplicates {facts['zip']['duplicates']['count']}",
        f"- sha256 {facts['zip']['archive_sha256']}",
        f"- arrays: " + ", ".join(f"{a['path']} {a['shape']} {a['dtype']}" for a in facts["arrays"][:12]) + (" ..." if len(facts["arrays"]) > 12 else ""),
    ]


def _new_bundle(cell: str, out: Path | None, archive: Path, manifest: Path, library_files: list[str]) -> Path:
    """An empty bundle folder with the archive and its manifest, and lib/: the harness files named and the adapters."""
    bundle = Path(out) if out else ROOT / "reports" / "repro" / cell
    if bundle.exists():
        shutil.rmtree(bundle)
    (bundle / "lib").mkdir(parents=True)
    for source in (archive, manifest):
        link_or_copy(source, bundle / source.name)
    for rel in library_files:
        (bundle / "lib" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / rel, bundle / "lib" / rel)
    shutil.copytree(ROOT / "compat_tests" / "adapters", bundle / "lib" / "compat_tests" / "adapters", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "selftest_*"))
    return bundle


def _make_foreign_bundle(cell: str, reader, env, fixture_id: str, out: Path | None, record: dict | None, archive: Path, manifest: Path,
                         byo: bool) -> Path:
    """A bundle for a reader that is not Python (reader.worker): its program and adapter, the environment's own
    package files (a Node.js environment: package.json and package-lock.json, installed with `npm ci`), and
    repro.py, which runs the program over the protocol and judges its .npy values with numpy as the matrix does."""
    bundle = _new_bundle(cell, out, archive, manifest, library_files(FOREIGN_PROGRAM_IMPORTS))
    adapter = Path(reader.adapter).resolve()
    if not adapter.is_relative_to(ROOT):
        raise ReproError(f"the adapter of {reader.id} ({adapter}) is outside the project: a bundle cannot carry it")
    inside = Path("lib") / adapter.relative_to(ROOT)
    (bundle / inside).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(adapter, bundle / inside)
    program = [part.replace("{file}", "{here}/" + inside.as_posix()) for part in reader.worker]
    environment: dict[str, str] = {}
    if env.node:
        from zipstore_compat.envs.registry import NODE_FILES

        for name in NODE_FILES:
            shutil.copyfile(env.node_project() / name, bundle / name)
        environment = {k: v.replace("{env}", "{here}") for k, v in env.runtime_env}
        setup = "npm ci --ignore-scripts (in this folder), pip install -r requirements.txt"
        language = "Node.js"
    else:
        setup, language = "pip install -r requirements.txt", "non-Python"
    (bundle / "requirements.txt").write_text(_project_numpy() + "\n", encoding="utf-8")

    record = record or _recorded(cell)
    expected = Expectation("pass") if byo else expectation_for(family_cell(cell), load_expectations(), (record or {}).get("versions"))
    recorded = record["outcome"] if record else expected.outcome
    shutil.copyfile(FOREIGN_BUNDLE_PROGRAM, bundle / "zipstore_compat.repro.py")
    (bundle / "bundle.json").write_text(json.dumps({
        "cell": cell, "reader": reader.id, "env": reader.env, "kind": "foreign", "language": language, "library": reader.library,
        "call": reader.call, "program": program, "environment": environment, "setup": setup,
        "archive": archive.name, "manifest": f"{fixture_id}.manifest.json",
        "seconds": cell_time_limit(json.loads(manifest.read_text(encoding="utf-8")).get("zip", {}).get("entries", 0)),
        "recorded": recorded, "has_record": record is not None, "expected": expected.outcome, "decodes_cf": reader.decodes_cf,
    }, indent=1) + "\n", encoding="utf-8")
    facts = json.loads(manifest.read_text(encoding="utf-8"))
    versions = (record or {}).get("versions") or {}
    readme = [
        f"# {cell}", "",
        f"**{reader.library}** reading `{archive.name}`, called as users call it:", "", f"    {reader.call}", "",
        f"The adapter, `{inside.as_posix()}`, is a {language} program; `repro.py` runs it over the suite's protocol",
        "and judges the values it writes (as `.npy` files) with numpy, exactly as the matrix does.",
        "",
        "## Outcome", "",
        *_outcome_lines(record, expected),
        "- versions of the run: " + (", ".join(f"{k} {v}" for k, v in versions.items()) or "not recorded"),
        "",
        "## Run it", "",
    ]
    if env.apt:
        readme += [f"Debian packages first: `apt-get install -y {' '.join(env.apt)} npm`" if env.node else
                   f"Debian packages first: `apt-get install -y {' '.join(env.apt)}`", ""]
    if env.node:
        readme += ["    npm ci --ignore-scripts            # package.json + package-lock.json: the exact packages of the run"]
    readme += [
        "    python3 -m venv .venv && .venv/bin/pip install -r requirements.txt   # numpy, for the judging",
        "    .venv/bin/python repro.py", "",
    ]
    readme += _readme_tail(facts, archive)
    (bundle / "README.md").write_text("\n".join(readme) + "\n", encoding="utf-8")
    return bundle
