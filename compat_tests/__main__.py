"""python -m compat_tests run [--strict] [--readers ...] [--fixtures ...] [pytest args]

The main job: build the default fixtures, run every reader on them in its
own worker, write reports/results.json and reports/matrix.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m compat_tests")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="build fixtures and run the matrix")
    run.add_argument("--strict", action="store_true", help="outcomes that differ from matrix.yaml fail (CI)")
    run.add_argument("--no-build", action="store_true", help="use the fixtures already built")
    args, rest = parser.parse_known_args(argv)
    if args.command == "run":
        from fixtures.build import DEFAULT_OUT, build
        from fixtures.registry import default_fixtures

        if not args.no_build:
            result = build(list(default_fixtures().values()), out=DEFAULT_OUT)
            print(f"{len(result.built)} fixtures ready ({result.cached} cached), {len(result.errors)} could not be built", file=sys.stderr)
        import pytest

        pytest_args = [str(ROOT / "compat_tests" / "test_matrix.py"), "-p", "compat_tests.plugin", "-q", "--no-header", "-rN", "-p", "no:cacheprovider"]
        if args.strict:
            pytest_args.append("--strict-expectations")
        return pytest.main(pytest_args + rest)
    return 2


if __name__ == "__main__":
    sys.exit(main())
