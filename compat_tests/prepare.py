"""Prepare a session's fixtures in a process of their own: build the default set, place the hostile archives, fetch
and read the external ones.

    python -m compat_tests.prepare OUT [--no-cache-read]

The controlling pytest process runs this as a child (compat_tests/plugin.py), so that loading datasets and
building fixtures (MNIST's 47 MB of images, the writers' batches) never grows the controller: it only reads the
manifests afterwards. Progress and one line per problem go to stderr, as when it ran in the controller; the last
line on stdout is a JSON summary the controller reads.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def prepare(out: Path, read_cache: bool = True) -> dict:
    from zipstore_compat.compat_tests.byo import CappedReference
    from zipstore_compat.compat_tests.habits import with_probes, write_habit_manifests
    from zipstore_compat.compat_tests.result_cache import CachedReference, Mode
    from zipstore_compat.fixtures.build import build
    from zipstore_compat.fixtures.external import place_external
    from zipstore_compat.fixtures.hostile import place_hostile
    from zipstore_compat.fixtures.registry import default_fixtures

    result = build(with_probes(list(default_fixtures().values())), out=out)
    hostile = place_hostile(out)
    with CappedReference() as reference:  # the reference reading of external archives runs in a capped worker
        errors, unavailable = place_external(out, reference=CachedReference(reference, Mode(read_cache, True)))
    result.errors.update(errors)
    habits = write_habit_manifests(out)
    return {"built": len(result.built), "cached": result.cached, "hostile": len(hostile), "habits": len(habits), "errors": result.errors,
            "unavailable": unavailable}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m compat_tests.prepare")
    parser.add_argument("out", type=Path)
    parser.add_argument("--no-cache-read", action="store_true", help="read the external archives again (--rerun, CI)")
    args = parser.parse_args(argv)
    done = prepare(args.out, read_cache=not args.no_cache_read)
    print(json.dumps(done))
    return 0


if __name__ == "__main__":
    sys.exit(main())
