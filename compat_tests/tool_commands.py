"""What a command-line reader runs on an archive, asked of its worker: the command lines, not run.

A command-line reader's adapter (gdalmdiminfo, ncdump: compat_tests/adapters/cli_common.py)
defines commands(archive, manifest, options), the very lines read() runs. The orchestrator
never imports an adapter, so a repro bundle's commands.sh asks the reader's worker
({"command": "commands"}, compat_tests/worker.py), with the documented options of the
outcome the matrix recorded (the adapter's FALLBACKS, as its `describe` gives them).
"""

from __future__ import annotations

from pathlib import Path

from zipstore_compat.compat_tests.cells import Describer
from zipstore_compat.compat_tests.readers import Reader
from zipstore_compat.compat_tests.workers import WorkerPool
from zipstore_compat.core.limits import DESCRIBE_SECONDS


class CommandsUnavailable(RuntimeError):
    """The reader's worker could not list its commands (its environment, an adapter that raised)."""


def reader_commands(reader: Reader, archive: str, manifest: Path, option_label: str | None = None) -> list[list[str]] | None:
    """The command lines the reader runs on `archive` (a path as the caller wants it shown: it is not opened) with
    the options `option_label` names ("a, b": the labels of a partial cell's option set); None when the reader
    runs no command-line tool."""
    pool = WorkerPool()
    try:
        description = Describer(pool)(reader)
        if "unavailable" in description:
            raise CommandsUnavailable(description["unavailable"])
        options: dict = {}
        for declared in description.get("fallbacks", []):   # the option set the recorded outcome needed, if any
            if option_label and declared["label"] in option_label.split(", "):
                options.update(declared["options"])
        reply = pool.for_reader(reader).request({"command": "commands", "adapter": reader.adapter, "archive": archive,
                                                 "manifest": str(manifest), "options": options}, timeout=DESCRIBE_SECONDS)
    finally:
        pool.close()
    if reply.status != "ok":
        raise CommandsUnavailable(f"{reply.status}: {reply.error}")
    return reply.result.get("commands")
