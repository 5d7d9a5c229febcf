"""python -m compat_tests bench-readers: every reader's full read of the same archives, against the floor.

For each archive (default: MNIST stored and deflate, COADS, the 70,014-entry
archive, a sharded archive), in one run:

1. the floor, in its own capped worker (bench/floor.py):
   raw sequential read of the archive + zlib inflate of deflate members +
   single-core numcodecs decode of every chunk + one memory copy of the
   decoded arrays, each a warm-up and N runs, median; its decoded values are
   checked against the manifest's digests;
2. every default-matrix reader (compat_tests.readers.matrix_readers, so
   readers added later join by themselves), in its own worker: a warm-up
   that is a matrix cell (compat_tests.cells.run_cell: the default call, and
   the reader's documented options when the default does not read the
   values), then N timed runs of the call that read them. Each run's values
   are judged against the manifest (every array's SHA-256 of canonical
   bytes); a run whose values differ ends the cell as `wrong-data` with no
   time. The time is the worker's `read_seconds`: the adapter's read call
   (open, list, read every array in full and one slice, attributes), not
   the worker's start, the manifest, the digests or the trip to the
   orchestrator.

Each read has a time limit (the matrix's rule: --read-limit + 2 ms per ZIP
entry); a reader over it is reported as such. After the warm-up a cell takes
at most N runs and stops early once its runs have spent --cell-budget
seconds (the runs taken are reported). Ratios: each reader's median over the
archive's floor (1 = as fast as the floor; below 1 is possible where a
reader uses several cores, the floor uses one).

Writes reports/bench-readers.json, .md (the ratio table), .html (Plotly,
self-contained) and .png (Debian's Chromium, when installed).
"""

from __future__ import annotations

import argparse
import datetime
import html
import json
import os
import platform
import shlex
import statistics
import sys
import time
from pathlib import Path

from zipstore_compat.core import locations
from zipstore_compat.core.commands import program_name

ROOT = Path(__file__).resolve().parents[1]
REPORTS = locations.reports()
DEFAULT_FIXTURES = ["mnist-v3-stored", "mnist-v3-deflate", "coads-v3-stored", "mnist-v3-stored-manyentries", "mnist-v3-stored-sharded"]
TIMED, LIMIT = "timed", "over the limit"
READS_OK = ("pass", "partial")
FLOOR_SECONDS = 900.0  # the floor worker's limit per archive (it runs 4 components x (1 + N) times)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {"platform": platform.platform(), "cpu": _cpu_model(), "cpus": os.cpu_count(), "memory_gib": round(memory / 2**30, 1),
            "python": sys.version.split()[0]}


def cases_from(fixture_ids: list[str], folder: Path | None, build: bool) -> list[dict]:
    """(fixture id, archive, manifest path) of each archive: from a folder as they are, or built (from the cache)."""
    if folder is None:
        from zipstore_compat.fixtures.build import DEFAULT_OUT, build as build_fixtures
        from zipstore_compat.fixtures.registry import resolve

        folder = Path(DEFAULT_OUT)
        if build:
            result = build_fixtures(resolve(fixture_ids), out=folder, progress=False)
            if result.errors:
                raise SystemExit(f"fixtures failed to build: {result.errors}")
    cases = []
    for fixture_id in fixture_ids:
        manifest = folder / f"{fixture_id}.manifest.json"
        archives = [p for p in (folder / f"{fixture_id}.zip", folder / f"{fixture_id}.ozx") if p.exists()]
        if not manifest.exists() or not archives:
            raise SystemExit(f"{fixture_id}: no archive and manifest in {folder}")
        cases.append({"fixture": fixture_id, "archive": archives[0].resolve(), "manifest": manifest.resolve()})
    return cases


