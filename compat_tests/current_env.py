"""--use-current-env: the readers' workers run in the caller's own environment, which nothing of ours builds.

A maintainer's run (`pytest --pyargs zipstore_compat --use-current-env --readers zarr3`) tests the library that is
installed where pytest runs: an editable install of a branch, a nightly wheel. Only the interpreter changes:

- a Python reader's worker is `sys.executable -m zipstore_compat.compat_tests.worker` (the interpreter pytest runs
  in), with no environment variable of the reader's declared environment;
- a Node.js reader's program is the same program, with the packages of the `node_modules` folder given
  (--node-modules; default: ./node_modules of the current folder), and the `node` on PATH;
- a command-line reader (gdalmdiminfo, ncdump) uses the tools on the caller's PATH.

Workers keep their isolation: a process each, a memory cap, a time limit; a crash ends one cell. A reader whose
library is not there is `not-installed`, naming what is missing (the package, the module, the tool), and none of its
cells runs. Results are never taken from or written to the result cache: an editable install changes without its
version changing, so no key could tell two runs apart.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

NODE_MODULES_VARIABLE = "ZIPCOMPAT_NODE_MODULES"   # what compat_tests/adapters/node_protocol.mjs loads packages from
MISSING = (
    (re.compile(r"No module named '([^']+)'"), "the Python module {0!r} is not importable by {python}"),
    (re.compile(r"ENOENT[^']*'([^']*node_modules[^']*)'"), "{0} is not there: the package is not installed in --node-modules {node_modules}"),
    (re.compile(r"No such file or directory: '([^'/]+)'"), "the command {0!r} is not on PATH"),
    (re.compile(r"cannot start ([^:]+): "), "the command {0!r} is not on PATH"),
)


@dataclass(frozen=True)
class CurrentEnvironment:
    python: str = sys.executable
    node_modules: Path | None = None

    def variables(self, reader_env: str) -> dict[str, str]:
        """The variables a worker gets instead of its declared environment's: the Node.js packages' folder only."""
        return {NODE_MODULES_VARIABLE: str(self.node_modules)} if self.node_modules is not None else {}

    def why_not_installed(self, reader, status: str, error: str, versions: dict | None) -> str | None:
        """Why the reader's library is not there, from its worker's answer to `describe`, or None (it is there).

        An answer that failed on a missing module, package or command; or an answer whose version of the library
        (reader.version_key) is empty or unknown (a command-line reader's versions() says so when the tool is missing).
        """
        wanted = f"; the reader's package: {reader.package}" if reader.package else ""
        version = str((versions or {}).get(reader.version_key, "")) if reader.version_key else "?"
        if status == "ok" and version and not version.startswith("unknown"):
            return None
        # the failure's text: the worker's error, or what its versions() said instead of a version
        text = error if status != "ok" else " ".join(str(v) for v in (versions or {}).values())
        for pattern, said in MISSING:
            found = pattern.search(text or "")
            if found:
                detail = said.format(found.group(1), python=self.python, node_modules=self.node_modules)
                return f"{reader.library} is not installed here (--use-current-env): {detail}{wanted}"
        if status != "ok":
            return None   # the worker failed for another reason: the cells say it (error, crash)
        return f"{reader.library} is not installed here (--use-current-env): {version or f'no {reader.version_key} version reported'}{wanted}"


def node_modules_folder(given: str | None, cwd: Path | None = None) -> Path:
    return Path(given).expanduser().resolve() if given else (cwd or Path.cwd()) / "node_modules"
