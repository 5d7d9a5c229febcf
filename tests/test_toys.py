"""A toy reader and a toy writer, each ONE new file in a copy of the project, picked up by everything with no other edit
than what the docs say (docs/reference/adding-a-reader.md, docs/reference/adding-a-writer.md): the registry, the
matrix (a run of a few cells), the reports (results.json, matrix.md, matrix.html, the summary's column or row), repro,
report-bug, the docs' reader table and the CI workflow (`python -m repofiles`), and `fixtures list`.

The copy is of the git-tracked files as they are in this checkout; it shares this checkout's caches (environments,
datasets, fixtures: all content-keyed), so only what the toy changes is built.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from zipstore_compat.envs import cache_root

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.slow, pytest.mark.network]

TOY_READER = '''\
"""A toy reader (tests/test_toys.py): zarr-python 3 through its ZipStore, refusing any member that is not stored."""
# reader: id = "toy"
# reader: env = "zarr3"
# reader: library = "toy (zarr-python 3)"
# reader: call = 'toy.open(path): zarr.open_group(zarr.storage.ZipStore(path)), stored members only'
# reader: package = "zarr"
# reader: version_key = "zarr"
# reader: bugreport = "python:zarr3"

from __future__ import annotations

from zipstore_compat.compat_tests.adapters.common import box, installed_version, read_each


def versions() -> dict:
    return {"zarr": installed_version("zarr"), "numpy": installed_version("numpy")}


def read(archive: str, manifest: dict, options: dict) -> dict:
    import zipfile

    import zarr
    from zarr.storage import ZipStore

    with zipfile.ZipFile(archive) as zf:
        packed = [i.filename for i in zf.infolist() if i.compress_type != zipfile.ZIP_STORED]
    if packed:
        raise NotImplementedError(f"toy reads stored members only; {packed[0]} is compressed")
    store = ZipStore(archive, mode="r")
    try:
        root = zarr.open_group(store, mode="r")
        listed = sorted(name for name, node in root.members(max_depth=None) if isinstance(node, zarr.Array))

        def one(expected):
            array = root[expected["path"]]
            return {"values": array[...], "slice": array[box(expected)], "attrs": dict(array.attrs),
                    "dims": list(array.metadata.dimension_names or []) or None}

        arrays, errors = read_each(manifest, one)
        return {"listed": listed, "arrays": arrays, "errors": errors}
    finally:
        store.close()
'''

# the one matrix.yaml entry adding-a-reader.md asks for: the toy's non-pass cell, with its reason and link
TOY_EXPECTATION = '''\
  - cells: ["toy--coads-v3-deflate"]
    outcome: error
    reason: The toy reader reads stored members only (tests/test_toys.py).
    link: https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT
'''

TOY_WRITER = '''\
"""A toy writer (tests/test_toys.py): a zarr-python 3 directory store zipped by Python's zipfile, names in reverse order."""
# writer: id = "toy"
# writer: env = "writer-zarr3"
# writer: what = "a directory store zipped by Python zipfile in reverse name order (the toy writer)"
# writer: call = "zipfile.ZipFile(path, 'w').writestr(name, data) for every file, last name first"
# writer: formats = [3]
# writer: datasets = ["coads"]
# writer: rank = 90

from __future__ import annotations

import zipfile
from pathlib import Path

from zipstore_compat.fixtures.writers import zarr3_writer
from zipstore_compat.fixtures.ziptools import FIXED_DATE, store_files


def versions() -> dict:
    return zarr3_writer.versions()


def write(job: dict, meta: dict, arrays: dict) -> None:
    store = Path(job["workdir"]) / "store"
    zarr3_writer.write_directory(str(store), meta, arrays, job["variant"])
    with zipfile.ZipFile(job["target"], "w") as zf:
        for name in reversed(store_files(store)):
            zf.writestr(zipfile.ZipInfo(name, date_time=FIXED_DATE), (store / name).read_bytes())
