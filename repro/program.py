"""The program of a repro bundle: copied into the bundle as repro.py, next to bundle.json.

    python repro.py      (in the bundle's folder, after: pip install -r requirements.txt)

Reads the archive and its manifest with the reader's adapter (lib/, a copy of
the suite's adapters and checks), judges the values as the matrix does
(compat_tests.outcomes.judge_cell, the matrix's own function), prints
the outcome and exits 0 when it is the one the matrix recorded. Its settings
are bundle.json: the adapter, the cell's time limit (core.limits), the
recorded outcome and what matrix.yaml expects. Imports nothing from outside
its bundle but the reader's library and numpy.
"""

from __future__ import annotations

import importlib
import json
import signal
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETTINGS = "bundle.json"


class CellTimeout(BaseException):
    """Not an Exception: the adapter's per-array error capture must not swallow it."""


def attempt_with(adapter: str, archive: str, manifest: dict, seconds: float):
    from zipstore_compat.compat_tests.worker import summarise

    def attempt(options):
        def on_alarm(signum, frame):
            raise CellTimeout(f"no answer within {seconds:g} s")
        signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            module = importlib.import_module(adapter)
            return "ok", summarise(module.read(archive, manifest, options), manifest)
        except CellTimeout as exc:
            return "timeout", str(exc)
        except Exception as exc:
            return "error", f"{type(exc).__name__}: {exc}"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return attempt


def main(folder: Path = HERE) -> int:
    sys.path.insert(0, str(folder / "lib"))
    from zipstore_compat.compat_tests.outcomes import judge_cell

    settings = json.loads((folder / SETTINGS).read_text(encoding="utf-8"))
    manifest = json.loads((folder / settings["manifest"]).read_text(encoding="utf-8"))
    attempt = attempt_with(settings["adapter"], str(folder / settings["archive"]), manifest, settings["seconds"])
    expected = settings["expected"]
    # the matrix's own judgement (an archive no cell can judge is fixture-error; matrix.yaml may declare a refusal by design)
    fallbacks = importlib.import_module(settings["adapter"]).FALLBACKS
    outcome, message, _option, failed = judge_cell(manifest, attempt, fallbacks, expected, decodes_cf=settings.get("decodes_cf", False))
    print(f"outcome: {outcome}")
    if message:
        print(f"message: {message}")
    for line in failed:
        print(f"  - {line}")
    seen = settings["recorded"] if settings.get("has_record", True) else "nothing (not in the matrix's results)"
    print(f"recorded in the matrix: {seen}; matrix.yaml expects: {expected}")
    return 0 if outcome == settings["recorded"] else 1


if __name__ == "__main__":
    sys.exit(main())
