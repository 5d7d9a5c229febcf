"""--check: run a report's script in a fresh environment made from its install line, and read its outcome.

The environment is a new uv venv on the reader environment's interpreter
(never a downloaded one), holding only what the install line names. A
native library built from source (netCDF-C with libzip) is not rebuilt: the
suite's build of the same recipe is reused, and the result says so.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from compat_tests.tools.bugreport.install import Install
from core.processes import child_environ
from envs import ensure_environment, get_environment
from envs.build import ensure_debian_packages, expand, find_interpreter, native_prefix, runtime_environ

OUTCOME_LINE = re.compile(r"^outcome: ([\w-]+)\s*$", re.M)


@dataclass
class CheckResult:
    outcome: str          # what the script showed: pass | partial | wrong-data | error | timeout | crash | not-run
    output: str           # the script's output (tail)
    seconds: float
    notes: str = ""

    def to_json(self) -> dict:
        return self.__dict__.copy()


def script_outcome(stdout: str, returncode: int) -> str:
    """The outcome a script printed last; a signal is a crash; no outcome line means the script itself broke."""
    if returncode < 0:
        return "crash"
    found = OUTCOME_LINE.findall(stdout)
    return found[-1] if found else "script-failed"


def check(script: Path, install: Install, env_name: str, timeout: float) -> CheckResult:
    env = get_environment(env_name)
    interpreter = find_interpreter(env.python)
    if interpreter is None:
        return CheckResult("not-run", "", 0.0, f"no Python {env.python} on this machine")
    notes = ""
    native = native_prefix(env)
    if env.native:
        ensure_environment(env_name)  # the suite's build of the native recipe, reused
        notes = f"native library reused from the suite's build ({', '.join(env.native)} in {native})"
    ensure_debian_packages(env_name, env.apt)
    uv_env = child_environ({"UV_PYTHON_DOWNLOADS": "never"}, project_path=False)  # uv never downloads an interpreter
    with tempfile.TemporaryDirectory(prefix="zipcompat-bugcheck-") as tmp:
        venv = Path(tmp) / "venv"
        python = str(venv / "bin" / "python")
        commands = [["uv", "venv", "-q", "--python", interpreter, str(venv)]]
        for flags, requirements in install.steps:
            no_cache = ["--no-cache"] if env.native and flags else []   # a wheel built against a native prefix
            commands.append(["uv", "pip", "install", "-q", "--python", python, *no_cache, *flags, *requirements])
        build_env = dict(uv_env, **expand(env.build_env, native, uv_env))
        for command in commands:
            proc = subprocess.run(command, capture_output=True, text=True, env=build_env)
            if proc.returncode != 0:
                return CheckResult("not-run", proc.stderr.strip()[-600:], 0.0, f"installing failed: {' '.join(command[:3])} ...")
        started = time.perf_counter()
        run_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"), **runtime_environ(env_name)}
        try:
            proc = subprocess.run([python, script.name], cwd=script.parent, capture_output=True, text=True, timeout=timeout, env=run_env)
        except subprocess.TimeoutExpired as exc:
            out = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
            return CheckResult("timeout", out[-1500:], timeout, notes)
        output = (proc.stdout + ("\n" + proc.stderr if proc.stderr.strip() else "")).strip()
        return CheckResult(script_outcome(proc.stdout, proc.returncode), output[-1500:], time.perf_counter() - started, notes)
