"""The table of readers in the docs' reader reference, written from the reader declarations (never kept by hand).

    python -m repofiles.reader_table [--check]   (also: python -m compat_tests reader-table)

Rewrites the part of docs/reference/readers.md between the `readers:begin` and `readers:end`
markers: one row per declared reader of the default matrix, in the summary's
order, with its library, its environment (the release of a native library it
builds, the pinned release of the package the versions lane varies, and the
interpreter) and how users call it.
`--check` fails when the page says something else.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from pathlib import Path

from zipstore_compat.core.commands import program_name

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "reference" / "readers.md"   # the reader reference of the docs site (mkdocs.yml)
BEGIN, END = "<!-- readers:begin (written by: ./run python -m compat_tests reader-table) -->", "<!-- readers:end -->"


def _pinned(env, package: str) -> str:
    if env.node:  # a Node.js environment: its committed package.json names the release
        import json

        dependencies = json.loads((env.node_project() / "package.json").read_text(encoding="utf-8")).get("dependencies", {})
        return str(dependencies.get(package, ""))
    for requirement in (*env.requirements, *env.post):
        name, _, version = requirement.partition("==")
        if package and name.lower() == package.lower():
            return version if "{" not in version else "from apt (" + ", ".join(env.apt) + ")"
    return ""


def _code(text: str) -> str:
    """A table cell's code span that reads the same on the docs site (Python-Markdown) and on GitHub: a `|` in a
    backtick span splits a GitHub table cell and shows its backslash escape on the site, so such a text is an
    HTML code element with the bar as an entity."""
    if "|" not in text:
        return f"`{text}`"
    return "<code>" + html.escape(text, quote=False).replace("|", "&#124;") + "</code>"


def render() -> str:
    from zipstore_compat.compat_tests.readers import matrix_readers
    from zipstore_compat.compat_tests.reports.summary import reader_order
    from zipstore_compat.envs.registry import get_environment

    readers = matrix_readers()
    rows = ["| reader | library | environment | how it is called |", "|---|---|---|---|"]
    for reader_id in reader_order(readers):
        reader = readers[reader_id]
        env = get_environment(reader.env)
        runtime = f"Python {env.python}" if env.python else "Node.js"
        release = _pinned(env, reader.package)
        built = [f"{name} {version} (built from source)" for name, version in env.native_releases]   # e.g. netCDF-C
        parts = [*built, *([f"{reader.package} {release}"] if release else []), runtime]
        where = f"`{reader.env}`: " + ", ".join(parts)
        rows.append(f"| `{reader.id}` | {reader.library} | {where} | {_code(reader.call)} |")
    return "\n".join([BEGIN, *rows, END])


def rewritten(text: str) -> str:
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"the page has no {BEGIN} ... {END} section")
    return pattern.sub(lambda _: render(), text)


def main(argv: list[str] | None = None, page: Path = PAGE) -> int:
    parser = argparse.ArgumentParser(prog=program_name("repofiles.reader_table"), description="write (or check) the docs' table of readers (docs/reference/readers.md) from the reader declarations")
    parser.add_argument("--check", action="store_true", help="fail when the file is not what the declarations give; write nothing")
    check = parser.parse_args(argv).check
    text = page.read_text(encoding="utf-8")
    wanted = rewritten(text)
    if check:
        if text != wanted:
            print(f"{page}: its reader table is not what the declarations give: run ./run python -m compat_tests reader-table",
                  file=sys.stderr)
            return 1
        return 0
    page.write_text(wanted, encoding="utf-8")
    print(f"wrote the reader table in {page}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
