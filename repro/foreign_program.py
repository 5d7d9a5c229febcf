"""The program of a repro bundle for a reader that is not Python: copied into the bundle as repro.py.

    python repro.py      (in the bundle's folder, after its README's install steps)

The reader is a program (Node.js, ...) that speaks the suite's JSON-lines
protocol (docs/worker-protocol.md). This script starts it, asks it to read
the archive (the default call, then each documented option it declares),
loads the values it writes as .npy files and judges them exactly as the
matrix does (compat_tests.outcomes.judge_cell); prints the outcome and exits 0 when it is the one the matrix
recorded. Its settings are bundle.json: the program, its variables
("{here}": the bundle's folder), the cell's time limit (core.limits), the
recorded outcome and what matrix.yaml expects.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETTINGS = "bundle.json"


class Program:
    """The reader's program, started on first use and again after it dies."""

    def __init__(self, command: list[str], variables: dict[str, str], seconds: float, folder: Path):
        self.command, self.variables, self.seconds, self.folder = command, variables, seconds, folder
        self.proc = None

    def ask(self, request: dict):
        if self.proc is None or self.proc.poll() is not None:
            here = str(self.folder)
            env = dict(os.environ, **{k: v.replace("{here}", here) for k, v in self.variables.items() if k not in os.environ})
            self.proc = subprocess.Popen([part.replace("{here}", here) for part in self.command], cwd=self.folder, env=env,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        timer = threading.Timer(self.seconds, self.proc.kill)
        timer.start()
        try:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except BrokenPipeError:
            line = ""
        finally:
            timer.cancel()
        if not line:
            code = self.proc.wait()
            if not timer.is_alive() and code == -9:
                return "timeout", f"no answer within {self.seconds:g} s"
            return "crash", f"the program ended with {code}"
        return "ok", json.loads(line)

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)


def main(folder: Path = HERE) -> int:
    sys.path.insert(0, str(folder / "lib"))
    from zipstore_compat.compat_tests.foreign_worker import as_reading, strict_manifest
    from zipstore_compat.compat_tests.outcomes import judge_cell
    from zipstore_compat.compat_tests.worker import summarise

    settings = json.loads((folder / SETTINGS).read_text(encoding="utf-8"))
    archive, manifest_path = str(folder / settings["archive"]), folder / settings["manifest"]
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    program = Program(settings["program"], settings["environment"], settings["seconds"], folder)
    status, described = program.ask({"command": "describe"})
    fallbacks = described["result"]["fallbacks"] if status == "ok" and described.get("ok") else []

    def attempt(options):
        values = Path(tempfile.mkdtemp(prefix="repro-values-"))
        try:
            status, answer = program.ask({"command": "read", "archive": archive, "manifest": strict_manifest(str(manifest_path), values),
                                          "options": options, "out": str(values)})
            if status != "ok":
                return status, answer
            if not answer.get("ok"):
                return "error", answer.get("error", "the program answered ok: false")
            return "ok", summarise(as_reading(answer["result"], values), manifest)
        finally:
            shutil.rmtree(values, ignore_errors=True)

    expected = settings["expected"]
    outcome, message, _option, failed = judge_cell(manifest, attempt, fallbacks, expected, decodes_cf=settings.get("decodes_cf", False))  # the matrix's own judgement
    print(f"outcome: {outcome}")
    if message:
        print(f"message: {message}")
    for line in failed:
        print(f"  - {line}")
    seen = settings["recorded"] if settings.get("has_record", True) else "nothing (not in the matrix's results)"
    print(f"recorded in the matrix: {seen}; matrix.yaml expects: {expected}")
    program.close()
    return 0 if outcome == settings["recorded"] else 1


if __name__ == "__main__":
    sys.exit(main())
