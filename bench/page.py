"""A picture of a benchmark's page: its charts as a PNG, through Debian's Chromium when it is installed."""

from __future__ import annotations

from pathlib import Path


def screenshot(page: Path, png: Path) -> bool:
    """A picture of the charts, through Debian's Chromium when it is installed (skipped otherwise). Whether it was taken."""
    import shutil

    chromium = shutil.which("chromium")
    if chromium is None:
        return False
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        tab = browser.new_page(viewport={"width": 1000, "height": 1200})
        tab.goto(page.resolve().as_uri())
        tab.wait_for_timeout(1000)
        tab.screenshot(path=str(png), full_page=True)
        browser.close()
    return True
