"""Reports from real matrix runs: results.json, Markdown, HTML in Chromium, merge and diff."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from zipstore_compat.compat_tests.reports import results
from zipstore_compat.compat_tests.cells import Describer
from zipstore_compat.compat_tests.readers import matrix_readers
from zipstore_compat.compat_tests.reports.summary import summarize

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "reports" / "screenshots"
FIXTURES = "coads-v3-stored,coads-v3-stored-zipfile-nested,synthetic-v3-stored-zipcli"


def _run_matrix(tmp: Path, readers: str, name: str, fixtures_dir: Path) -> Path:
    (tmp / name).mkdir()
    out = tmp / name / "results.json"
    proc = subprocess.run(
        [sys.executable, "-m", "zipstore_compat.compat_tests", "run", "--no-build", "--readers", readers, "--fixture-ids", FIXTURES,
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
    assert data["summary"] == summarize(data) and [f["id"] for f in data["summary"]["families"]] == ["zarr-python", "h5py"]
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
    proc = subprocess.run([sys.executable, "-m", "zipstore_compat.compat_tests", "report", "merge", *map(str, two_runs), "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "results.json").exists() and (tmp_path / "matrix.html").exists()
    proc = subprocess.run([sys.executable, "-m", "zipstore_compat.compat_tests", "report", "diff", *map(str, two_runs)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0 and "## new cells (3)" in proc.stdout


def test_bad_results_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{\"not\": \"results\"}")
    proc = subprocess.run([sys.executable, "-m", "zipstore_compat.compat_tests", "report", "render", str(bad)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 1 and "not a zipstore-compat results file" in proc.stderr and "Traceback" not in proc.stderr


CHROMIUM = pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is installed by ./run")
PAGE_BUDGET = 1_000_000  # bytes, for the default matrix


def _browser(playwright):
    return playwright.chromium.launch(executable_path=shutil.which("chromium"), args=[
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])


def _watch(page, requests: list, errors: list):
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page


def _in_sight(page, selector: str) -> bool:
    """The element is on screen and nothing (the panel, a sticky header) covers its middle, once the page's layout has
    settled (checked as the page renders, for up to 5 s, instead of at one instant after a navigation)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function("""s => { const e = document.querySelector(s), r = e.getBoundingClientRect();
            if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth) return false;
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return hit === e || e.contains(hit); }""", arg=selector, timeout=5000)
        return True
    except PlaywrightTimeout:
        return False


