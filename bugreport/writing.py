"""A report's scripts on disk: each script with the files beside it and its install line, and their checks.

A reader has one script or several (a command-line tool: a shell script in
the tool's own terms first, then a Python one); each is written as
reproduce<suffix>, a Node.js script with its package.json, and each can be run
alone in a fresh environment (check.py).
"""

from __future__ import annotations

import functools
import platform
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from zipstore_compat.bugreport import check as checker
from zipstore_compat.bugreport.literals import cdl_values
from zipstore_compat.bugreport.script import ScriptSpec, assemble, packages, specs_for
from zipstore_compat.compat_tests.workers import DEFAULT_MEMORY_GIB
from zipstore_compat.envs import InstallScript, ensure_environment, get_environment, install_script
from zipstore_compat.envs.registry import node_version

RUN = {"python": "python", "node": "node", "shell": "bash"}          # how the issue says to run a script
FENCE = {"python": "python", "node": "js", "shell": "sh"}            # its Markdown code block


@dataclass
class Written:
    spec: ScriptSpec
    path: Path
    text: str
    install: InstallScript
    memory_gib: float | None = None     # the memory cap it runs under (a crash seen at the matrix's cap)
    check: checker.CheckResult | None = None

    @property
    def run_line(self) -> str:
        run = f"{RUN[self.spec.language]} {self.path.name}"
        return f"(ulimit -v {int(self.memory_gib * 2**20)}; {run})  # the memory cap of the matrix's workers" if self.memory_gib else run


NETCDF_DEFAULT_FILLS = {"i1": -127, "u1": 255, "i2": -32767, "u2": 65535, "i4": -2147483647, "u4": 4294967295,
                        "i8": -9223372036854775806, "u8": 18446744073709551614, "f4": 9.9692099683868690e+36, "f8": 9.9692099683868690e+36}


def fill_text(record: dict, dtype: str) -> str:
    """The value ncdump prints as `_`, as it would print it: the array's fill value, else netCDF's default fill for the type."""
    if dtype == "string" or np.dtype(dtype).str[1:] not in NETCDF_DEFAULT_FILLS:
        return ""
    fill = record.get("fill_value")
    if fill is None:
        fill = NETCDF_DEFAULT_FILLS[np.dtype(dtype).str[1:]]
    try:
        return cdl_values(np.array([fill]).astype(dtype), dtype)
    except (TypeError, ValueError):
        return ""


def write_scripts(reader, folder: Path, title: str, *, archive: Path, embed: bool, array: str, values: np.ndarray, dtype: str,
                  record: dict, attrs: dict, extra: dict, download: tuple[str, str] | None, wanted: str) -> list[Written]:
    """Every script of the reader's report that can show the outcome `wanted`, written into `folder` (the report's own first).

    A script that judges the values alone (a command-line tool's shell script) cannot show a failure of the
    attributes or the listing (`partial`): the reader's other script is the report's own then.
    A crash seen at the matrix's memory cap is shown under the same cap.
    """
    written = []
    for spec in specs_for(reader):
        if spec.values_only and wanted == "partial":
            continue
        # the script's packages at the versions the matrix ran (a shell script's are its tool's Debian packages)
        install = install_script(reader.env, packages(spec), debian=spec.language == "shell")
        text, side = assemble(spec, title, install.line(), archive=archive, embed=embed, array=array, values=values, dtype=dtype,
                              attrs=attrs, dims=record.get("dims"), extra=dict(extra, FILL=fill_text(record, dtype)), download=download)
        path = folder / spec.file_name
        path.write_text(text, encoding="utf-8")
        for name, content in side.items():
            (folder / name).write_bytes(content)
        if install.npm:
            (folder / "package.json").write_text(install.package_json(), encoding="utf-8")
        written.append(Written(spec, path, text, install, DEFAULT_MEMORY_GIB if wanted == "crash" else None))
    return written


def check_scripts(written: list[Written], env_name: str, timeout: float, wanted: str, log, lock=None) -> None:
    """Run each script alone in a fresh environment made from its install line; the result is kept on it."""
    for script in written:
        log(f"checking {script.path.name} in a fresh environment ({script.install.line()[:120]}) ...")
        if lock is not None:
            lock.take()
        script.check = checker.check(script.path, script.install, env_name, timeout=timeout, memory_gib=script.memory_gib)
        log(f"  {script.path.name} shows: {script.check.outcome} (the cell: {wanted})" + (f"; {script.check.notes}" if script.check.notes else ""))


@functools.lru_cache(maxsize=None)
def _python_facts(python: Path) -> tuple[str, str]:
    proc = subprocess.run([str(python), "-c", "import platform; print(platform.python_version()); print(platform.platform())"],
                          capture_output=True, text=True, check=True)
    version, plat = proc.stdout.splitlines()[:2]
    return f"Python {version}", plat


def runtime_facts(spec: ScriptSpec, env_name: str) -> tuple[str, str]:
    """(the runtime the script needs, the platform): Python of the reader's environment, Node.js, or none for a shell script."""
    if get_environment(env_name).node:
        return f"Node.js {node_version()}", platform.platform()
    python_runtime, plat = _python_facts(ensure_environment(env_name))
    return (python_runtime if spec.language == "python" else ""), plat
