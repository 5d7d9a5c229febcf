"""The products (bug reports, repro bundles, benchmarks, repository files) run as `python -m <product>` and through
the harness's command hub, `python -m compat_tests COMMAND`, which forwards to them by name (docs/reference/products.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# the hub's command -> the module that runs it (compat_tests/__main__.py PRODUCTS holds each under its one name,
# zipstore_compat.<module>; TYPED is the name a user types in a checkout)
COMMANDS = {"repro": "repro", "report-bug": "bugreport", "bench": "bench", "bench-readers": "zipstore_compat.bench.readers",
            "bench-remote": "zipstore_compat.bench.remote",
            "reader-table": "zipstore_compat.repofiles.reader_table", "ci-workflow": "zipstore_compat.repofiles.ci_workflow"}
TYPED = {command: module.removeprefix("zipstore_compat.") for command, module in COMMANDS.items()}


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_the_hub_forwards_every_product_command():
    from zipstore_compat.compat_tests.__main__ import PRODUCTS

    assert PRODUCTS == {command: f"zipstore_compat.{module}" for command, module in TYPED.items()}


@pytest.mark.parametrize("command,module", sorted(TYPED.items()))
def test_a_product_runs_alone_and_through_the_hub_with_its_own_name(command, module):
    alone, hub = _run(module, "--help"), _run("compat_tests", command, "--help")
    assert alone.returncode == hub.returncode == 0, alone.stderr + hub.stderr
    assert alone.stdout.startswith(f"usage: python -m {module} ") and hub.stdout.startswith(f"usage: python -m compat_tests {command} ")
    assert alone.stdout.split("\n\n", 1)[1] == hub.stdout.split("\n\n", 1)[1]   # the same options, after the usage lines


@pytest.mark.parametrize("args", [("repro", "garbage"), ("bugreport", "garbage")])
def test_bad_input_is_the_same_one_line_alone_and_through_the_hub(args):
    hub_command = {v: k for k, v in TYPED.items()}[args[0]]
    alone, hub = _run(*args), _run("compat_tests", hub_command, *args[1:])
    assert alone.returncode == hub.returncode == 2 and alone.stderr == hub.stderr and len(hub.stderr.strip().splitlines()) == 1


def test_the_repository_files_agree_with_the_declarations():
    proc = _run("repofiles", "--check")
    assert proc.returncode == 0, proc.stderr
