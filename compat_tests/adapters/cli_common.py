"""What the command-line readers share: run a tool, record its exact command line, refuse what it did not say.

A command-line reader is a Python adapter whose read() runs the tool (gdalmdiminfo,
gdalmdimtranslate, ncdump) with subprocess in the reader's environment and turns the
tool's OUTPUT into values: the library under test is the tool, never a Python binding.
Every command a cell ran is in its notes (`$ <command line>`), exactly as a shell
takes it, and each adapter's commands(archive, manifest, options) gives the same
lines without running them (its worker answers {"command": "commands"}), so a repro
bundle carries them (commands.sh, repro/commands_sh.py).

An exit status 0 is not a reading: each parser checks that the output holds what it
must (every value of the declared shape, nothing left over) and raises otherwise.
Standard library only at import time (a repro bundle imports the adapter in the library's own environment).
"""

from __future__ import annotations

import shlex
import signal
import subprocess

TAIL = 600  # characters of the tool's stderr kept in an error message


class CommandFailed(RuntimeError):
    """The tool ended with a non-zero status or a signal; the message names the command line."""


class GarbledOutput(ValueError):
    """The tool ended with status 0, but its output is not the complete reading it must be."""


def line(command: list[str]) -> str:
    """The command as a shell takes it."""
    return shlex.join(command)


def run(command: list[str], notes: list[str], timeout: float | None = None, text: bool = True) -> subprocess.CompletedProcess:
    """Run `command`, note its line, and return it when it exits 0; otherwise raise CommandFailed with its stderr."""
    notes.append(f"$ {line(command)}")
    try:
        proc = subprocess.run(command, capture_output=True, text=text, timeout=timeout)
    except FileNotFoundError as exc:
        raise CommandFailed(f"{command[0]}: not found ({exc}); command: {line(command)}") from None
    if proc.returncode != 0:
        err = proc.stderr if text else proc.stderr.decode("utf-8", "replace")
        err = " | ".join(s for s in err.strip().splitlines() if s.strip())
        status = (f"died of {signal.Signals(-proc.returncode).name}" if proc.returncode < 0 else f"exit status {proc.returncode}")
        raise CommandFailed(f"{status}: {err[-TAIL:] or '(no message)'}; command: {line(command)}")
    return proc


__all__ = ["CommandFailed", "GarbledOutput", "line", "run"]
