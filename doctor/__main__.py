"""python -m doctor lint ARCHIVE [--json | --format ozx] [--results PATH] [--readers A,B] [--local-headers] [--crc]
python -m doctor repack ARCHIVE OUT [--for READERS] [--results PATH] [--no-matrix]
python -m doctor bench [--fixtures-dir DIR] [--results PATH] [--runs N]"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path


def _readers(text: str | None) -> list[str] | None:
    return [r for r in text.split(",") if r] if text else None


def _lint(args) -> int:
    from zipstore_compat.doctor import rfc9
    from zipstore_compat.doctor.lint import lint, render_json, render_ozx, render_text
    from zipstore_compat.doctor.results import ResultsError

    try:
        report = lint(Path(args.archive), Path(args.results) if args.results else None, _readers(args.readers),
                      local_headers=args.local_headers, crc=args.crc)
    except ResultsError as exc:
        print(f"lint: {exc}", file=sys.stderr)
        return 2
    if args.format == "ozx":
        text = render_ozx(report)
        if text:
            print(text)
        return rfc9.exit_status([rfc9.Event(**e) for e in report["rfc9"]], args.strict)
    print(render_json(report) if args.format == "json" else render_text(report))
    return report["exit"]


def _repack(args) -> int:
    from zipstore_compat.doctor.repack import RepackError, repack

    try:
        return repack(Path(args.archive), Path(args.out), Path(args.results) if args.results else None,
                      _readers(args.for_readers), run_matrix=not args.no_matrix, log=lambda m: print(m, file=sys.stderr, flush=True))
    except RepackError as exc:
        print(f"repack: {exc}", file=sys.stderr)
        return 2


def main(argv=None) -> int:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `... lint x.zip | head` ends quietly
    parser = argparse.ArgumentParser(prog="python -m doctor", description="The archive doctor: lint and repack zipped Zarr stores.")
    sub = parser.add_subparsers(dest="command", required=True)
    lint = sub.add_parser("lint", help="an archive's properties and the readers each breaks (from the latest results)")
    lint.add_argument("archive")
    lint.add_argument("--json", dest="format", action="store_const", const="json", default="text", help="machine-readable output")
    lint.add_argument("--format", choices=["text", "json", "ozx"], help="ozx: ozx-tck's lines (path::arcname::WARN|ERROR::msg) and exit status")
    lint.add_argument("--strict", action="store_true", help="with --format ozx: a warning exits 1, as ozx-tck's --strict")
    lint.add_argument("--results", help="the results file to take evidence from (default: reports/results.json)")
    lint.add_argument("--readers", help="only these readers (comma-separated ids)")
    lint.add_argument("--local-headers", action="store_true", help="read every local header too (sizes, names, extra fields)")
    lint.add_argument("--crc", action="store_true", help="inflate every member and check its CRC-32 (never a bomb)")
    repack = sub.add_parser("repack", help="rewrite an archive into the layout the chosen readers read, values unchanged")
    repack.add_argument("archive")
    repack.add_argument("out")
    repack.add_argument("--for", dest="for_readers", help="the readers to repack for (default: every reader the results have)")
    repack.add_argument("--results", help="the results file to take evidence from (default: reports/results.json)")
    repack.add_argument("--no-matrix", action="store_true", help="do not run the readers on the input and the output")
    bench = sub.add_parser("bench", help="lint's time and memory on the largest fixtures and every hostile archive, against its goals")
    bench.add_argument("--fixtures-dir", default="build/fixtures", help="the built fixtures (default: build/fixtures)")
    bench.add_argument("--results", help="a results file for the evidence (default: none)")
    bench.add_argument("--runs", type=int, default=5, help="counted runs of each (default 5)")
    args = parser.parse_args(argv)
    if args.command == "bench":
        from zipstore_compat.doctor.bench import main as bench_main

        return bench_main(Path(args.fixtures_dir), Path(args.results) if args.results else None, args.runs)
    return _lint(args) if args.command == "lint" else _repack(args)


if __name__ == "__main__":
    sys.exit(main())