@CHROMIUM
def test_html_page_in_chromium(two_runs):
    from playwright.sync_api import expect, sync_playwright

    from zipstore_compat.compat_tests.reports.html import write_html
    from zipstore_compat.compat_tests.reports.since import changed as since_changed

    page_path = two_runs[0].with_name("matrix.html")
    data = results.load(two_runs[0])
    cells = {c["cell"]: c for c in data["cells"]}
    refused, optioned = cells["h5py--coads-v3-stored"], cells["zarr3--coads-v3-stored-zipfile-nested"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    requests, errors = [], []
    with sync_playwright() as p:
        browser = _browser(p)
        page = _watch(browser.new_page(viewport={"width": 1440, "height": 900}), requests, errors)
        page.goto(page_path.as_uri())
        # the summary first: families in their order, verdicts in words, derived from the cells
        families = page.eval_on_selector_all("#summary thead th[data-family]", "els => els.map(e => e.dataset.family)")
        assert families == ["zarr-python", "h5py"]
        assert page.locator("[data-key='summary:baseline:zarr-python']").inner_text().startswith("reads")
        assert page.locator("[data-key='summary:baseline:h5py']").inner_text().startswith("fails")
        folder = " ".join(page.locator("[data-key='summary:layout-folder-v3:zarr-python']").inner_text().split())
        assert folder.startswith(f"reads with option {optioned['option']}"), folder
        assert page.evaluate("document.getElementById('summary-wrap').scrollWidth <= document.getElementById('summary-wrap').clientWidth")
        # every cell, readers in family order, no footnotes
        assert page.eval_on_selector_all("#matrix thead th[data-reader]", "els => els.map(e => e.dataset.reader)") == ["zarr3", "h5py"]
        assert page.locator("#matrix tbody tr.fixture").count() == len(FIXTURES.split(","))
        assert page.locator("ol.notes").count() == 0
        page.screenshot(path=str(SCREENSHOTS / "matrix.png"))
        # details on click: message, reason, link, read time, repro; the address becomes the permanent link
        panel = page.locator("#panel")
        assert panel.is_hidden()
        page.locator(f"[data-cell='{refused['cell']}']").click()
        text = panel.inner_text()
        assert refused["repro"] in text and refused["link"] in text and refused["reason"].split()[0] in text and "read time" in text
        assert page.evaluate("location.hash") == f"#{refused['cell']}"
        page.screenshot(path=str(SCREENSHOTS / "matrix-panel.png"))
        page.keyboard.press("Escape")
        assert panel.is_hidden()
        # ... and on keyboard focus
        page.locator(f"[data-cell='{optioned['cell']}']").focus()
        assert panel.is_visible() and optioned["option"] in panel.inner_text()
        # a summary cell lists the cells behind it, and links to them
        page.locator("[data-key='summary:baseline:h5py']").click()
        assert panel.locator(f"a[href='#{refused['cell']}']").count() == 1
        page.locator(f"#panel a[href='#{refused['cell']}']").click()
        # the link changes the address; the page opens the cell on the hashchange event, which comes after the click
        expect(panel).to_contain_text(refused["repro"], timeout=5000)
        # filters: by reader, by property, by outcome
        page.select_option("#reader", "h5py")
        assert page.eval_on_selector_all("#matrix thead th[data-reader]", "els => els.map(e => e.dataset.reader)") == ["h5py"]
        page.select_option("#reader", "")
        page.select_option("#property", "row:layout-folder-v3")
        assert page.locator("#matrix tbody tr.fixture").all_inner_texts()[0].startswith("coads-v3-stored-zipfile-nested")
        assert page.locator("#matrix tbody tr.fixture").count() == 1
        page.select_option("#property", "")
        page.select_option("#outcome", "unsupported")
        assert page.locator("#matrix td.c:not(.dim)").count() == sum(c["outcome"] == "unsupported" for c in cells.values())
        # a permanent link opens its cell, even when filters hide it
        page.goto(page_path.as_uri() + f"#{optioned['cell']}")
        fresh = _watch(browser.new_page(viewport={"width": 1440, "height": 900}), requests, errors)
        fresh.goto(page_path.as_uri() + f"#{refused['cell']}")
        assert fresh.locator("#panel").is_visible() and refused["cell"] in fresh.locator("#panel h3").inner_text()
        assert "current" in fresh.locator(f"[data-cell='{refused['cell']}']").get_attribute("class")
        assert _in_sight(fresh, f"[data-cell='{refused['cell']}']")
        # a phone: the page does not scroll sideways (the tables do), the panel opens over the lower part
        narrow = _watch(browser.new_page(viewport={"width": 390, "height": 844}), requests, errors)
        narrow.goto(page_path.as_uri())
        assert narrow.evaluate("document.documentElement.scrollWidth") <= 390
        narrow.screenshot(path=str(SCREENSHOTS / "matrix-narrow.png"))
        narrow.goto(page_path.as_uri() + f"#{optioned['cell']}")
        narrow.reload()
        assert narrow.locator("#panel").is_visible() and _in_sight(narrow, f"[data-cell='{optioned['cell']}']")
        narrow.screenshot(path=str(SCREENSHOTS / "matrix-narrow-panel.png"))
        # no versions lane in this run: no "since" table
        assert page.locator("#since-section").is_hidden()
        # "since which version", as matrix.md lists it: zarr3 tested at two releases, the older one failing everywhere
        laned = _with_an_older_release(data, "zarr3", "3.0.10")
        changed = since_changed(laned)
        assert changed, laned["since"]
        since_page = page_path.with_name("matrix-since.html")
        write_html(laned, since_page)
        for width in (1440, 390):
            view = _watch(browser.new_page(viewport={"width": width, "height": 900}), requests, errors)
            view.goto(since_page.as_uri())
            assert view.locator("#since-section").is_visible()
            rows = view.locator("#since tbody tr").all_inner_texts()
            assert len(rows) == len(changed) and all(s["fixture"] in r and s["text"] in r for s, r in zip(changed, rows)), rows
            assert view.evaluate("document.documentElement.scrollWidth") <= width, "the page does not scroll sideways"
            view.screenshot(path=str(SCREENSHOTS / f"matrix-since-{width}.png"), full_page=False)
        view.locator("#since tbody a").first.click()   # the fixture links to the newest release's cell (on hashchange)
        expect(view.locator("#panel h3")).to_contain_text(changed[0]["tested"][-1]["cell"], timeout=5000)
        assert view.locator("#panel").is_visible()
        browser.close()
    assert not errors, errors
    assert all(u.startswith("file://") for u in requests), f"the page loads nothing from outside: {requests}"


def _with_an_older_release(data: dict, reader: str, release: str) -> dict:
    """The run with a versions-lane copy of `reader` at `release` that fails every fixture, and its `since` section."""
    from zipstore_compat.compat_tests.reports.since import since

    laned = json.loads(json.dumps(data))
    newest = [c for c in laned["cells"] if c["reader"] == reader]
    for cell in newest:
        cell["version"] = cell.get("version") or "9.9.9"
    laned["cells"] += [dict(c, reader=f"{reader}@{release}", cell=c["cell"].replace(f"{reader}--", f"{reader}@{release}--", 1),
                            family=reader, lane="versions", version=release, outcome="error", expected="error", option=None,
                            message="ValueError: made up for the test") for c in newest if c["outcome"] == "pass" or c.get("option")]
    laned["since"] = since(laned["cells"])
    return laned


def test_the_page_shows_this_machines_paths_the_same_for_every_cell():
    """A message names the cell's archive as <archive> (and environments, temporary folders): the text repeats across
    cells, so the page stores it once; results.json keeps the paths."""
    from zipstore_compat.compat_tests.reports.html import portable

    fixture = "coads-v3-stored"
    assert portable("/vsizip//work/x/build/fixtures/coads-v3-stored.zip/zarr.json failed", fixture) == "/vsizip/<archive>/zarr.json failed"
    assert portable("ZipStore('zip:///a/b/coads-v3-stored.zip')", fixture) == "ZipStore('zip://<archive>')"
    assert portable("`/vsizip/{/a/coads-v3-stored.zip}'", fixture) == "`/vsizip/{<archive>}'"
    assert portable("$ /c/envs/netcdf4-libzip-53f677649a07/native/bin/ncdump 'file:///a/coads-v3-stored.zip#mode=zarr,zip'", fixture) \
        == "$ <env netcdf4-libzip>/native/bin/ncdump 'file://<archive>#mode=zarr,zip'"
    assert portable("/tmp/zipcompat-gdalcli-22_e__h4/a1-slice", fixture) == "<tmp>/a1-slice"
    # another archive's name, and a name without a folder, stay as they are
    assert portable("/a/coads-v3-stored-zipcli.zip and coads-v3-stored.zip", fixture) == "/a/coads-v3-stored-zipcli.zip and coads-v3-stored.zip"


def _synthetic_run(copies: int = 1) -> dict:
    """Every matrix reader (repeated as `reader@<version>` lanes when copies > 1) on every default fixture, outcomes and
    messages made up, each message distinct: the page's size and speed, without running a reader."""
    import hashlib

    from zipstore_compat.compat_tests.cells import repro_command
    from zipstore_compat.compat_tests.readers import matrix_readers
    from zipstore_compat.fixtures.registry import default_fixtures

    outcomes = ["pass"] * 6 + ["partial", "error", "unsupported", "timeout", "wrong-data"]
    cells = []
    for copy in range(copies):
        for reader in matrix_readers().values():
            rid = reader.id if copies == 1 else f"{reader.id}@1.{copy}.0"
            for fixture_id, spec in default_fixtures().items():
                cid = f"{rid}--{fixture_id}"
                outcome = outcomes[int(hashlib.sha256(cid.encode()).hexdigest(), 16) % len(outcomes)]
                cells.append({"cell": cid, "reader": rid, "fixture": fixture_id, "tags": spec.tags, "outcome": outcome,
                              "expected": outcome, "as_expected": True, "details": [], "notes": [],
                              "message": "" if outcome == "pass" else f"{reader.library} on {fixture_id}: ValueError: " + "x" * 120,
                              "option": "path_from_prefix" if outcome == "partial" else None,
                              "reason": f"{reader.library} cannot read this (matrix.yaml)" if outcome != "pass" else None,
                              "link": "https://example.org/issue/1" if outcome != "pass" else None,
                              "library": reader.library, "call": reader.call, "versions": {"lib": f"1.{copy}.0"},
                              "seconds": 0.125, "wall_seconds": 0.13, "repro": repro_command(cid)})
    return {"results_schema": 1, "run": {"started": "2026-11-23T12:00:00Z", "python": "3.11", "platform": "Linux", "readers": {}},
            "cells": cells}


@CHROMIUM
def test_the_page_holds_every_family_at_1440_px_and_five_times_the_cells(tmp_path):
    from playwright.sync_api import sync_playwright

    from zipstore_compat.fixtures.registry import default_fixtures

    from zipstore_compat.compat_tests.reports.html import write_html

    one, five = tmp_path / "one.html", tmp_path / "five.html"
    write_html(_synthetic_run(), one)
    write_html(_synthetic_run(copies=5), five)
    assert one.stat().st_size <= PAGE_BUDGET, one.stat().st_size
    with sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(one.as_uri())
        assert page.locator("#summary thead th[data-family]").count() == len({r.group for r in matrix_readers().values()})
        assert page.evaluate("document.getElementById('summary-wrap').scrollWidth <= document.getElementById('summary-wrap').clientWidth"), \
            "every reader family of the summary is visible at 1440 px without scrolling sideways"
        page.screenshot(path=str(SCREENSHOTS / "synthetic-summary-1440.png"))
        page.goto(five.as_uri() + "#zarr3@1.0.0--coads-v3-lzma")
        assert page.locator("#matrix td.c").count() == 5 * len(matrix_readers()) * len(default_fixtures())
        assert page.locator("#panel").is_visible() and "zarr3@1.0.0--coads-v3-lzma" in page.locator("#panel h3").inner_text()
        page.select_option("#reader", "family:zarr-python")
        family = sum(1 for r in matrix_readers().values() if r.group == "zarr-python")  # its readers, as declared
        assert page.locator("#matrix td.c").count() == 5 * family * len(default_fixtures())
        browser.close()

def test_every_reader_reports_the_versions_of_its_libraries(worker_pool):
    """The table's headers show these: each comes from the installed package's metadata and is never empty."""
    describe = Describer(worker_pool)
    empty, described = {}, 0
    for reader in matrix_readers().values():
        info = describe(reader)
        if info.get("status") == "not-installed":
            continue  # this machine cannot build the environment: its cells say so
        assert "versions" in info, f"{reader.id}: {info}"
        described += 1
        blank = [name for name, value in info["versions"].items() if not isinstance(value, str) or not value.strip()]
        if not info["versions"] or blank:
            empty[reader.id] = blank or "no versions at all"
    assert described, "no reader environment could be described"
    assert not empty, f"readers reporting a missing or empty version: {empty}"


def test_the_reliability_table_counts_a_crash_at_a_memory_limit_by_the_one_rule():
    """A crash at the worker's memory cap or at a runtime's own heap limit is one class (core.outcomes.outcome_class),
    so the reliability table counts both as "memory cap"; any other crash is "crashed"."""
    from zipstore_compat.compat_tests.reports.reliability import category
    from zipstore_compat.core.outcomes import HEAP_LIMIT_MARK, MEMORY_CAP_MARK

    assert category({"outcome": "crash", "message": f"{MEMORY_CAP_MARK} 4096 MiB"}) == ["memory cap"]
    assert category({"outcome": "crash", "message": f"worker died: {HEAP_LIMIT_MARK}"}) == ["memory cap"]
    assert category({"outcome": "crash", "message": "Segmentation fault"}) == ["crashed"]
