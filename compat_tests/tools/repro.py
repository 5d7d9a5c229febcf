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
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from compat_tests.expectations import Expectation, expectation_for, load as load_expectations
from compat_tests.readers import all_readers, family_cell
from core.limits import DESCRIBE_SECONDS, cell_time_limit
from core.processes import child_environ
from envs import EnvUnavailable, ensure_environment, get_environment
from envs.build import cache_root, expand, find_interpreter, post_commands, runtime_environ
from envs.registry import recipe_command
from fixtures.build import link_or_copy

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "build" / "fixtures"
RESULTS = ROOT / "reports" / "results.json"
LIBRARY_FILES = [
    "compat_tests/__init__.py", "core/outcomes.py", "core/limits.py", "compat_tests/attempts.py", "compat_tests/checks.py", "compat_tests/outcomes.py", "compat_tests/worker.py",
    "core/__init__.py", "core/canonical.py",
]

BUNDLE_PROGRAM = ROOT / "compat_tests" / "tools" / "repro_bundle.py"   # copied as the bundle's repro.py


FOREIGN_BUNDLE_PROGRAM = ROOT / "compat_tests" / "tools" / "repro_foreign_bundle.py"   # a foreign reader's repro.py

class ReproError(ValueError):
    pass


def parse_cell(cell: str):
    from fixtures.registry import all_fixtures

    reader_id, sep, fixture_id = cell.partition("--")
    if not sep or not reader_id or not fixture_id:
        raise ReproError(f"{cell!r} is not a cell id: expected <reader>--<fixture>, e.g. zarr3--coads-v3-stored")
    readers = all_readers()
    if reader_id not in readers:
        raise ReproError(f"unknown reader {reader_id!r} in {cell!r}; readers: {', '.join(readers)}")
    from fixtures.registry import matrix_fixture_ids

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


def _freeze(python: Path) -> list[str]:
    proc = subprocess.run(["uv", "pip", "freeze", "--python", str(python)], capture_output=True, text=True, check=True)
    return [line for line in proc.stdout.splitlines() if line and not line.startswith(("-e ", "#")) and " @ " not in line]


def _byo_fixture(fixture_id: str, archive: str | None) -> tuple[Path, Path]:
    """Your archive and its reference manifest (read in a capped worker), in a scratch folder."""
    from compat_tests.byo import BYO_TAG, reference_reading
    from compat_tests.bounded import zip_signature
    from compat_tests.workers import WorkerPool

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
    from fixtures.registry import all_fixtures

    spec = all_fixtures().get(fixture_id)
    archive = FIXTURES / (spec.archive_name if spec else f"{fixture_id}.zip")
    manifest = FIXTURES / f"{fixture_id}.manifest.json"
    if not archive.exists() and fixture_id.startswith("hostile-"):
        from fixtures.hostile import place_hostile

        place_hostile(FIXTURES, [fixture_id])
    if not archive.exists() and fixture_id.startswith("ext-"):
        from compat_tests.byo import CappedReference
        from fixtures.external import place_external

        with CappedReference() as reference:
            _, unavailable = place_external(FIXTURES, reference=reference)
        if fixture_id in unavailable:
            raise ReproError(f"the external archive of {fixture_id} is unavailable here: {unavailable[fixture_id]}")
    if not archive.exists():
        from fixtures.build import build
        from fixtures.registry import resolve

        result = build(resolve([fixture_id]), out=FIXTURES)
        if fixture_id in result.errors:
            raise ReproError(f"fixture {fixture_id} could not be built: {result.errors[fixture_id]}")
    return archive, manifest


