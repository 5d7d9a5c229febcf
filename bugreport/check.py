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

from zipstore_compat.envs import InstallFailed, InstallScript, ensure_environment, fresh_environment, get_environment
from zipstore_compat.envs.build import ensure_debian_packages, native_prefix, runtime_environ
from zipstore_compat.fixtures.build import link_or_copy

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


def _install_failed(command: list[str], stderr: str) -> CheckResult:
    return CheckResult("not-run", stderr.strip()[-600:], 0.0, f"installing failed: {' '.join(command[:3])} ...")


def _base_environ(env_name: str) -> dict:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"), **runtime_environ(env_name)}


def check(script: Path, install: InstallScript, env_name: str, timeout: float, memory_gib: float | None = None) -> CheckResult:
    """Run `script` (Python, Node.js or shell, by its suffix) in a fresh environment made from `install`,
    under `memory_gib` GiB of address space when it is given (a crash seen at the matrix's memory cap)."""
    ensure_debian_packages(env_name, install.apt)
    runner = {".py": _check_python, ".mjs": _check_node, ".sh": _check_shell}[script.suffix]
    return runner(script, install, env_name, timeout, memory_gib)


def _check_python(script: Path, install: InstallScript, env_name: str, timeout: float, memory_gib: float | None) -> CheckResult:
    """A new uv venv holding only what the install line names (envs.fresh_environment); a native library is the suite's build."""
    notes = _native(env_name)
    with tempfile.TemporaryDirectory(prefix="zipcompat-bugcheck-") as tmp:
        try:
            python = fresh_environment(install, Path(tmp) / "venv", native_prefix(get_environment(env_name)))
        except InstallFailed as exc:
            if exc.command is None:
                return CheckResult("not-run", "", 0.0, f"no Python {install.python} on this machine")
            return _install_failed(exc.command, exc.why)
        return _run([str(python), script.name], script.parent, timeout, _base_environ(env_name), notes, memory_gib)


def _check_node(script: Path, install: InstallScript, env_name: str, timeout: float, memory_gib: float | None) -> CheckResult:
    """A fresh folder: the script and what lies beside it, its package.json, `npm install` of exactly its packages."""
    with tempfile.TemporaryDirectory(prefix="zipcompat-bugcheck-node-") as tmp:
        folder = Path(tmp)
        for item in script.parent.iterdir():
            if item.is_file():
                link_or_copy(item, folder / item.name)
        (folder / "package.json").write_text(install.package_json(), encoding="utf-8")
        npm = ["npm", "install", "--no-audit", "--no-fund", "--save-exact", *install.npm]
        proc = subprocess.run(npm, capture_output=True, text=True, cwd=folder,
                              env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")})
        if proc.returncode != 0:
            return _install_failed(npm, proc.stderr)
        return _run(["node", script.name], folder, timeout, _base_environ(env_name), f"npm install {' '.join(install.npm)} in a fresh folder",
                              memory_gib)


def _check_shell(script: Path, install: InstallScript, env_name: str, timeout: float, memory_gib: float | None) -> CheckResult:
    """The tool from its Debian packages (or the suite's build of its native library), the script run by bash."""
    return _run(["bash", script.name], script.parent, timeout, _base_environ(env_name), _native(env_name) if install.native else "", memory_gib)
