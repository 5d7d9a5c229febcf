"""python -m compat_tests bench-remote: what each remote reader costs in requests and bytes, against the minimum.

The remote section of the cross-reader benchmark. It measures nothing itself:
the remote cells of a matrix run already counted every request and byte from
nginx's access log (docs/reference/remote.md, "What a cell records"). This
command takes, from a results file, the remote cells of the MNIST archive
(`mnist-v3-stored`: whole read and one-chunk read) and of the 70,014-entry
archive (`mnist-v3-stored-manyentries`: one-chunk read; its whole read is no
remote case), on the well-behaved server (no fault), and shows per reader:
its outcome, the requests, the body bytes nginx sent, the minimum a read
needs (end records + central directory + the members the read needs,
compat_tests/remote/minimum.py) and the ratio body bytes / minimum, with the
behaviour (read, retried, full download, failed).

The figures are those of the attempt that decided the cell (the default
call, or the documented option that read); every attempt's are in the JSON.

Writes reports/bench-remote.json, .md (the table), .html (Plotly,
self-contained) and .png (Debian's Chromium, when installed).
"""

from __future__ import annotations

import argparse
import datetime
import html
import shlex
import sys
from pathlib import Path

from zipstore_compat.core import locations
from zipstore_compat.core.commands import program_name

REPORTS = locations.reports()
DEFAULT_ARCHIVES = ("mnist-v3-stored", "mnist-v3-stored-manyentries")
CASES = ("read", "one-chunk")   # the well-behaved server's cases (compat_tests/remote/plan.py KINDS)
READS = ("pass", "partial")     # outcomes whose values were read (partial: some attribute or array missing, see message)
BAD_INPUT = 2


class BadInput(ValueError):
    """What is wrong with the command's input, in one line."""


def remote_reader_ids() -> list[str]:
    """The remote readers of the default matrix (declared `remote = true`)."""
    from zipstore_compat.compat_tests.readers import matrix_readers

    return sorted(r.id for r in matrix_readers().values() if r.remote)


def producing_command(archives) -> str:
    """The matrix run that writes the remote cells this benchmark reads."""
    return f"./run matrix --readers {','.join(remote_reader_ids())} --fixture-ids '{','.join(archives)}'"


def load_results(path: Path) -> dict:
    """The results file, or BadInput saying what is wrong with it."""
    from zipstore_compat.compat_tests.reports.results import ResultsError, load

    if not Path(path).is_file():
        raise BadInput(f"{path}: no such results file; a matrix run writes it (--results PATH): {producing_command(DEFAULT_ARCHIVES)}")
    try:
        return load(path)
    except ResultsError as exc:
        raise BadInput(str(exc)) from None


def _attempt_figures(attempt: dict) -> dict:
    keys = ("label", "requests", "bytes_sent", "body_bytes", "ratio", "full_downloads", "behaviour")
    return {k: attempt.get(k) for k in keys}


def remote_rows(payload: dict, archives=DEFAULT_ARCHIVES) -> list[dict]:
    """One row per remote cell of these archives on the well-behaved server (whole read, one chunk)."""
    from zipstore_compat.compat_tests.remote.plan import parse_case

    rows = []
    for cell in payload["cells"]:
        case = parse_case(cell["fixture"])
        if case is None or case.fixture not in archives or case.fault is not None or case.kind not in CASES:
            continue
        remote = cell.get("remote") or {}   # none when the reader or the server could not run (not-installed)
        rows.append({
            "cell": cell["cell"], "reader": cell["reader"], "archive": case.fixture, "case": case.kind,
            "outcome": cell["outcome"], "option": cell.get("option"), "expected": cell.get("expected"),
            "as_expected": cell.get("as_expected"), "message": (cell.get("message") or "")[:400],
            "requests": remote.get("requests"), "bytes_sent": remote.get("bytes_sent"), "body_bytes": remote.get("body_bytes"),
            "minimum_bytes": remote.get("minimum_bytes"), "minimum_members": remote.get("minimum_members"),
            "archive_bytes": remote.get("archive_bytes"), "central_directory_bytes": remote.get("central_directory_bytes"),
            "ratio": remote.get("ratio"), "full_downloads": remote.get("full_downloads"),
            "methods": remote.get("methods"), "statuses": remote.get("statuses"),
            "behaviour": remote.get("behaviour") or [], "attempt": remote.get("attempt"),
            "attempts": [_attempt_figures(a) for a in remote.get("attempts") or []],
        })
    order = {a: i for i, a in enumerate(archives)}
    return sorted(rows, key=lambda r: (order[r["archive"]], CASES.index(r["case"]), r["reader"]))