def _make_bundle(cell: str, reader, fixture_id: str, out: Path | None, record: dict | None, archive: Path, manifest: Path,
                 byo: bool = False) -> Path:
    env = get_environment(reader.env)
    try:
        python = ensure_environment(reader.env)
    except EnvUnavailable as exc:
        raise ReproError(f"the {reader.env} environment is not available here: {exc.reason}") from None
    if reader.foreign:
        return _make_foreign_bundle(cell, reader, env, fixture_id, out, record, archive, manifest, byo)
    post_packages = {step.split("==")[0].lower() for step in env.post}
    requirements = [r for r in _freeze(python) if r.split("==")[0].lower() not in post_packages]

    bundle = _new_bundle(cell, out, archive, manifest, LIBRARY_FILES)
    (bundle / "requirements.txt").write_text("\n".join(requirements) + "\n", encoding="utf-8")
    for recipe in env.native:
        shutil.copyfile(env.recipe(recipe), bundle / f"build-{recipe}.sh")
    post = [s.replace("{gdal_version}", "$(gdal-config --version)") for s in env.post]
    if post:
        (bundle / "post-install.txt").write_text(
            "# pip install these after requirements.txt, with: " + " ".join(env.pip_flags) + "\n" + "\n".join(post) + "\n", encoding="utf-8")

    record = record or _recorded(cell)
    expected = Expectation("pass") if byo else expectation_for(family_cell(cell), load_expectations(), (record or {}).get("versions"))
    recorded = record["outcome"] if record else expected.outcome
    post_hint = f", then pip install {' '.join(env.pip_flags)} {' '.join(post)}" if post else ""
    if env.native:
        post_hint = ", the native build and the install steps of README.md"
    facts = json.loads(manifest.read_text(encoding="utf-8"))
    shutil.copyfile(BUNDLE_PROGRAM, bundle / "repro.py")
    (bundle / "bundle.json").write_text(json.dumps({
        "cell": cell, "reader": reader.id, "env": reader.env, "library": reader.library, "call": reader.call, "adapter": reader.adapter,
        "archive": archive.name, "manifest": f"{fixture_id}.manifest.json", "install": f"pip install -r requirements.txt{post_hint}",
        "seconds": cell_time_limit(facts.get("zip", {}).get("entries", 0)), "recorded": recorded, "has_record": record is not None, "expected": expected.outcome,
        "decodes_cf": reader.decodes_cf,
    }, indent=1) + "\n", encoding="utf-8")
    script = _cli_commands(reader, archive.name, facts, (record or {}).get("option"), env)
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
    if env.native:
        readme += ["    " + " ".join(recipe_command(f"build-{recipe}.sh", "$PWD/native", release=env.native_release(recipe)))
                   + "   # built from source, see the script's header" for recipe in env.native]
    if post:
        exports = " ".join(f"{k}={v}" for k, v in expand(env.build_env, Path("$PWD/native"), {"PATH": "$PATH"}).items())
        readme.append(f"    {exports + ' ' if exports else ''}.venv/bin/pip install {' '.join(env.pip_flags)} {' '.join(post)}")
    if env.runtime_env:
        readme.append("    export " + " ".join(f"{k}={v}" for k, v in expand(env.runtime_env, Path("$PWD/native"), {"PATH": "$PATH"}).items()))
    if env.apt:
        readme.insert(readme.index("## Run it") + 2, f"Debian packages first: `apt-get install -y {' '.join(env.apt)}`")
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


FOREIGN_LIBRARY_FILES = [*LIBRARY_FILES, "compat_tests/foreign_worker.py"]


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
    bundle = _new_bundle(cell, out, archive, manifest, FOREIGN_LIBRARY_FILES)
    adapter = Path(reader.adapter).resolve()
    if not adapter.is_relative_to(ROOT):
        raise ReproError(f"the adapter of {reader.id} ({adapter}) is outside the project: a bundle cannot carry it")
    inside = Path("lib") / adapter.relative_to(ROOT)
    (bundle / inside).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(adapter, bundle / inside)
    program = [part.replace("{file}", "{here}/" + inside.as_posix()) for part in reader.worker]
    environment: dict[str, str] = {}
    if env.node:
        from envs.registry import NODE_FILES

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
    shutil.copyfile(FOREIGN_BUNDLE_PROGRAM, bundle / "repro.py")
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

BUNDLE_MARKER = "/ZIPCOMPAT_BUNDLE_FOLDER"


