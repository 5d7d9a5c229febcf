"""Reports from real matrix runs: results.json, Markdown, HTML in Chromium, merge and diff."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compat_tests import results

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "reports" / "screenshots"
FIXTURES = "coads-v3-stored,coads-v3-stored-zipfile-nested,synthetic-v3-stored-zipcli"


def _run_matrix(tmp: Path, readers: str, name: str, fixtures_dir: Path) -> Path:
    (tmp / name).mkdir()
    out = tmp / name / "results.json"
    proc = subprocess.run(
        [sys.executable, "-m", "compat_tests", "run", "--no-build", "--readers", readers, "--fixture-ids", FIXTURES,
         "--fixtures-dir", str(fixtures_dir), "--results", str(out), "-p", "no:xdist"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert out.exists(), proc.stdout[-2000:] + proc.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, built_fixtures):
    tmp = tmp_path_factory.mktemp("runs")
    fixtures_dir = Path(built_fixtures["coads-v3-stored"]["_archive"]).parent  # what this session built, not build/
    return _run_matrix(tmp, "zarr3,h5py", "a", fixtures_dir), _run_matrix(tmp, "zarr3,dask", "b", fixtures_dir)


def test_results_json_comes_from_the_run(two_runs):
    data = results.load(two_runs[0])
    cells = {c["cell"]: c for c in data["cells"]}
    assert set(cells) == {f"{r}--{f}" for r in ("zarr3", "h5py") for f in FIXTURES.split(",")}
    assert cells["zarr3--coads-v3-stored"]["outcome"] == "pass"
    assert cells["h5py--coads-v3-stored"]["outcome"] == "unsupported" and cells["h5py--coads-v3-stored"]["link"].startswith("https://")
    assert cells["zarr3--coads-v3-stored-zipfile-nested"]["option"]
    assert data["run"]["readers"]["zarr3"]["zarr"]
    for cell in cells.values():
        assert cell["repro"].endswith(cell["cell"]) and cell["as_expected"], cell
        assert cell["outcome"] != "fixture-error", cell["message"]
    assert two_runs[0].with_name("matrix.md").exists() and two_runs[0].with_name("matrix.html").exists()


def test_merge_and_diff_of_two_real_runs(two_runs, tmp_path):
    a, b = (results.load(p) for p in two_runs)
    merged = results.merge([a, b])
    readers = {c["reader"] for c in merged["cells"]}
    assert readers == {"zarr3", "h5py", "dask"} and len(merged["run"]["merged_from"]) == 2
    changes = results.diff(a, b)
    assert {c for c, _, _ in changes["new cells"]} == {f"dask--{f}" for f in FIXTURES.split(",")}
    assert {c for c, _, _ in changes["gone"]} == {f"h5py--{f}" for f in FIXTURES.split(",")}
    # an outcome that got worse is a regression, a better one newly passing
    worse = json.loads(json.dumps(b))
    for cell in worse["cells"]:
        if cell["cell"] == "zarr3--coads-v3-stored":
            cell["outcome"] = "wrong-data"
    assert ("zarr3--coads-v3-stored", "pass", "wrong-data") in results.diff(b, worse)["regressed"]
    assert ("zarr3--coads-v3-stored", "wrong-data", "pass") in results.diff(worse, b)["newly passing"]
    proc = subprocess.run([sys.executable, "-m", "compat_tests", "report", "merge", *map(str, two_runs), "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "results.json").exists() and (tmp_path / "matrix.html").exists()
    proc = subprocess.run([sys.executable, "-m", "compat_tests", "report", "diff", *map(str, two_runs)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0 and "## new cells (3)" in proc.stdout


def test_bad_results_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{\"not\": \"results\"}")
    proc = subprocess.run([sys.executable, "-m", "compat_tests", "report", "render", str(bad)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 1 and "not a zipstore-compat results file" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is installed by ./run")
def test_html_table_in_chromium(two_runs):
    from playwright.sync_api import sync_playwright

    page_path = two_runs[0].with_name("matrix.html")
    data = results.load(two_runs[0])
    non_pass = [c for c in data["cells"] if c["outcome"] != "pass"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])
        page = browser.new_page(viewport={"width": 1100, "height": 800})
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_path.as_uri())
        assert page.locator("table#matrix tbody tr:not(.axis)").count() == len(FIXTURES.split(","))
        assert page.locator("ol.notes li").count() == len(non_pass)
        for cell in non_pass:
            note = page.locator(f"li[data-cell='{cell['cell']}']")
            assert cell["repro"] in note.inner_text()
        page.screenshot(path=str(SCREENSHOTS / "matrix.png"), full_page=True)
        page.select_option("#reader", "h5py")
        assert page.locator("thead th[data-reader='zarr3']").is_hidden()
        assert page.locator("thead th[data-reader='h5py']").is_visible()
        assert page.locator("li[data-cell^='zarr3--']").first.is_hidden()
        page.select_option("#reader", "")
        page.select_option("#tag", "layout:folder")
        visible = [r for r in page.locator("table#matrix tbody tr:not(.axis)").all() if r.is_visible()]
        assert len(visible) == 1 and "nested" in visible[0].inner_text()
        narrow = browser.new_page(viewport={"width": 380, "height": 800})
        narrow.goto(page_path.as_uri())
        assert narrow.evaluate("document.documentElement.scrollWidth") <= 400, "the page itself must not scroll sideways; the table does"
        narrow.screenshot(path=str(SCREENSHOTS / "matrix-narrow.png"))
        browser.close()
    assert all(u.startswith("file://") for u in requests), f"the page loads nothing from outside: {requests}"
