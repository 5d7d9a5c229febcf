"""commands.sh of a repro bundle: the very command lines a command-line reader ran on the cell's archive.

The commands come from the reader's worker (compat_tests.tool_commands), so the
bundle shows what the cell ran; the script runs them from its own folder (the
archive beside it) and takes the netCDF-C prefix from the environment.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from zipstore_compat.compat_tests.readers import Reader
from zipstore_compat.compat_tests.tool_commands import reader_commands
from zipstore_compat.envs import InstallScript
from zipstore_compat.envs.build import runtime_environ

ROOT = Path(__file__).resolve().parents[1]
BUNDLE_MARKER = "/ZIPCOMPAT_BUNDLE_FOLDER"   # the archive's folder in the commands asked for, replaced by the script's own
PREFIX_VARIABLES = ("ZIPCOMPAT_NETCDF_C_PREFIX",)   # the native build's prefix: the bundle builds its own (README.md)


def commands_script(reader: Reader, archive_name: str, manifest: Path, option_label: str | None, install: InstallScript) -> str:
    """commands.sh for a reader that runs a command-line tool (its adapter defines commands()), else ""."""
    source = ROOT / reader.file if reader.file else None
    if reader.foreign or source is None or not source.exists() or "def commands(" not in source.read_text(encoding="utf-8"):
        return ""
    commands = reader_commands(reader, f"{BUNDLE_MARKER}/{archive_name}", manifest, option_label)
    if not commands:
        return ""
    defaults = {name: value for name, value in install.runtime_exports().items() if name in PREFIX_VARIABLES}
    held = {name: value for name, value in runtime_environ(reader.env).items() if name in defaults}   # as the worker had them
    return shell_script(commands, BUNDLE_MARKER, defaults, held)


def shell_script(commands: list[list[str]], marker: str, variables: dict[str, str], held: dict[str, str] | None = None) -> str:
    """A POSIX shell script running `commands` from its own folder: `marker` in an argument (the archive's path when
    the commands were made) becomes "$HERE", the folder the script is in, so the bundle can move. Each of `variables`
    (name: its default in the script) stands for the value `held` names (default: the same) wherever an argument
    starts with that value: e.g. the netCDF-C prefix, taken from the environment."""
    held = variables if held is None else held
    out = ["#!/bin/sh", "# The commands the cell ran, in order (compat_tests/repro.py); each prints or writes what the reader parsed.",
           "set -x  # each command is printed before it runs; like the reader, a failing command does not stop the others", 'HERE=$(cd "$(dirname "$0")" && pwd)', 'cd "$HERE"', "mkdir -p out"]
    out += [f'{name}="${{{name}:-{value}}}"' for name, value in variables.items()]
    for command in commands:
        words = []
        for word in command:
            for name in variables:
                value = held.get(name, "")
                if value and word.startswith(value):  # e.g. the netCDF-C prefix: taken from the environment
                    word = "\0" + name + "\0" + word[len(value):]
            quoted = shlex.quote(word)
            inside = quoted != word  # shlex quoted it: leave the single quotes around the variable
            for name in [*variables, "HERE"]:
                token = "\0HERE\0" if name == "HERE" else "\0" + name + "\0"
                if name == "HERE":
                    quoted = quoted.replace(marker, token)
                quoted = quoted.replace(token, f"'\"${name}\"'" if inside else f'"${name}"')
            words.append(quoted)
        out.append(" ".join(words))
    return "\n".join(out) + "\n"