def _cli_commands(reader, archive_name: str, manifest: dict, option_label: str | None, env) -> str:
    """commands.sh for a reader that runs a command-line tool (its adapter defines commands()), else ""."""
    import importlib

    source = ROOT / reader.file if reader.file else None
    if reader.foreign or source is None or not source.exists() or "def commands(" not in source.read_text(encoding="utf-8"):
        return ""
    from compat_tests.adapters.cli_common import shell_script

    module = importlib.import_module(reader.adapter)
    options: dict = {}
    for declared in getattr(module, "FALLBACKS", []):  # the option set the recorded outcome needed, if any
        if option_label and declared["label"] in option_label.split(", "):
            options.update(declared["options"])
    variables = {name: value for name, value in expand(env.runtime_env, Path("$PWD/native"), {"PATH": "$PATH"}).items()
                 if name == "ZIPCOMPAT_NETCDF_C_PREFIX"}
    saved = os.environ.get("ZIPCOMPAT_NETCDF_C_PREFIX")
    try:
        if variables:
            os.environ["ZIPCOMPAT_NETCDF_C_PREFIX"] = variables["ZIPCOMPAT_NETCDF_C_PREFIX"]
        commands = module.commands(f"{BUNDLE_MARKER}/{archive_name}", manifest, options)
    finally:
        if saved is None:
            os.environ.pop("ZIPCOMPAT_NETCDF_C_PREFIX", None)
        else:
            os.environ["ZIPCOMPAT_NETCDF_C_PREFIX"] = saved
    return shell_script(commands, BUNDLE_MARKER, variables)


def sample_cells(cells: list[dict]) -> list[dict]:
    """One cell for every (reader, outcome, matrix.yaml entry) group: each distinct claim once."""
    seen, picked = set(), []
    for cell in sorted(cells, key=lambda c: c["cell"]):
        key = (cell["reader"], cell["outcome"], cell.get("link"), cell.get("reason"))
        if key not in seen:
            seen.add(key)
            picked.append(cell)
    return picked


def verify_all(results_path: Path, out: Path, workers: int = 2, sample: bool = False) -> dict[str, list[str]]:
    """Bundle every non-pass cell of a results file and run each repro.py in its reader's environment.

    Returns {"same": [...], "different": ["cell: what repro.py printed"], "not bundled": [...]}. The
    fresh-environment path (--run) is the same script; it is exercised by the tests on samples.
    """
    from concurrent.futures import ThreadPoolExecutor

    cells = [c for c in json.loads(Path(results_path).read_text(encoding="utf-8"))["cells"] if c["outcome"] != "pass"]
    if sample:
        cells = sample_cells(cells)
    print(f"checking {len(cells)} bundles", file=sys.stderr, flush=True)
    report = {"same": [], "different": [], "not bundled": []}

    def one(record):
        cell = record["cell"]
        reader = all_readers()[record["reader"]]
        try:
            bundle = make_bundle(cell, out / cell, record)
            python = sys.executable if reader.foreign else ensure_environment(reader.env)  # a foreign reader's judge is numpy here
        except (ReproError, EnvUnavailable) as exc:
            return "not bundled", f"{cell}: {exc}"
        try:
            guard = json.loads((bundle / "bundle.json").read_text(encoding="utf-8"))["seconds"] * 2 + DESCRIBE_SECONDS  # every attempt's own limit
            proc = subprocess.run([str(python), "repro.py"], cwd=bundle, capture_output=True, text=True, timeout=guard,
                                  env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
                                       **runtime_environ(reader.env)})
        except subprocess.TimeoutExpired:
            # repro.py stops itself after its own limit; a C call that never yields outlives it
            return ("same", cell) if record["outcome"] == "timeout" else ("different", f"{cell}: no answer in {guard:g} s")
        if proc.returncode == 0:
            return "same", cell
        return "different", f"{cell}: {(proc.stdout + proc.stderr).strip().splitlines()[:1]}"

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for i, (kind, text) in enumerate(pool.map(one, cells), 1):
            report[kind].append(text)
            print(f"  {i}/{len(cells)} {kind}: {text}", file=sys.stderr, flush=True)
    return report


