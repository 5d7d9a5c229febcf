"""python -m bugreport CELL-ID [--out DIR] [--check]: a bug report for one non-pass cell (bugreport/cli.py)."""

import sys

from zipstore_compat.bugreport.cli import main

if __name__ == "__main__":
    sys.exit(main())
