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


BASE_STYLE = ("body{font-family:sans-serif;margin:1em}table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;"
              "padding:3px 6px;text-align:left}")


def html_page(title: str, style: str, body: str) -> str:
    """A benchmark's self-contained page: the common table style plus the bench's own, and its body."""
    return f"<!doctype html><html><head><meta charset=utf-8><title>{title}</title><style>{BASE_STYLE}{style}</style></head><body>{body}</body></html>"


def write_outputs(out: Path, stem: str, bench: dict, markdown: str, page: str, png: bool = True) -> bool:
    """<stem>.json, .md and .html in `out`, and the PNG of the page when asked and Chromium is installed (whether it was)."""
    import json

    out.mkdir(parents=True, exist_ok=True)
    (out / f"{stem}.json").write_text(json.dumps(bench, indent=1) + "\n", encoding="utf-8")
    (out / f"{stem}.md").write_text(markdown, encoding="utf-8")
    (out / f"{stem}.html").write_text(page, encoding="utf-8")
    return bool(png and screenshot(out / f"{stem}.html", out / f"{stem}.png"))