def run_bundle(bundle: Path) -> int:
    """Run a bundle's repro.py in a fresh environment built from its requirements.txt."""
    try:
        settings = json.loads((bundle / "bundle.json").read_text(encoding="utf-8"))
        env = get_environment(settings["env"])
    except (OSError, ValueError, KeyError) as exc:
        raise ReproError(f"{bundle} is not a repro bundle (bundle.json: {exc})") from None
    if settings.get("kind") == "foreign" and (bundle / "package-lock.json").exists():
        return _run_node_bundle(bundle)
    interpreter = find_interpreter(env.python)
    if interpreter is None:
        raise ReproError(f"no Python {env.python} here to build the bundle's environment")
    with tempfile.TemporaryDirectory(prefix="zipcompat-repro-") as tmp:
        venv = Path(tmp) / "venv"
        uv_env = child_environ({"UV_PYTHON_DOWNLOADS": "never"}, project_path=False)  # uv never downloads an interpreter
        print(f"building a fresh environment (Python {env.python}) from {bundle / 'requirements.txt'} ...", file=sys.stderr)
        native = Path(tmp) / "native"
        steps = [["uv", "venv", "-q", "--python", interpreter, str(venv)],
                 ["uv", "pip", "install", "-q", "--python", str(venv / "bin" / "python"), "-r", str(bundle / "requirements.txt")]]
        steps += [recipe_command(str(bundle / f"build-{recipe}.sh"), str(native), str(cache_root() / "sources" / "native"), env.native_release(recipe))
                  for recipe in env.native]
        steps += post_commands(env, str(venv / "bin" / "python"))
        build_env = dict(uv_env, **expand(env.build_env, native, uv_env))
        for step in steps:
            if step[0] == "bash":
                print(f"building {Path(step[1]).name} into {native} ...", file=sys.stderr)
            proc = subprocess.run(step, capture_output=True, text=True, env=build_env)
            if proc.returncode != 0:
                raise ReproError(f"building the bundle's environment failed: {' '.join(step[:4])}: {proc.stderr.strip()[-400:]}")
        proc = subprocess.run([str(venv / "bin" / "python"), str(bundle / "repro.py")], cwd=bundle, text=True,
                              env=dict(os.environ, **expand(env.runtime_env, native)))
        return proc.returncode


def _run_node_bundle(bundle: Path) -> int:
    """Run a Node.js bundle as its README says, in a scratch copy: npm ci of its lock, a fresh venv with its
    requirements (numpy), then repro.py."""
    import shutil as _shutil

    npm = _shutil.which("npm")
    if npm is None or _shutil.which("node") is None:
        raise ReproError("running a Node.js bundle needs node and npm (apt-get install -y nodejs npm)")
    interpreter = find_interpreter("3.11") or sys.executable
    with tempfile.TemporaryDirectory(prefix="zipcompat-repro-") as tmp:
        copy = Path(tmp) / "bundle"
        _shutil.copytree(bundle, copy, symlinks=False)
        venv = Path(tmp) / "venv"
        uv_env = dict(os.environ, UV_PYTHON_DOWNLOADS="never")
        uv_env.pop("VIRTUAL_ENV", None)
        uv_env.pop("ZIPCOMPAT_NODE_MODULES", None)
        print(f"installing {bundle / 'package-lock.json'} with npm ci and numpy into a fresh venv ...", file=sys.stderr)
        steps = [[npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                 ["uv", "venv", "-q", "--python", str(interpreter), str(venv)],
                 ["uv", "pip", "install", "-q", "--python", str(venv / "bin" / "python"), "-r", str(copy / "requirements.txt")]]
        for step in steps:
            proc = subprocess.run(step, cwd=copy, capture_output=True, text=True, env=uv_env)
            if proc.returncode != 0:
                raise ReproError(f"building the bundle's environment failed: {' '.join(step[:3])}: {proc.stderr.strip()[-400:]}")
        proc = subprocess.run([str(venv / "bin" / "python"), "repro.py"], cwd=copy, text=True, env=uv_env)
        return proc.returncode
