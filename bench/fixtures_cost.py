"""What some fixtures add to a cold default run: their cold build, then every default reader's cells on them.

    ./run python -m bench.fixtures_cost --fixture-ids 'GLOB,GLOB,...' [--workers 2] [--out DIR]

Cold: the fixtures are written into an empty fixture cache (the environments and datasets are the machine's, as a
second run on a machine has them), and every cell runs (`--rerun`: none from the result cache), `-n WORKERS` cells
at a time as `./run matrix` runs them. Prints the two figures and their sum, and writes them to DIR/cost.json.
A measurement, never a test: run it under the machine's heavy-work lock (flock /work/heavy.lock ...).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from zipstore_compat.core.commands import program_name

ROOT = Path(__file__).resolve().parent.parent


def selected(patterns: list[str]) -> list[str]:
    from zipstore_compat.fixtures.registry import default_fixtures

    return [i for i in default_fixtures() if any(fnmatch.fnmatchcase(i, p) for p in patterns)]


def measure(ids: list[str], workers: int, out: Path) -> dict:
    from zipstore_compat.fixtures.build import build
    from zipstore_compat.fixtures.registry import resolve

    fixtures = out / "fixtures"
    started = time.perf_counter()
    built = build(resolve(ids), out=fixtures, cache_dir=out / "fixture-cache", workers=workers, progress=False)
    build_seconds = time.perf_counter() - started
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "compat_tests", "-q", "-n", str(workers), "-p", "no:cacheprovider", "--rerun",
                           "--fixture-ids", ",".join(ids), "--no-build", "--fixtures-dir", str(fixtures), "--results",
                           str(out / "results.json")], cwd=ROOT, capture_output=True, text=True)
    cells_seconds = time.perf_counter() - started
    results = json.loads((out / "results.json").read_text(encoding="utf-8")) if (out / "results.json").exists() else {"cells": []}
    slowest = sorted(results["cells"], key=lambda c: -(c.get("wall_seconds") or 0))[:5]
    return {"fixtures": len(ids), "built": len(built.built), "build_errors": built.errors, "build_seconds": round(build_seconds, 1),
            "cells": len(results["cells"]), "cells_seconds": round(cells_seconds, 1), "total_seconds": round(build_seconds + cells_seconds, 1),
            "workers": workers, "pytest_exit": proc.returncode,
            "slowest_cells": [{"cell": c["cell"], "seconds": round(c.get("wall_seconds") or 0, 1)} for c in slowest]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=program_name("bench.fixtures_cost"), description=__doc__.split("\n\n")[0])
    parser.add_argument("--fixture-ids", required=True, help="comma-separated fixture ids or globs, of the default set")
    parser.add_argument("--workers", type=int, default=2, help="writer processes and cells at a time (default 2)")
    parser.add_argument("--out", type=Path, default=None, help="where the fixtures, caches and cost.json go (default: a temporary folder)")
    args = parser.parse_args(argv)
    ids = selected([p for p in args.fixture_ids.split(",") if p])
    if not ids:
        print(f"error: --fixture-ids {args.fixture_ids} matches no default fixture (./run fixtures list)", file=sys.stderr)
        return 2
    out = args.out or Path(tempfile.mkdtemp(prefix="zipcompat-cost-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"{len(ids)} fixtures, cold build then every default reader's cells, {args.workers} at a time ...", file=sys.stderr, flush=True)
    cost = measure(ids, args.workers, out)
    (out / "cost.json").write_text(json.dumps(cost, indent=1) + "\n", encoding="utf-8")
    print(f"build {cost['build_seconds']} s ({cost['built']} of {cost['fixtures']} fixtures), {cost['cells']} cells {cost['cells_seconds']} s: "
          f"{cost['total_seconds']} s in all ({out / 'cost.json'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
