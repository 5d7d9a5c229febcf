"""python -m zipstore_compat COMMAND: the suite's commands, installed or in a checkout.

  corpus fetch|build|verify|index|pack ...   the fixtures as one checksummed corpus (zipstore_compat.compat_tests.corpus)
  released make RESULTS [--out FILE]         the released column from a full run's results file
  fixtures ARGS, datasets ARGS               python -m fixtures / datasets (list, build, fetch)
  lint ARCHIVE, repack ARCHIVE OUT           the archive doctor
  run, report, repro, report-bug, bench, ... the harness's hub: python -m compat_tests COMMAND (its --help lists them)

A maintainer's run of the matrix is pytest itself: pytest --pyargs zipstore_compat --use-current-env --readers ID
--corpus DIR (docs/guide/maintainers.md).
"""

from __future__ import annotations

import runpy
import sys

# command -> the module that runs it, forwarded by name in this process (as `python -m MODULE ARGS`)
COMMANDS = {
    "corpus": "zipstore_compat.compat_tests.corpus",
    "fixtures": "zipstore_compat.fixtures",
    "datasets": "zipstore_compat.datasets",
    "lint": "zipstore_compat.doctor",
    "repack": "zipstore_compat.doctor",
}
KEEPS_ITS_NAME = ("lint", "repack")   # the doctor's own subcommands


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:   # the harness's hub: run, report, released, repro, report-bug, bench, ...
        from zipstore_compat.compat_tests.__main__ import main as hub

        return hub(argv)
    saved = sys.argv
    sys.argv = [f"python -m zipstore_compat {command}", *([command] if command in KEEPS_ITS_NAME else []), *rest]
    try:
        runpy.run_module(COMMANDS[command], run_name="__main__", alter_sys=False)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else (print(exc.code, file=sys.stderr) or 1))
    finally:
        sys.argv = saved
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
