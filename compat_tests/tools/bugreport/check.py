"""--check: run a report's script in a fresh environment made from its install line, and read its outcome.

For a Python script the environment is a new uv venv on the reader
environment's interpreter (never a downloaded one), holding only what the
install line names; for a Node.js script, a fresh folder where npm installs
exactly its packages; for a shell script, the tool from its Debian packages.
A native library built from source (netCDF-C with libzip) is not rebuilt:
the suite's build of the same recipe is reused, and the result says so.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from compat_tests.tools.bugreport.install import Install
from core.processes import child_environ
from envs import ensure_environment, get_environment
from envs.build import ensure_debian_packages, expand, find_interpreter, native_prefix, runtime_environ
from fixtures.build import link_or_copy

OUTCOME_LINE = re.compile(r"^outcome: ([\w-]+)\s*$", re.M)


@dataclass
class CheckResult:
    outcome: str          # what the script showed: pass | partial | wrong-data | error | timeout | crash | not-run
    output: str           # the script's output (tail)
    seconds: float
    notes: str = ""

    def to_json(self) -> dict:
        return self.__dict__.copy()


def script_outcome(output: str, returncode: int) -> str:
    """The outcome a script printed last; a signal is a crash; no outcome line means the script itself broke."""
    if returncode < 0:
        return "crash"
    found = OUTCOME_LINE.findall(output)
    return found[-1] if found else "script-failed"


def _native(env_name: str) -> str:
    """Reuse the suite's build of an environment's native library (never rebuilt for a check): the note that says so."""
    env = get_environment(env_name)
    if not env.native:
        return ""
    ensure_environment(env_name)
    return f"native library reused from the suite's build ({', '.join(env.native)} in {native_prefix(env)})"


def _run(argv: list[str], folder: Path, timeout: float, env: dict, notes: str, memory_gib: float | None = None) -> CheckResult:
    """Run a script (under the cell's memory cap when it is given); its outcome line may be on stdout or stderr
    (a Python script exits with it)."""
    def cap() -> None:
        limit = int(memory_gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    started = time.perf_counter()
    try:
        proc = subprocess.run(argv, cwd=folder, capture_output=True, text=True, timeout=timeout, env=env,
                              preexec_fn=cap if memory_gib else None)
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return CheckResult("timeout", out[-1500:], timeout, notes)
    output = (proc.stdout.rstrip("\n") + ("\n" + proc.stderr if proc.stderr.strip() else "")).strip()
    return CheckResult(script_outcome(output, proc.returncode), output[-1500:], time.perf_counter() - started, notes)


def _installed(commands: list[list[str]], env: dict, cwd: Path | None = None) -> CheckResult | None:
    """Run the install commands; a CheckResult saying what failed, or None when all went well."""
    for command in commands:
        proc = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd)
        if proc.returncode != 0:
            return CheckResult("not-run", proc.stderr.strip()[-600:], 0.0, f"installing failed: {' '.join(command[:3])} ...")
    return None


def _base_environ(env_name: str) -> dict:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"), **runtime_environ(env_name)}


def check(script: Path, install: Install, env_name: str, timeout: float, memory_gib: float | None = None) -> CheckResult:
    """Run `script` (Python, Node.js or shell, by its suffix) in a fresh environment made from `install`,
    under `memory_gib` GiB of address space when it is given (a crash seen at the matrix's memory cap)."""
    ensure_debian_packages(env_name, install.apt)
    runner = {".py": _check_python, ".mjs": _check_node, ".sh": _check_shell}[script.suffix]
    return runner(script, install, env_name, timeout, memory_gib)


def _check_python(script: Path, install: Install, env_name: str, timeout: float, memory_gib: float | None) -> CheckResult:
    env = get_environment(env_name)
    interpreter = find_interpreter(env.python)
    if interpreter is None:
        return CheckResult("not-run", "", 0.0, f"no Python {env.python} on this machine")
    notes = _native(env_name)
    native = native_prefix(env)
    uv_env = child_environ({"UV_PYTHON_DOWNLOADS": "never"}, project_path=False)  # uv never downloads an interpreter
    with tempfile.TemporaryDirectory(prefix="zipcompat-bugcheck-") as tmp:
        venv = Path(tmp) / "venv"
        python = str(venv / "bin" / "python")
        commands = [["uv", "venv", "-q", "--python", interpreter, str(venv)]]
        for flags, requirements in install.steps:
            no_cache = ["--no-cache"] if env.native and flags else []   # a wheel built against a native prefix
            commands.append(["uv", "pip", "install", "-q", "--python", python, *no_cache, *flags, *requirements])
        failed = _installed(commands, dict(uv_env, **expand(env.build_env, native, uv_env)))
        return failed or _run([python, script.name], script.parent, timeout, _base_environ(env_name), notes, memory_gib)


def _check_node(script: Path, install: Install, env_name: str, timeout: float, memory_gib: float | None) -> CheckResult:
    """A fresh folder: the script and what lies beside it, its package.json, `npm install` of exactly its packages."""
    with tempfile.TemporaryDirectory(prefix="zipcompat-bugcheck-node-") as tmp:
        folder = Path(tmp)
        for item in script.parent.iterdir():
            if item.is_file():
                link_or_copy(item, folder / item.name)
        (folder / "package.json").write_text(install.package_json(), encoding="utf-8")
        npm = ["npm", "install", "--no-audit", "--no-fund", "--save-exact", *install.npm]
        failed = _installed([npm], {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}, folder)
        return failed or _run(["node", script.name], folder, timeout, _base_environ(env_name), f"npm install {' '.join(install.npm)} in a fresh folder",
                              memory_gib)


def _check_shell(script: Path, install: Install, env_name: str, timeout: float, memory_gib: float | None) -> CheckResult:
    """The tool from its Debian packages (or the suite's build of its native library), the script run by bash."""
    return _run(["bash", script.name], script.parent, timeout, _base_environ(env_name), _native(env_name) if install.native else "", memory_gib)
