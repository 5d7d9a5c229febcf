"""python -m repofiles [--check]: write (or check) every generated file of the repository."""

import argparse
import sys

from zipstore_compat.core.commands import program_name
from zipstore_compat.repofiles import ci_workflow, reader_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=program_name("repofiles"), description="write (or check) the CI workflow and the README's table of readers")
    parser.add_argument("--check", action="store_true", help="fail when a file is not what the declarations give; write nothing")
    args = ["--check"] if parser.parse_args(argv).check else []
    return max(ci_workflow.main(args), reader_table.main(args))


if __name__ == "__main__":
    sys.exit(main())
