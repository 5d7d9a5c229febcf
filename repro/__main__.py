"""python -m repro CELL-ID [--out DIR] [--run] [--archive PATH]: a standalone bundle that reproduces one cell (repro/cli.py)."""

import sys

from zipstore_compat.repro.cli import main

if __name__ == "__main__":
    sys.exit(main())
