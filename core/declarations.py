"""Declarations in comment lines: how a reader or a writer is declared once, at the top of its own file.

A declaration is TOML in the comment lines of a file that start with `<word>:` (`# reader: id = "zarr3"`,
`// reader: ...` in Node.js, `# writer: id = "dask-parallel"`), in whatever language the file is written in.
compat_tests/readers.py reads the `reader:` lines, fixtures/writer_registry.py the `writer:` lines: one rule for both.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path


class DeclarationError(ValueError):
    """A declaration that cannot be used, with the file and what is wrong."""


@cache
def _line_pattern(word: str) -> re.Pattern:
    return re.compile(r"^\s*(?:#|//)\s*" + re.escape(word) + r":\s?(.*)$")


def declaration_of(path: Path, word: str) -> dict | None:
    """The TOML in the file's `<word>:` comment lines, or None when it has none."""
    pattern, lines = _line_pattern(word), []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            match = pattern.match(line)
            if match:
                lines.append(match.group(1))
    if not lines:
        return None
    try:
        return tomllib.loads("\n".join(lines))
    except tomllib.TOMLDecodeError as exc:
        raise DeclarationError(f"{path}: the {word} declaration is not valid TOML: {exc}") from None
