"""The issue text of a bug report, in the Markdown GitHub renders."""

from __future__ import annotations

from zipstore_compat.fixtures.axes import AXES, words
from zipstore_compat.fixtures.writer_registry import get_writer

AXIS_NAMES = {a.name for a in AXES}

def properties_in_words(variant: dict) -> list[str]:
    """The archive's departures from a plain zarr-python 3 ZipStore archive, in words (each axis' own: fixtures/axes.py)."""
    return [text for name, value in variant.items() if name in AXIS_NAMES and (text := words(name, value))]


def title(library: str, what: str, fmt: int, dtype: str, variant: dict) -> str:
    words = properties_in_words(variant)
    return f"{library}: {what} reading a {dtype} array from a zipped Zarr v{fmt} store" + (f" ({', '.join(words)})" if words else "")


def issue_markdown(*, title: str, library: str, call: str, versions: dict, runtime: str, platform: str, expected: str,
                   happened: str, script: str, run_line: str, install: str, embedded: bool, archive_facts: list[str],
                   shrink_summary: list[str], link: str, reason: str, cell: str, check_line: str | None,
                   workaround: str | None = None, archive_name: str = "tiny.zip", download: bool = False,
                   language: str = "python", others: list[str] = ()) -> str:
    fence = "````" if "```" in happened else "```"
    lines = [
        f"# {title}", "",
        "### Versions", "",
        *[f"- {name} {version}" for name, version in versions.items() if name != "build"],
        *([f"- {runtime}"] if runtime else []), f"- {platform}", "",
        "### What I did", "",
        f"Read a small zipped Zarr store the way the documentation shows: `{call}`.", "",
        "### Expected", "", expected, "",
        "### What happened", "", fence, happened.strip(), fence, "",
        *([f"With the non-default `{workaround}` the values are read correctly.", ""] if workaround else []),
        "### Reproduce", "",
        "```sh", install, run_line, "```", "",
        ("The archive is embedded in the script." if embedded else
         f"The script downloads the archive from its project's address (unless `{archive_name}` is beside it) and checks its sha256." if download else
         f"The script reads `{archive_name}` (attached) from its own folder."), "",
        f"```{language}", script.rstrip(), "```", "",
        *([f"Also attached: {', '.join(others)}.", ""] if others else []),
        "### The archive", "", *[f"- {fact}" for fact in archive_facts], "",
        *(["### How it was made smaller", "", *[f"- {line}" for line in shrink_summary], ""] if shrink_summary else []),
        "### Related", "",
        f"- {link}" + (f": {reason}" if reason else ""),
        f"- Found by zipstore-compat (cell `{cell}`)" + (f"; {check_line}" if check_line else "") + ".",
    ]
    return "\n".join(lines) + "\n"


def writer_words(variant: dict) -> str:
    return get_writer(variant["writer"]).what
