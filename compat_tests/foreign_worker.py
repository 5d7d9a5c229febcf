"""The protocol shim for a reader that is not a Python module (docs/worker-protocol.md).

    python -m compat_tests.foreign_worker COMMAND...

runs COMMAND once (a Node.js program, a wrapper around a command-line tool)
and relays the orchestrator's requests to it as JSON lines. The program
writes each array's values as a `.npy` file into the folder the request
names; this shim loads them (numpy, allow_pickle off) and answers with the
same summaries the Python worker makes (compat_tests.worker.summarise), so
every reader is judged by the same checks. Values never travel as JSON
numbers.

The shim runs in the project's environment under the worker's memory cap,
which the program inherits. When the program dies, the shim dies the same
way (the same signal or exit code), so the orchestrator sees the program's
crash, with its stderr.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from zipstore_compat.compat_tests.worker import summarise
from zipstore_compat.core.serve import serve

def load_values(folder: Path, sent: dict | None):
    """One array's values from what the program sent: {"npy": file name in the request's folder} or {"strings": [...]}."""
    import numpy as np

    if sent is None:
        return None
    if "npy" in sent:
        path = (folder / sent["npy"]).resolve()
        if folder.resolve() not in path.parents:
            raise ValueError(f"values file {sent['npy']!r} is outside the request's folder")
        return np.load(path, allow_pickle=False)
    if "strings" in sent:  # variable-length strings have no .npy form without pickle
        return np.array(sent["strings"], dtype=object).reshape(sent.get("shape", [len(sent["strings"])]))
    raise ValueError(f"values must be {{'npy': file}} or {{'strings': [...]}}, got keys {sorted(sent)}")


def as_reading(result: dict, folder: Path) -> dict:
    """The program's read result with its value files loaded: the shape compat_tests.worker.summarise takes."""
    arrays = {}
    for path, got in (result.get("arrays") or {}).items():
        if "missing" in got:
            arrays[path] = got
            continue
        entry = {"attrs": got.get("attrs"), "dims": got.get("dims")}
        try:
            entry["values"] = load_values(folder, got.get("values"))
            entry["slice"] = load_values(folder, got.get("slice"))
        except Exception as exc:  # a garbled values file is the reader's failure on that array, not the harness's
            result.setdefault("errors", {})[path] = f"values could not be loaded: {type(exc).__name__}: {exc}"
            continue
        arrays[path] = entry
    return {"listed": result.get("listed"), "arrays": arrays, "errors": result.get("errors") or {}, "notes": result.get("notes") or []}


def _strict(value):
    """JSON values with NaN and the infinities as strings ("NaN", "Infinity", "-Infinity"), as Zarr 3 writes them:
    Python's json writes them bare, which is not JSON, and JSON.parse (Node.js) refuses the whole document."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strict(v) for v in value]
    return value


def strict_manifest(path: str, folder: Path) -> str:
    """A copy of the manifest in strict JSON, in the request's folder: what the program is handed (it needs the
    arrays' paths and slices, the store prefix; a NaN attribute must not stop it from parsing the file)."""
    manifest = json.loads(Path(path).read_text(encoding="utf-8"))
    target = folder / "manifest.json"
    target.write_text(json.dumps(_strict(manifest), allow_nan=False), encoding="utf-8")
    return str(target)


def _die_with_parent() -> None:
    """The program is killed with the shim (a timeout kills the shim), never left running (Linux)."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def die_like(code: int) -> None:
    """End this process the way the program ended."""
    sys.stdout.flush()
    if code < 0:
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    os._exit(code if code > 0 else 1)


def relay(program: subprocess.Popen, request: dict) -> dict:
    """One request, forwarded to the program; its answer with the value files loaded and summarised."""
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="zipcompat-values-"))
    try:
        if request.get("command") == "describe":
            forwarded = {"command": "describe"}
        else:
            forwarded = {"command": "read", "archive": request["archive"], "manifest": strict_manifest(request["manifest"], folder),
                         "options": request.get("options") or {}, "out": str(folder)}
        program.stdin.write(json.dumps(forwarded) + "\n")
        program.stdin.flush()
        reply = program.stdout.readline()
        replied = time.perf_counter() - started  # the program's read and its values files, before the shim loads them
        if not reply:
            die_like(program.wait())
        answer = json.loads(reply)
        if answer.get("ok") and forwarded["command"] == "read":
            answer["read_seconds"] = answer.get("read_seconds") or replied
            manifest = json.loads(Path(request["manifest"]).read_text(encoding="utf-8"))
            answer["result"] = summarise(as_reading(answer["result"], folder), manifest)
        elif not answer.get("ok"):
            answer = {"ok": False, "error": str(answer.get("error", "the program answered ok: false"))[:2000],
                      "traceback": str(answer.get("traceback", ""))[-4000:]}
    except BrokenPipeError:
        die_like(program.wait())
    except (ValueError, KeyError, TypeError) as exc:  # an answer that is not the protocol
        answer = {"ok": False, "error": f"the reader's program broke the protocol: {type(exc).__name__}: {exc}"[:2000]}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if not answer.get("seconds"):  # the program's own figure, else the time the shim saw
        answer["seconds"] = time.perf_counter() - started
    return answer


def main(command: list[str]) -> int:
    if not command:
        print("usage: python -m compat_tests.foreign_worker COMMAND...", file=sys.stderr)
        return 2
    try:
        program = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,  # stderr: inherited
                                   preexec_fn=_die_with_parent)
    except OSError as exc:
        print(f"cannot start {command[0]}: {exc}", file=sys.stderr)
        return 127
    serve(lambda request: relay(program, request))
    program.stdin.close()
    return program.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
