"""The suite as a package: one import package, zipstore_compat, each module under one name, a wheel that installs
exactly that, and nothing written into site-packages by a run (docs/guide/maintainers.md)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# run a command in this process the way `python -m MODULE ARGS` runs it, then say which files were loaded under more
# than one module name (the checkout's files only)
ONE_NAME_DRIVER = r"""
import json, os, runpy, sys
root, mode, args = sys.argv[1], sys.argv[2], sys.argv[3:]
sys.path.insert(0, root)
if mode == "pytest":
    import pytest
    pytest.main(args)
else:
    sys.argv = [mode, *args]
    try:
        runpy.run_module(mode, run_name="__main__", alter_sys=True)
    except SystemExit:
        pass
names = {}
for name, module in list(sys.modules.items()):
    path = getattr(module, "__file__", None)
    if name == "__main__" or not path or not os.path.realpath(path).startswith(root + os.sep):
        continue
    names.setdefault(os.path.realpath(path), {})[id(module)] = name
print("ONE-NAME " + json.dumps({path: sorted(ids.values()) for path, ids in names.items() if len(ids) > 1}))
"""


def _one_name(mode: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", ONE_NAME_DRIVER, str(ROOT), mode, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": ""})
    line = next((l for l in proc.stdout.splitlines() if l.startswith("ONE-NAME ")), None)
    assert line, proc.stdout[-2000:] + proc.stderr[-2000:]
    return json.loads(line[len("ONE-NAME "):])


@pytest.mark.parametrize("mode,args", [
    ("fixtures", ["list"]),                        # python -m fixtures list, from the checkout's root
    ("compat_tests", ["report", "diff", "x.json", "y.json"]),
    ("repro", ["--help"]),
    ("zipstore_compat", ["fixtures", "list"]),
    ("pytest", ["compat_tests", "--collect-only", "-q", "--no-build", "--readers", "zarr3", "--fixture-ids", "mnist-v3-stored",
                "-p", "no:cacheprovider", "-p", "no:xdist"]),   # pytest collecting the matrix from the checkout
])
def test_no_module_is_loaded_under_two_names(mode, args):
    assert _one_name(mode, *args) == {}


def test_a_short_name_is_the_qualified_module():
    proc = subprocess.run([sys.executable, "-c", "import fixtures, compat_tests.readers as r, zipstore_compat.fixtures as q, sys; "
                           "print(fixtures is q, r is sys.modules['zipstore_compat.compat_tests.readers'])"],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ""})
    assert proc.stdout.split() == ["True", "True"], proc.stderr


def test_the_version_is_the_suites_release():
    import zipstore_compat

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert zipstore_compat.__version__ == declared


def test_locations_in_a_checkout_and_installed(tmp_path, monkeypatch):
    from zipstore_compat.core import locations

    assert locations.is_checkout() and locations.work_root() == ROOT and locations.reports() == ROOT / "reports"
    installed = tmp_path / "site-packages" / "zipstore_compat"
    installed.mkdir(parents=True)
    assert not locations.is_checkout(installed)
    monkeypatch.delenv("ZIPCOMPAT_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert locations.user_cache() == tmp_path / "cache" / "zipstore-compat"


def _uv() -> str:
    uv = shutil.which("uv") or str(ROOT / ".cache" / "bootstrap" / "bin" / "uv")
    if not Path(uv).exists():
        pytest.skip("uv is not installed here (./run installs it)")
    return uv


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a fresh clone of this checkout's committed state (the build backend from the registry)."""
    out = tmp_path_factory.mktemp("wheel")
    clone = out / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    proc = subprocess.run([_uv(), "build", "--wheel", "--out-dir", str(out)], cwd=clone, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return next(out.glob("zipstore_compat-*.whl"))


@pytest.mark.slow
@pytest.mark.network
def test_the_wheel_holds_one_import_package_and_its_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"zipstore_compat", wheel.name.split("-py3")[0] + ".dist-info"}
    for data in ("matrix.yaml", "envs/environments.toml", "envs/native/gdal.sh", "envs/node/zarrita/package-lock.json",
                 "compat_tests/adapters/zarrita_js.mjs", "compat_tests/reports/assets/matrix.js", "external/catalogue.toml",
                 "bugreport/templates/python/zarr3.py", "release/corpus.json", "release/results.json", "compat_tests/test_matrix.py"):
        assert f"zipstore_compat/{data}" in names, data
    assert not [n for n in names if "__pycache__" in n or n.startswith("zipstore_compat/tests/")]
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "[pytest11]" in entry_points and "zipstore_compat.compat_tests.plugin" in entry_points


@pytest.mark.slow
@pytest.mark.network
def test_the_wheel_installs_in_a_fresh_venv_and_a_run_writes_only_where_it_runs(wheel, tmp_path, hostile_dir):
    """Installed alone: its top-level names, its commands, and a maintainer's run with a library that is not there:
    every cell not-installed (naming zarr), exit status 1, results in the current folder, site-packages untouched."""
    venv = tmp_path / "venv"
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run([_uv(), "venv", "-q", "--python", os.path.realpath(sys.executable), str(venv)], check=True,
                   env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"})
    python = str(venv / "bin" / "python")
    proc = subprocess.run([_uv(), "pip", "install", "-q", "--python", python, str(wheel)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True,
                               check=True).stdout.strip())
    ours = subprocess.run([python, "-c", "import importlib.metadata as m; print(sorted({str(f).split('/')[0] for f in m.files('zipstore-compat')}))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    assert ours == str(sorted({"zipstore_compat", wheel.name.split("-py3")[0] + ".dist-info"})), ours
    for generic in ("compat_tests", "fixtures", "datasets", "core", "envs"):
        assert not (site / generic).exists(), f"{generic} in site-packages"
    work = tmp_path / "work"
    work.mkdir()
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ZIPCOMPAT_READER_DIRS", "VIRTUAL_ENV")}
    clean["ZIPCOMPAT_CACHE"] = str(tmp_path / "cache")
    assert subprocess.run([python, "-m", "zipstore_compat", "--help"], cwd=work, capture_output=True, env=clean).returncode == 0
    before = sorted(str(p.relative_to(site)) for p in site.rglob("*") if "__pycache__" not in p.parts)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("hostile-baseline.zip", "hostile-baseline.manifest.json", "hostile-bad-crc.zip", "hostile-bad-crc.manifest.json"):
        shutil.copyfile(hostile_dir / name, corpus / name)
    (work / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    proc = subprocess.run([python, "-m", "pytest", "--pyargs", "zipstore_compat", "--use-current-env", "--readers", "zarr3",
                           "--corpus", str(corpus), "-p", "no:cacheprovider", "-q"], cwd=work, capture_output=True, text=True, env=clean, timeout=600)
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-2000:]
    results = json.loads((work / "reports" / "results.json").read_text(encoding="utf-8"))
    assert {c["fixture"] for c in results["cells"]} == {"hostile-baseline", "hostile-bad-crc"}
    assert all(c["outcome"] == "not-installed" and "'zarr'" in c["message"] for c in results["cells"]), results["cells"][0]
    assert (work / "reports" / "summary.md").read_text(encoding="utf-8").count("not-installed") >= 2
    after = sorted(str(p.relative_to(site)) for p in site.rglob("*") if "__pycache__" not in p.parts)
    assert after == before, set(after) ^ set(before)