def minimums(rows: list[dict]) -> list[dict]:
    """The minimum of each archive and case (the same for every reader: it is computed from the archive)."""
    out: dict[tuple, dict] = {}
    for row in rows:
        if row["minimum_bytes"] is None:
            continue
        key = (row["archive"], row["case"])
        seen = out.setdefault(key, {"archive": row["archive"], "case": row["case"], "minimum_bytes": row["minimum_bytes"],
                                    "minimum_members": row["minimum_members"], "archive_bytes": row["archive_bytes"],
                                    "central_directory_bytes": row["central_directory_bytes"], "differs": []})
        if row["minimum_bytes"] != seen["minimum_bytes"]:
            seen["differs"].append(row["cell"])   # two runs of different archives merged: said, never averaged
    return list(out.values())


def build(payload: dict, source: str, archives=DEFAULT_ARCHIVES) -> dict:
    """The benchmark's record, or BadInput when the results hold no remote cell of these archives."""
    rows = remote_rows(payload, archives)
    if not rows:
        raise BadInput(f"{source}: no remote cell of {', '.join(archives)} (cases {', '.join(CASES)}); "
                       f"they are written by: {producing_command(archives)}")
    from zipstore_compat.bench.readers import machine

    run = payload.get("run", {})
    return {
        "bench_schema": 1,
        "benchmark": "remote",
        "made": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),   # where this report was made; the figures are the run's below
        "results": {"path": source, "started": run.get("started"), "platform": run.get("platform"), "python": run.get("python"),
                    "partial": bool(run.get("partial")), "interrupted": run.get("interrupted")},
        "archives": list(archives),
        "readers": sorted({r["reader"] for r in rows}),
        "versions": {r: run.get("readers", {}).get(r) for r in sorted({r["reader"] for r in rows})},
        "minimums": minimums(rows),
        "rows": rows,
        "measured": ("nginx's access log of the attempt that decided each cell (the token in its URL): requests = its lines, "
                     "body bytes = $body_bytes_sent summed; minimum = end records + central directory + each needed member's "
                     "local header and stored bytes (metadata documents and chunks of the arrays read; the first chunk only "
                     "for one-chunk), computed from the archive; ratio = body bytes / minimum"),
    }


# ---- output ----

def outcome_text(row: dict) -> str:
    text = row["outcome"] + (f" with {row['option']}" if row.get("option") else "")
    return text if row.get("as_expected") is not False else f"{text} (UNEXPECTED: matrix.yaml says {row.get('expected')})"


def _number(value) -> str:
    return "-" if value is None else f"{value:,}"