def _stats(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def _warm(archive: Path) -> None:
    """The archive's bytes into the page cache (a plain read; nothing decoded)."""
    with open(archive, "rb") as handle:
        while handle.read(1 << 24):
            pass


def bench_cell(reader, case: dict, manifest: dict, pool, describe, settings: dict) -> dict:
    """One reader on one archive: a warm-up that is a matrix cell, then up to N verified, timed reads."""
    from zipstore_compat.compat_tests.attempts import plan
    from zipstore_compat.compat_tests.cells import run_cell, time_limit
    from zipstore_compat.compat_tests.checks import judge

    limit = time_limit(settings["read_limit"], manifest)
    row = {"reader": reader.id, "fixture": case["fixture"], "limit_seconds": limit, "option": None, "runs": 0, "times": []}
    _warm(case["archive"])
    warm = run_cell(reader, case["fixture"], case["archive"], case["manifest"], pool, describe, timeout=settings["read_limit"])
    row.update(outcome=warm.outcome, message=warm.message[:500], warmup_seconds=warm.seconds, option=warm.option,
               warmup_outcome=warm.outcome, warmup_message=warm.message[:500])  # kept when a run's outcome replaces them
    if warm.outcome == "timeout":
        return dict(row, status=LIMIT, message=f"warm-up read over the {limit:g} s limit")
    if warm.outcome not in READS_OK:
        return dict(row, status=warm.outcome if warm.outcome in ("wrong-data", "silent-missing") else "does not read")
    options = {}
    if warm.option:
        options = {o.label: o.options for o in plan(describe(reader).get("fallbacks", []), manifest)}[warm.option]
    worker = pool.for_reader(reader)
    request = {"adapter": reader.adapter, "archive": str(case["archive"]), "manifest": str(case["manifest"]), "options": options}
    arrays = len(manifest["arrays"])
    spent = 0.0
    for _ in range(settings["repeats"]):
        if row["runs"] and spent > settings["cell_budget"]:
            break
        reply = worker.request(request, timeout=limit)
        spent += reply.seconds or limit
        if reply.status == "timeout":
            return dict(row, status=LIMIT, message=f"run {row['runs'] + 1} over the {limit:g} s limit")
        if reply.status != "ok":
            return dict(row, status="does not read", outcome=reply.status, message=f"run {row['runs'] + 1}: {reply.error}"[:500])
        verdict = judge(manifest, reply.result, decodes_cf=reader.decodes_cf)
        if verdict.outcome in ("wrong-data", "silent-missing"):
            return dict(row, status=verdict.outcome, outcome=verdict.outcome,
                        message=f"run {row['runs'] + 1}: values do not match the manifest: {verdict.message}"[:500])
        if verdict.values_right < arrays:  # some arrays not read at all: no full read to time
            return dict(row, status="does not read", outcome=verdict.outcome,
                        message=f"run {row['runs'] + 1}: read {verdict.values_right} of {arrays} arrays: {verdict.message}"[:500])
        row["times"].append(reply.read_seconds if reply.read_seconds is not None else reply.seconds)
        row["runs"] += 1
    return dict(row, status=TIMED, **_stats(row["times"]))


def measure_floor(case: dict, pool, repeats: int) -> dict:
    from zipstore_compat.compat_tests.workers import PROJECT_ENV, Worker

    if "floor" not in pool.workers:
        pool.workers["floor"] = Worker(PROJECT_ENV, module="zipstore_compat.bench.floor")
    reply = pool.workers["floor"].request({"archive": str(case["archive"]), "manifest": str(case["manifest"]), "repeats": repeats},
                                          timeout=FLOOR_SECONDS)
    if reply.status != "ok":
        return {"seconds": None, "error": f"{reply.status}: {reply.error}"[:500]}
    return reply.result


def floor_versions(pool) -> dict:
    reply = pool.workers["floor"].request({"command": "describe"}, timeout=60) if "floor" in pool.workers else None
    return reply.result["versions"] if reply is not None and reply.status == "ok" else {}


def run(cases: list[dict], reader_ids: list[str] | None = None, repeats: int = 5, read_limit: float = 60.0,
        cell_budget: float = 150.0, log=lambda message: None) -> dict:
    from zipstore_compat.compat_tests.cells import Describer
    from zipstore_compat.compat_tests.readers import matrix_readers, readers as all_declared
    from zipstore_compat.compat_tests.workers import WorkerPool

    declared = all_declared()
    chosen = [declared[r] for r in reader_ids] if reader_ids else list(matrix_readers().values())
    settings = {"repeats": repeats, "read_limit": read_limit, "cell_budget": cell_budget}
    started_at = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    started = time.perf_counter()
    pool = WorkerPool()
    describe = Describer(pool)
    archives, cells = [], []
    try:
        for case in cases:
            manifest = json.loads(case["manifest"].read_text(encoding="utf-8"))
            _warm(case["archive"])
            floor = measure_floor(case, pool, repeats)
            zip_facts = manifest.get("zip", {})
            archives.append({"fixture": case["fixture"], "archive": case["archive"].name, "archive_bytes": case["archive"].stat().st_size,
                             "entries": zip_facts.get("entries"), "compression": zip_facts.get("compression"),
                             "arrays": [a["path"] for a in manifest["arrays"]], "floor": floor})
            log(f"{case['fixture']}: floor {floor['seconds'] if floor.get('seconds') is None else round(floor['seconds'], 4)} s"
                + ("" if floor.get("verified", False) else f" ({floor.get('error', 'floor values do not match the manifest')})"))
            for reader in chosen:
                row = bench_cell(reader, case, manifest, pool, describe, settings)
                if row["status"] == TIMED and floor.get("seconds"):
                    row["ratio"] = row["median"] / floor["seconds"]
                    row["decoded_mb_s"] = floor["decoded_bytes"] / 1e6 / row["median"]
                cells.append(row)
                shown = f"{row['median']:.4f} s ({row.get('ratio', float('nan')):.1f}x floor, {row['runs']} runs)" if row["status"] == TIMED \
                    else f"{row['status']} ({row['outcome']}: {row['message'][:120]})"
                log(f"  {reader.id:28} {shown}")
        versions = {r.id: describe(r).get("versions", describe(r).get("unavailable")) for r in chosen}
        versions["floor"] = floor_versions(pool)
    finally:
        pool.close()
    return {
        "bench_schema": 1,
        "benchmark": "readers",
        "started": started_at,
        "seconds": time.perf_counter() - started,
        "machine": machine(),
        "settings": settings,
        "readers": [r.id for r in chosen],
        "versions": versions,
        "archives": archives,
        "cells": cells,
        "measured": ("reader time: the worker's read_seconds, the adapter's read call alone (open the archive, list, read every "
                     "array in full and one slice, attributes), in a warm worker, page cache warm; not in it: starting the worker, "
                     "importing the library (the warm-up pays it), parsing the manifest, the digests and the trip to the orchestrator. "
                     "floor: raw sequential read + zlib inflate of deflate members + one-core numcodecs decode of every chunk + "
                     "one memory copy of the decoded arrays, medians summed"),
    }


# ---- output ----

def _seconds(value: float) -> str:
    return f"{value:.3g} s" if value >= 1 else f"{value * 1000:.3g} ms"


def cell_text(row: dict) -> str:
    if row["status"] == TIMED:
        ratio = f"**{row['ratio']:.1f}x**" if row.get("ratio") is not None else "-"
        runs = "" if row["runs"] >= 5 else f", {row['runs']} run{'s' if row['runs'] != 1 else ''}"
        option = f", with {row['option']}" if row.get("option") else ""
        return f"{ratio} ({_seconds(row['median'])}{runs}{option})"
    if row["status"] == LIMIT:
        return f"over {row['limit_seconds']:.0f} s ({'warm-up' if not row['runs'] else 'run ' + str(row['runs'] + 1)})"
    if row["status"] in ("wrong-data", "silent-missing"):
        return f"**{row['status']}** (values do not match the manifest)"
    return f"does not read ({row['outcome']})"


def floor_text(floor: dict) -> str:
    if not floor.get("seconds"):
        return f"no floor: {floor.get('error', '?')}"
    c = floor["components"]
    parts = [f"raw {_seconds(c['raw_read']['median'])}"]
    if c.get("inflate"):
        parts.append(f"inflate {_seconds(c['inflate']['median'])}")
    if c.get("decode"):
        parts.append(f"{'/'.join(floor['codecs'])} {_seconds(c['decode']['median'])}")
    parts.append(f"copy {_seconds(c['memcpy']['median'])}")
    verified = "" if floor.get("verified") else " (floor values do NOT match the manifest)"
    return f"{_seconds(floor['seconds'])} = " + " + ".join(parts) + verified


def _order(bench: dict) -> list[str]:
    """Readers: those that read the most archives first, then by their mean ratio."""
    def key(reader):
        rows = [c for c in bench["cells"] if c["reader"] == reader]
        ratios = [c["ratio"] for c in rows if c.get("ratio")]
        return (-len(ratios), statistics.fmean(ratios) if ratios else 0, reader)
    return sorted(bench["readers"], key=key)


def markdown(bench: dict) -> str:
    m = bench["machine"]
    fixtures = [a["fixture"] for a in bench["archives"]]
    by = {(c["reader"], c["fixture"]): c for c in bench["cells"]}
    lines = [f"Cross-reader read benchmark, {bench['started']}: {m['cpus']} CPUs ({m['cpu']}), {m['memory_gib']} GiB, {m['platform']}; "
             f"a warm-up and up to {bench['settings']['repeats']} run(s) per cell, {bench['seconds']:.0f} s in all.",
             "",
             "Each cell: the reader's median full read as a ratio to the archive's floor (its median time; fewer runs when its "
             "runs passed the cell budget). Every timed run's values matched the manifest's SHA-256.",
             "",
             "| reader | " + " | ".join(f"`{f}`" for f in fixtures) + " |",
             "|---|" + "---|" * len(fixtures)]
    lines.append("| **floor** | " + " | ".join(floor_text(a["floor"]) for a in bench["archives"]) + " |")
    for reader in _order(bench):
        lines.append(f"| {reader} | " + " | ".join(cell_text(by[(reader, f)]) if (reader, f) in by else "-" for f in fixtures) + " |")
    lines += ["", "Archives: " + "; ".join(f"`{a['fixture']}` {a['archive_bytes'] / 1e6:.1f} MB, {a['entries']:,} entries "
                                          f"({', '.join(f'{v} {k}' for k, v in (a['compression'] or {}).items())}), "
                                          f"{a['floor'].get('decoded_bytes', 0) / 1e6:.1f} MB decoded" for a in bench["archives"]) + "."]
    lines += ["", f"Measured: {bench['measured']}."]
    return "\n".join(lines) + "\n"


def charts_html(bench: dict) -> str:
    import plotly.graph_objects as go

    from plotly.colors import qualitative

    fixtures = [a["fixture"] for a in bench["archives"]]
    timed = [c for c in bench["cells"] if c["status"] == TIMED and c.get("ratio")]
    palette = qualitative.Plotly + qualitative.Dark24
    colour = {reader: palette[i % len(palette)] for i, reader in enumerate(_order(bench))}  # one colour per reader in both charts
    fig = go.Figure()
    for reader in _order(bench):
        rows = {c["fixture"]: c for c in timed if c["reader"] == reader}
        if not rows:
            continue
        fig.add_bar(name=reader, x=fixtures, y=[rows[f]["ratio"] if f in rows else None for f in fixtures], marker_color=colour[reader],
                    error_y={"type": "data", "symmetric": False,
                             "array": [(rows[f]["max"] - rows[f]["median"]) / rows[f]["median"] * rows[f]["ratio"] if f in rows else 0 for f in fixtures],
                             "arrayminus": [(rows[f]["median"] - rows[f]["min"]) / rows[f]["median"] * rows[f]["ratio"] if f in rows else 0 for f in fixtures]},
                    hovertext=[f"{reader}: {rows[f]['median']:.4f} s, {rows[f]['runs']} runs" if f in rows else "" for f in fixtures])
    fig.add_hline(y=1, line_dash="dot")
    fig.update_layout(title="each reader's full read / the floor (median; dotted: 1 = raw read + inflate + decode + copy, one core)",
                      barmode="group", yaxis_type="log", yaxis_title="x floor", height=560)
    absolute = go.Figure()
    absolute.add_bar(name="floor", x=fixtures, y=[a["floor"].get("seconds") for a in bench["archives"]], marker_color="black")
    for reader in _order(bench):
        rows = {c["fixture"]: c for c in timed if c["reader"] == reader}
        if rows:
            absolute.add_bar(name=reader, x=fixtures, y=[rows[f]["median"] if f in rows else None for f in fixtures], marker_color=colour[reader])
    absolute.update_layout(title="median full read, seconds (the floor in black)", barmode="group", yaxis_type="log",
                           yaxis_title="seconds", height=520)
    by = {(c["reader"], c["fixture"]): c for c in bench["cells"]}
    table = ["<table><tr><th>reader</th>" + "".join(f"<th>{html.escape(f)}</th>" for f in fixtures) + "</tr>",
             "<tr><th>floor</th>" + "".join(f"<td>{html.escape(floor_text(a['floor']))}</td>" for a in bench["archives"]) + "</tr>"]
    for reader in _order(bench):
        cells = []
        for f in fixtures:
            row = by.get((reader, f))
            text = cell_text(row).replace("**", "") if row else "-"
            title = html.escape(row.get("message", "") if row else "")
            cells.append(f"<td class='{html.escape(row['status'].replace(' ', '-')) if row else ''}' title='{title}'>{html.escape(text)}</td>")
        table.append(f"<tr><th>{html.escape(reader)}</th>" + "".join(cells) + "</tr>")
    table.append("</table>")
    m = bench["machine"]
    head = (f"<h1>Cross-reader read benchmark</h1><p>{html.escape(bench['started'])}; {m['cpus']} CPUs ({html.escape(m['cpu'])}), "
            f"{m['memory_gib']} GiB, {html.escape(m['platform'])}. A warm-up and up to {bench['settings']['repeats']} run(s) per cell, "
            f"{bench['seconds']:.0f} s in all. Every timed run's values matched the manifest's SHA-256; a cell whose values did not "
            f"is shown as such and not timed.</p><p>{html.escape(bench['measured'])}.</p>")
    from zipstore_compat.bench.page import html_page

    parts = [fig.to_html(full_html=False, include_plotlyjs=True), absolute.to_html(full_html=False, include_plotlyjs=False)]
    return html_page("zipstore-compat cross-reader benchmark",
                     "td.timed{background:#eef8ee}td.wrong-data,td.silent-missing{background:#f8d0d0}td.does-not-read{color:#777}"
                     "td.over-the-limit{background:#fff0c0}", head + "".join(table) + "".join(parts))


def write(bench: dict, out: Path, png: bool = True) -> None:
    from zipstore_compat.bench.page import write_outputs

    write_outputs(out, "bench-readers", bench, markdown(bench), charts_html(bench), png)


def main(argv=None) -> int:
    prog = program_name("bench.readers")
    parser = argparse.ArgumentParser(prog=prog, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readers", help="comma-separated reader ids (default: every reader of the default matrix)")
    parser.add_argument("--fixtures", help=f"comma-separated fixture ids (default: {','.join(DEFAULT_FIXTURES)})")
    parser.add_argument("--fixtures-dir", help="take <id>.zip and <id>.manifest.json from this folder as they are (default: build them, from the cache)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per cell after the warm-up (default 5)")
    parser.add_argument("--read-limit", type=float, default=60.0, help="seconds one read may take, plus 2 ms per ZIP entry (default 60)")
    parser.add_argument("--cell-budget", type=float, default=150.0, help="a cell takes no further run once its runs have spent this long (default 150)")
    parser.add_argument("--out", default=str(REPORTS))
    parser.add_argument("--no-png", action="store_true", help="skip the PNG")
    parser.add_argument("--render", metavar="JSON", help="write the table, page and PNG again from an earlier run's bench-readers.json (measures nothing)")
    args = parser.parse_args(argv)
    if args.render:
        bench = json.loads(Path(args.render).read_text(encoding="utf-8"))
        write(bench, Path(args.out), png=not args.no_png)
        print(markdown(bench))
        return 0
    fixture_ids = args.fixtures.split(",") if args.fixtures else DEFAULT_FIXTURES
    cases = cases_from(fixture_ids, Path(args.fixtures_dir) if args.fixtures_dir else None, build=True)
    bench = run(cases, args.readers.split(",") if args.readers else None, args.repeats, args.read_limit, args.cell_budget,
                log=lambda message: print(message, file=sys.stderr, flush=True))
    bench["command"] = " ".join([f"./run {prog}", *map(shlex.quote, sys.argv[1:] if argv is None else argv)])
    out = Path(args.out)
    write(bench, out, png=not args.no_png)
    print(markdown(bench))
    wrong = [c for c in bench["cells"] if c["status"] in ("wrong-data", "silent-missing")]
    print(f"wrote {out / 'bench-readers.json'}, .md, .html in {bench['seconds']:.0f} s"
          + (f"; {len(wrong)} cells returned values that do not match the manifest" if wrong else ""), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
