"""--use-current-env: the caller's interpreter, node_modules and PATH; a library that is not there is not-installed,
naming what is missing (compat_tests/current_env.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zipstore_compat.compat_tests.current_env import CurrentEnvironment, node_modules_folder
from zipstore_compat.compat_tests.readers import all_readers

HERE = CurrentEnvironment("/opt/py/bin/python", Path("/work/node_modules"))


@pytest.mark.parametrize("reader,status,error,versions,said", [
    ("zarr3", "error", "ModuleNotFoundError: No module named 'zarr'", None, "the Python module 'zarr' is not importable by /opt/py/bin/python"),
    ("zarr3", "ok", "", {"versions": "unknown (ModuleNotFoundError: No module named 'zarr')"}, "the Python module 'zarr' is not importable"),
    ("zarrita-js", "error", "Error: ENOENT: no such file or directory, open '/work/node_modules/zarrita/package.json'", None,
     "/work/node_modules/zarrita/package.json is not there: the package is not installed in --node-modules /work/node_modules"),
    ("gdal-cli-mdim", "ok", "", {"gdal": "unknown (FileNotFoundError: [Errno 2] No such file or directory: 'gdalmdiminfo')"},
     "the command 'gdalmdiminfo' is not on PATH"),
    ("zarrita-js", "crash", "worker died: exit code 127 (cannot start node: [Errno 2] No such file or directory: 'node')", None,
     "the command 'node' is not on PATH"),
])
def test_a_missing_library_is_named(reader, status, error, versions, said):
    why = HERE.why_not_installed(all_readers()[reader], status, error, versions)
    assert why is not None and said in why and why.startswith(f"{all_readers()[reader].library} is not installed here"), why


def test_an_installed_library_or_another_failure_is_not_not_installed():
    zarr3 = all_readers()["zarr3"]
    assert HERE.why_not_installed(zarr3, "ok", "", {"zarr": "3.4.2"}) is None
    assert HERE.why_not_installed(zarr3, "error", "ValueError: the adapter's own bug", None) is None   # an error cell, said as such


def test_node_readers_get_the_folder_and_python_readers_nothing_else(tmp_path):
    assert HERE.variables("zarrita-js") == {"ZIPCOMPAT_NODE_MODULES": "/work/node_modules"}
    assert CurrentEnvironment("/x/python").variables("zarr3") == {}
    assert node_modules_folder(None, tmp_path) == tmp_path / "node_modules"
    assert node_modules_folder(str(tmp_path / "n")) == tmp_path / "n"


def test_a_versions_lane_reader_with_use_current_env_is_one_line():
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, "-m", "pytest", "compat_tests", "--collect-only", "-q", "--no-build", "--use-current-env",
                           "--readers", "zarr3@3.1.6", "-p", "no:cacheprovider", "-p", "no:xdist"], cwd=root, capture_output=True, text=True)
    assert proc.returncode == 4 and "--use-current-env runs the release installed here" in proc.stderr, proc.stdout + proc.stderr