def _ratio(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def markdown(bench: dict) -> str:
    results = bench["results"]
    lines = [f"Remote cost, from the matrix run of {results['started']} ({results['platform']}), "
             f"rendered {bench['made']} on {bench['machine']['cpus']} CPUs ({bench['machine']['cpu']}).", ""]
    if results.get("partial") or results.get("interrupted"):
        lines += ["The results file is of an unfinished run: the cells below are those that finished.", ""]
    lines.append("Minimum per archive and case (end records + central directory + the members the read needs): "
                 + "; ".join(f"`{m['archive']}` {m['case']}: {_number(m['minimum_bytes'])} bytes ({_number(m['minimum_members'])} members, "
                             f"archive {_number(m['archive_bytes'])} bytes, central directory {_number(m['central_directory_bytes'])})"
                             + (f" (differs in {', '.join(m['differs'])})" if m["differs"] else "")
                             for m in bench["minimums"]) + ".")
    lines += ["", "| reader | archive | case | outcome | requests | body bytes | minimum bytes | body / minimum | behaviour |",
              "|---|---|---|---|---|---|---|---|---|"]
    for row in bench["rows"]:
        lines.append(f"| {row['reader']} | `{row['archive']}` | {row['case']} | {outcome_text(row)} | {_number(row['requests'])} | "
                     f"{_number(row['body_bytes'])} | {_number(row['minimum_bytes'])} | {_ratio(row['ratio'])} | "
                     f"{', '.join(row['behaviour']) or '-'} |")
    lines += ["", f"Measured: {bench['measured']}."]
    return "\n".join(lines) + "\n"


def charts_html(bench: dict) -> str:
    import plotly.graph_objects as go

    from plotly.colors import qualitative

    readers = bench["readers"]
    groups = [(a, c) for a in bench["archives"] for c in CASES if any(r["archive"] == a and r["case"] == c for r in bench["rows"])]
    by = {(r["reader"], r["archive"], r["case"]): r for r in bench["rows"]}
    colours = qualitative.Plotly

    def chart(field: str, title: str, axis: str, one_line: bool, label) -> go.Figure:
        fig = go.Figure()
        for i, (archive, case) in enumerate(groups):
            cells = [by.get((reader, archive, case)) for reader in readers]
            values = [c[field] if c and c[field] else None for c in cells]
            fig.add_bar(name=f"{archive} {case}", x=readers, y=values, text=[label(v) if v else "" for v in values], textposition="outside",
                        marker_color=colours[i % len(colours)],
                        marker_pattern_shape=["" if c and c["outcome"] in READS else "x" for c in cells],
                        hovertext=[f"{c['reader']}: {outcome_text(c)}; {_number(c['requests'])} requests, {_number(c['body_bytes'])} "
                                   f"body bytes, minimum {_number(c['minimum_bytes'])}" if c else "no cell" for c in cells])
        if one_line:
            fig.add_hline(y=1, line_dash="dot")
        fig.update_layout(title=title, barmode="group", yaxis_type="log", yaxis_title=axis, height=520)
        return fig

    ratio = chart("ratio", "body bytes / minimum (dotted: 1 = the minimum; crossed bars: the reader did not read)", "x minimum", True, _ratio)
    requests = chart("requests", "requests (nginx's access log; crossed bars: the reader did not read)", "requests", False, _number)
    table = ["<table><tr><th>reader</th><th>archive</th><th>case</th><th>outcome</th><th>requests</th><th>body bytes</th>"
             "<th>minimum bytes</th><th>body / minimum</th><th>behaviour</th></tr>"]
    for row in bench["rows"]:
        cells = [row["reader"], row["archive"], row["case"], outcome_text(row), _number(row["requests"]), _number(row["body_bytes"]),
                 _number(row["minimum_bytes"]), _ratio(row["ratio"]), ", ".join(row["behaviour"]) or "-"]
        kind = "reads" if row["outcome"] in READS else "fails"
        table.append(f"<tr class='{kind}' title='{html.escape(row['message'], quote=True)}'>"
                     + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    table.append("</table>")
    results, m = bench["results"], bench["machine"]
    head = (f"<h1>Remote cost: requests and bytes against the minimum</h1><p>From the matrix run of {html.escape(str(results['started']))} "
            f"({html.escape(str(results['platform']))}); rendered {html.escape(bench['made'])} on {m['cpus']} CPUs "
            f"({html.escape(m['cpu'])}).</p><p>{html.escape(bench['measured'])}.</p>")
    from zipstore_compat.bench.page import html_page

    parts = [ratio.to_html(full_html=False, include_plotlyjs=True), requests.to_html(full_html=False, include_plotlyjs=False)]
    return html_page("zipstore-compat remote cost", "tr.reads td{background:#eef8ee}tr.fails td{color:#777}",
                     head + "".join(parts) + "".join(table))


def write(bench: dict, out: Path, png: bool = True) -> bool:
    """The JSON, the table and the page; the PNG when asked and Chromium is installed. Whether a PNG was written."""
    from zipstore_compat.bench.page import write_outputs

    return write_outputs(out, "bench-remote", bench, markdown(bench), charts_html(bench), png)


def main(argv=None) -> int:
    prog = program_name("bench.remote")
    parser = argparse.ArgumentParser(prog=prog, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", default=str(locations.results_file()), help="the matrix run's results file (default: %(default)s)")
    parser.add_argument("--archives", default=",".join(DEFAULT_ARCHIVES),
                        help="comma-separated fixture ids of the archives served (default: %(default)s)")
    parser.add_argument("--out", default=str(REPORTS), help="where to write bench-remote.* (default: %(default)s)")
    parser.add_argument("--no-png", action="store_true", help="skip the PNG")
    args = parser.parse_args(argv)
    archives = tuple(a for a in args.archives.split(",") if a)
    try:
        bench = build(load_results(Path(args.results)), args.results, archives)
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return BAD_INPUT
    bench["command"] = " ".join([f"./run {prog}", *map(shlex.quote, sys.argv[1:] if argv is None else argv)])
    out = Path(args.out)
    png = write(bench, out, png=not args.no_png)
    print(markdown(bench))
    print(f"wrote {out / 'bench-remote.json'}, .md, .html" + (", .png" if png else "")
          + ("" if png or args.no_png else "; no PNG: Debian's chromium is not installed (apt-get install -y chromium)"), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
