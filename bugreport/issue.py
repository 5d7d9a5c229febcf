"""The issue text of a bug report, in the Markdown GitHub renders."""

from __future__ import annotations

from zipstore_compat.fixtures.variants import BASELINE, WRITERS

PROPERTY_WORDS = {
    "writer": lambda v: {"zarr2": "written by zarr-python 2", "xarray": "written by xarray's to_zarr",
                         "zipfile": "zipped by Python's zipfile", "zipcli": "zipped by the zip command"}.get(v, ""),
    "compression": lambda v: f"{v}-compressed ZIP members",
    "layout": lambda v: "under a top-level folder" if v == "folder" else "",
    "consolidated": lambda v: "with consolidated metadata" if v else "",
    "codec": lambda v: f"the {v} codec",
    "sharding": lambda v: "sharded" if v else "",
    "zip64": lambda v: "with ZIP64 records" if v else "",
    "many_entries": lambda v: "with more than 65,535 entries" if v else "",
    "cd_order": lambda v: "with the central directory in reverse order" if v == "reversed" else "",
    "duplicates": lambda v: "with duplicate entries (the last copy is current)" if v else "",
    "rfc9": lambda v: "in the zipped OME-Zarr (RFC-9) layout" if v else "",
}


def properties_in_words(variant: dict) -> list[str]:
    """The archive's departures from a plain zarr-python 3 ZipStore archive, in words."""
    words = []
    for name, value in variant.items():
        if name in PROPERTY_WORDS and value != getattr(BASELINE, name):
            text = PROPERTY_WORDS[name](value)
            if text:
                words.append(text)
    return words


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
    return WRITERS[variant["writer"]][1]
