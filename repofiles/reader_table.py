"""The README's table of readers, written from the reader declarations (never kept by hand).

    python -m repofiles.reader_table [--check]   (also: python -m compat_tests reader-table)

Rewrites the part of README.md between the `readers:begin` and `readers:end`
markers: one row per declared reader of the default matrix, in the summary's
order, with its library, its environment (the release of a native library it
builds, the pinned release of the package the versions lane varies, and the
interpreter) and how users call it.
`--check` fails when the README says something else.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from core.commands import program_name

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
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


def render() -> str:
    from compat_tests.readers import matrix_readers
    from compat_tests.reports.summary import reader_order
    from envs.registry import get_environment

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
        call = reader.call.replace("|", "\\|")
        rows.append(f"| `{reader.id}` | {reader.library} | {where} | `{call}` |")
    return "\n".join([BEGIN, *rows, END])


def rewritten(text: str) -> str:
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no {BEGIN} ... {END} section")
    return pattern.sub(lambda _: render(), text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=program_name("repofiles.reader_table"), description="write (or check) the README's table of readers from the reader declarations")
    parser.add_argument("--check", action="store_true", help="fail when the file is not what the declarations give; write nothing")
    check = parser.parse_args(argv).check
    text = README.read_text(encoding="utf-8")
    wanted = rewritten(text)
    if check:
        if text != wanted:
            print("README.md's reader table is not what the declarations give: run ./run python -m compat_tests reader-table",
                  file=sys.stderr)
            return 1
        return 0
    README.write_text(wanted, encoding="utf-8")
    print("wrote the reader table in README.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
