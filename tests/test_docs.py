"""The documentation: the README is a front door, the docs site (docs/, mkdocs.yml) builds strictly, and no section of
the README of before was lost when the rest moved into docs/."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
HEADINGS_BEFORE = Path(__file__).resolve().parent / "data" / "readme_headings.txt"


def _headings(text: str) -> list[str]:
    """The Markdown headings of a page, outside fenced code blocks (a bug report's ISSUE.md shown in a fence is not
    a section of the page)."""
    found, fence = [], None
    for line in text.splitlines():
        opening = re.match(r"^\s*(`{3,}|~{3,})", line)
        if opening:
            mark = opening.group(1)
            if fence is None:
                fence = mark
            elif line.strip() == fence[0] * len(line.strip()) and len(line.strip()) >= len(fence):
                fence = None
            continue
        heading = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if fence is None and heading:
            found.append(heading.group(2))
    return found


def _nav_pages(nav) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [page for entry in nav for page in _nav_pages(entry)]
    if isinstance(nav, dict):
        return [page for value in nav.values() for page in _nav_pages(value)]
    return []


def test_the_docs_site_builds_strictly(tmp_path):
    site = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "WARNING" not in output, output
    assert (site / "index.html").is_file()
    readers = (site / "reference" / "readers.html").read_text(encoding="utf-8")
    assert "<td><code>zarr3</code></td>" in readers, "the generated reader table is on the readers page"


def test_the_strict_build_fails_on_a_broken_link_and_on_a_page_missing_from_the_nav(tmp_path):
    """The build's strictness is the test's own: a copy of the docs with a broken link and a page outside the nav fails."""
    import shutil

    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    (tmp_path / "docs" / "orphan.md").write_text("# A page no nav lists\n", encoding="utf-8")
    with (tmp_path / "docs" / "index.md").open("a", encoding="utf-8") as index:
        index.write("\n[a page that is not there](guide/nosuch.md)\n")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert "orphan.md" in output and "guide/nosuch.md" in output, output


def test_every_section_the_readme_had_is_reachable_from_the_docs_index():
    """Each heading of the README before it became a front door (tests/data/readme_headings.txt, taken once from git
    history) is a heading of the README or of a page in mkdocs.yml's nav (the docs index)."""
    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    pages = [ROOT / "docs" / page for page in _nav_pages(nav)]
    assert all(page.is_file() for page in pages), [str(p) for p in pages if not p.is_file()]
    here = set(_headings(README.read_text(encoding="utf-8")))
    for page in pages:
        here |= set(_headings(page.read_text(encoding="utf-8")))
    before = [line for line in HEADINGS_BEFORE.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    assert len(before) == 25, "the README of a457e6e had 25 headings outside code blocks"
    missing = [heading for heading in before if heading not in here]
    assert not missing, f"sections of the old README no longer in README.md or a docs page in the nav: {missing}"


def test_the_readme_is_a_front_door():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) < 200, f"README.md has {len(lines)} lines; the rest belongs in docs/"
    first_screen = "\n".join(lines[:40])
    assert "](docs/img/summary.png)" in first_screen, "the summary image is on the README's first screen"
    assert "./run matrix" in "\n".join(lines) and "./run test" in "\n".join(lines)
    targets = re.findall(r"\]\(((?!https?://|#)[^)\s]+)\)", "\n".join(lines))
    assert targets, "the README links into docs/"
    broken = [t for t in targets if not (ROOT / t.split("#")[0]).exists()]
    assert not broken, f"README.md links to files that do not exist: {broken}"
