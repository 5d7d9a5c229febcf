"""The readers on one archive, through the suite's own command line (never an adapter imported here).

    python -m compat_tests run --archive ARCHIVE --readers A,B --results DIR/results.json

Each run's cells are read back from its results file (docs/results-schema.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from zipstore_compat.core.processes import ROOT, child_environ


class MatrixError(RuntimeError):
    pass


def command(archive: Path, readers: list[str], results: Path) -> list[str]:
    return [sys.executable, "-m", "zipstore_compat.compat_tests", "run", "--archive", str(Path(archive).resolve()), "--readers", ",".join(readers),
            "--results", str(results), "-q", "-p", "no:cacheprovider"]


def run(archive: Path, readers: list[str], folder: Path) -> dict[str, dict]:
    """reader -> its cell on `archive` (outcome, message, cell id), from a run of the suite in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    results = folder / "results.json"
    log = folder / "run.log"
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.run(command(archive, readers, results), cwd=str(ROOT), stdout=out, stderr=subprocess.STDOUT, text=True,
                              env=child_environ())
    if not results.exists():
        tail = " | ".join(log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:])
        raise MatrixError(f"the readers did not run (exit {proc.returncode}; {log}): {tail[:400]}")
    cells = json.loads(results.read_text(encoding="utf-8"))["cells"]
    return {c["reader"]: c for c in cells}