'''


def project_copy(tmp_path: Path) -> Path:
    """The git-tracked files of this checkout (as they are in its work tree) in a folder of their own."""
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    copy = tmp_path / "project"
    for name in filter(None, names):
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    return copy


def run(copy: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    """A command of the project, in the copy, with this checkout's caches (and none of its test-only readers)."""
    env = dict(os.environ, ZIPCOMPAT_CACHE=str(cache_root()))
    env.pop("ZIPCOMPAT_READER_DIRS", None)
    env.pop("PYTHONPATH", None)
    return subprocess.run([sys.executable, *args], cwd=copy, capture_output=True, text=True, timeout=timeout, env=env)


def check(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert proc.returncode == 0, (proc.args, proc.stdout[-2000:], proc.stderr[-3000:])
    return proc


def matrix(copy: Path, readers: str, fixture_ids: str, fixtures: Path) -> dict:
    """A run of a few cells (the matrix's own pytest session, one process), its results.json."""
    results = copy / "reports" / "results.json"
    proc = run(copy, "-m", "pytest", "compat_tests", "-q", "-n", "0", "-p", "no:cacheprovider", "--readers", readers,
               "--fixture-ids", fixture_ids, "--no-build", "--fixtures-dir", str(fixtures), "--results", str(results), "--rerun")
    assert proc.returncode in (0, 1) and results.exists(), proc.stdout[-3000:] + proc.stderr[-2000:]
    return json.loads(results.read_text(encoding="utf-8"))


def build_fixtures(copy: Path, out: Path, *ids: str) -> None:
    check(run(copy, "-m", "zipstore_compat.fixtures", "build", "--quiet", "--out", str(out), *ids))


def test_a_toy_reader_is_one_file(tmp_path):
    copy = project_copy(tmp_path)
    (copy / "compat_tests" / "adapters" / "toy.py").write_text(TOY_READER, encoding="utf-8")
    matrix_file = copy / "matrix.yaml"
    matrix_file.write_text(matrix_file.read_text(encoding="utf-8").replace("expectations:\n", "expectations:\n" + TOY_EXPECTATION, 1),
                           encoding="utf-8")
    fixtures = tmp_path / "fixtures"
    build_fixtures(copy, fixtures, "coads-v3-stored", "coads-v3-deflate")

    # the repository files, written again from the declarations: the docs' reader table and the CI workflow name it
    assert run(copy, "-m", "zipstore_compat.repofiles", "--check").returncode != 0   # they do not agree until written again
    check(run(copy, "-m", "zipstore_compat.repofiles"))
    assert "`toy`" in (copy / "docs" / "reference" / "readers.md").read_text(encoding="utf-8")
    assert "toy" in (copy / ".github" / "workflows" / "matrix.yml").read_text(encoding="utf-8")
    check(run(copy, "-m", "zipstore_compat.repofiles", "--check"))

    # the matrix: its cells, judged, expected as matrix.yaml says, in the reports with a summary column of its own
    results = matrix(copy, "toy", "coads-v3-stored,coads-v3-deflate", fixtures)
    cells = {c["cell"]: c for c in results["cells"]}
    assert cells["toy--coads-v3-stored"]["outcome"] == "pass"
    assert cells["toy--coads-v3-deflate"]["outcome"] == "error" and cells["toy--coads-v3-deflate"]["as_expected"]
    assert cells["toy--coads-v3-deflate"]["report_bug"]
    assert any(f["id"] == "toy" for f in results["summary"]["families"])
    assert "toy--coads-v3-deflate" in (copy / "reports" / "matrix.md").read_text(encoding="utf-8")
    assert '{"id":"toy","family":"toy"' in (copy / "reports" / "matrix.html").read_text(encoding="utf-8")   # a reader of the page

    # repro and report-bug take it by its cell id
    check(run(copy, "-m", "zipstore_compat.compat_tests", "repro", "toy--coads-v3-stored", "--out", str(tmp_path / "repro")))
    assert (tmp_path / "repro" / "README.md").exists()
    check(run(copy, "-m", "zipstore_compat.compat_tests", "report-bug", "toy--coads-v3-deflate", "--out", str(tmp_path / "bug"),
              "--results", str(copy / "reports" / "results.json")))
    assert "toy" in (tmp_path / "bug" / "ISSUE.md").read_text(encoding="utf-8")


def test_a_toy_writer_is_one_file(tmp_path):
    """A new value of the writer axis: its archives join the default set, the matrix, a summary row, repro and report-bug."""
    copy = project_copy(tmp_path)
    (copy / "fixtures" / "writers" / "toy_writer.py").write_text(TOY_WRITER, encoding="utf-8")
    listed = json.loads(check(run(copy, "-m", "zipstore_compat.fixtures", "list", "--json")).stdout)
    toy = [row for row in listed if "writer:toy" in row["tags"]]
    assert [row["id"] for row in toy] == ["coads-v3-stored-toy"]
    fixtures = tmp_path / "fixtures"
    build_fixtures(copy, fixtures, "coads-v3-stored-toy", "coads-v3-stored")
    manifest = json.loads((fixtures / "coads-v3-stored-toy.manifest.json").read_text(encoding="utf-8"))
    assert manifest["writer"]["name"] == "toy" and manifest["writer_check"]["intact"]
    import zipfile

    names = zipfile.ZipFile(fixtures / "coads-v3-stored-toy.zip").namelist()
    assert names == sorted(names, reverse=True)   # the toy's own code wrote it

    results = matrix(copy, "zarr3,h5py", "coads-v3-stored,coads-v3-stored-toy", fixtures)
    cells = {c["cell"]: c for c in results["cells"]}
    assert cells["zarr3--coads-v3-stored-toy"]["outcome"] == "pass"
    assert cells["zarr3--coads-v3-stored-toy"]["writer"] == {"id": "toy", "intact": True, "problems": [], "nondeterministic": ""}
    row = next(r for r in results["summary"]["rows"] if r["id"] == "writer-toy")
    assert row["group"] == "Written by" and row["fixtures"] == ["coads-v3-stored-toy"] and row["archive"]["verdict"] == "intact"
    assert row["families"]["zarr-python"]["text"] == "reads"
    assert {"fixture": "coads-v3-stored-toy", "writer": "toy", "intact": True, "problems": [], "nondeterministic": False} in results["writers"]
    html = (copy / "reports" / "matrix.html").read_text(encoding="utf-8")
    assert "writer:toy" in html and "id=writer" in html   # the page's writer filter

    check(run(copy, "-m", "zipstore_compat.compat_tests", "repro", "zarr3--coads-v3-stored-toy", "--out", str(tmp_path / "repro")))
    # h5py (the negative control) fails on every archive: a bug report of it shrinks the toy's archive with the toy writer
    check(run(copy, "-m", "zipstore_compat.compat_tests", "report-bug", "h5py--coads-v3-stored-toy", "--out", str(tmp_path / "bug"),
              "--results", str(copy / "reports" / "results.json")))
    report = json.loads((tmp_path / "bug" / "report.json").read_text(encoding="utf-8"))
    steps = [step["name"] for step in report["steps"]]
    # it shrank the toy's archive written by the toy (its tiny archives are the toy writer's), then tried the baseline
    # writer instead, which h5py fails on too
    assert steps[0].startswith("only the smallest array") and "writer=zarr3 (zarr-python 3 ZipStore) instead of toy" in steps
