"""python -m bench [--quick] [--out DIR]: the store benchmark (bench/stores.py)."""

import sys

from zipstore_compat.bench.stores import main

if __name__ == "__main__":
    sys.exit(main())
