"""python -m datasets list | fetch [NAME...] | show NAME"""

from __future__ import annotations

import argparse
import json
import sys

from zipstore_compat.datasets.cache import DatasetCacheError, materialize, read_meta
from zipstore_compat.datasets.registry import DATASET_SOURCES, DATASETS
from zipstore_compat.datasets.sources import SOURCES, SourceError, ensure_source, source_dir


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m datasets", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="datasets, their sources and whether they are cached")
    fetch = sub.add_parser("fetch", help="fetch and verify sources (a dataset name or a source name; all when none)")
    fetch.add_argument("names", nargs="*")
    show = sub.add_parser("show", help="print a dataset's arrays and metadata as JSON")
    show.add_argument("name")
    args = parser.parse_args(argv)
    try:
        if args.command == "list":
            for name, sources in DATASET_SOURCES.items():
                state = ", ".join(f"{s} ({'cached' if source_dir(s).exists() else 'not fetched'})" for s in sources) or "generated"
                print(f"{name:10} {state}")
            return 0
        if args.command == "fetch":
            wanted = args.names or list(SOURCES)
            for name in wanted:
                if name in DATASET_SOURCES:
                    for source in DATASET_SOURCES[name]:
                        ensure_source(source)
                    materialize(name)
                elif name in SOURCES:
                    ensure_source(name)
                else:
                    print(f"unknown dataset or source {name!r}; datasets: {', '.join(DATASETS)}; sources: {', '.join(SOURCES)}", file=sys.stderr)
                    return 2
            return 0
        if args.command == "show":
            if args.name not in DATASETS:
                print(f"unknown dataset {args.name!r}; known: {', '.join(DATASETS)}", file=sys.stderr)
                return 2
            meta = read_meta(materialize(args.name))
            print(json.dumps(meta, indent=1, ensure_ascii=False))
            return 0
    except (SourceError, DatasetCacheError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
