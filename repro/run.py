"""Running repro bundles: --run (a fresh environment from the bundle's own files) and --verify (every non-pass cell).

A Python bundle's environment is built from its requirements.txt, its copies of
the native recipes and the post steps of the reader's environment
(envs.install_script, the install script the bundle's README shows); a Node.js
bundle's with `npm ci` of its package-lock.json. Then repro.py runs in it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from zipstore_compat.compat_tests.readers import all_readers
from zipstore_compat.core.limits import DESCRIBE_SECONDS
from zipstore_compat.envs import EnvUnavailable, InstallFailed, ensure_environment, fresh_environment, get_environment, install_script
from zipstore_compat.envs.build import cache_root, find_interpreter, runtime_environ
from zipstore_compat.repro.bundle import ReproError, make_bundle


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
            proc = subprocess.run([str(python), "zipstore_compat.repro.py"], cwd=bundle, capture_output=True, text=True, timeout=guard,
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
    install = install_script(settings["env"], requirements_file=bundle / "requirements.txt")
    with tempfile.TemporaryDirectory(prefix="zipcompat-repro-") as tmp:
        native = Path(tmp) / "native"
        if find_interpreter(env.python) is not None:
            print(f"building a fresh environment (Python {env.python}) from {bundle / 'requirements.txt'} ...", file=sys.stderr)
        try:
            python = fresh_environment(install, Path(tmp) / "venv", native, recipes=bundle, downloads=cache_root() / "sources" / "native",
                                       log=lambda message: print(message, file=sys.stderr))
        except InstallFailed as exc:
            if exc.command is None:
                raise ReproError(f"no Python {env.python} here to build the bundle's environment") from None
            raise ReproError(f"building the bundle's environment failed: {' '.join(exc.command[:4])}: {exc.why[-400:]}") from None
        proc = subprocess.run([str(python), str(bundle / "zipstore_compat.repro.py")], cwd=bundle, text=True,
                              env=dict(os.environ, **install.runtime_environ(native)))
        return proc.returncode


def _run_node_bundle(bundle: Path) -> int:
    """Run a Node.js bundle as its README says, in a scratch copy: npm ci of its lock, a fresh venv with its
    requirements (numpy), then repro.py."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise ReproError("running a Node.js bundle needs node and npm (apt-get install -y nodejs npm)")
    interpreter = find_interpreter("3.11") or sys.executable
    with tempfile.TemporaryDirectory(prefix="zipcompat-repro-") as tmp:
        copy = Path(tmp) / "bundle"
        shutil.copytree(bundle, copy, symlinks=False)
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
        proc = subprocess.run([str(venv / "bin" / "python"), "zipstore_compat.repro.py"], cwd=copy, text=True, env=uv_env)
        return proc.returncode
