"""The support table as one self-contained HTML page (no outside requests).

The page carries the run as compact JSON (every string once, in a table) and
a small inline script renders it: the summary first (archive properties x
reader families, from compat_tests/reports/summary.py), "since which version"
where the versions lane shows the outcome depends on the release
(compat_tests/reports/since.py), then every cell (fixtures x readers, in family order). A cell's message, reason, link, option, read time
and repro command open in a panel on click or keyboard focus; every cell has
a permanent link (`matrix.html#<cell id>`); filters by reader, property, the
archive's writer and outcome. Rendering from data keeps the page small when the cells multiply.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from zipstore_compat.compat_tests.reports import since, summary
from zipstore_compat.compat_tests.reports.results import interrupted_text
from zipstore_compat.compat_tests.cells import repro_command
from zipstore_compat.compat_tests.result_cache import run_info_text

# text, not emoji: the page must read the same on a machine without an emoji font
LABEL = {
    "pass": "pass", "partial": "partial", "wrong-data": "WRONG DATA", "silent-missing": "DATA MISSING", "error": "error", "crash": "crash",
    "timeout": "timeout", "slow": "slow", "unsupported": "n/a", "not-installed": "not installed", "fixture-error": "no fixture",
    "unjudged": "unjudged",
}

LEGEND = {
    "pass": "every check holds",
    "partial": "some checks fail, or passes only with a named non-default option",
    "wrong-data": "opened, but values differ from what was written",
    "silent-missing": "returned without an error, but arrays are missing: the data is gone and nothing says so",
    "error": "the reader raised an exception",
    "crash": "the reader's process died of a signal, or reached its memory cap (the message says \"memory cap reached at N GiB\")",
    "timeout": "no answer within the cell's time limit",
    "slow": "answers (a correct read, or a refusal), slower than the cell limit: measured once (matrix.yaml), not run at every run",
    "unsupported": "refused by design (declared in matrix.yaml)",
    "not-installed": "the reader's environment could not be built here",
    "fixture-error": "the archive could not be built",
    "unjudged": "the reference could not read the archive; the message says what the reader did",
}
MESSAGE_LIMIT, DETAIL_LINES, DETAIL_LIMIT = 600, 8, 300

ASSETS = Path(__file__).with_name("assets")

# Paths of the machine that ran, shown the same for every cell: the page's texts then repeat across cells (each is
# stored once), and a reader of the page sees the cell's archive, not a folder of someone else's machine.
_ENV_PATH = re.compile(r"/(?=[^/\s])(?:[^/\s'\"]+/)*envs/([\w.-]+?)-[0-9a-f]{12}/")
_TMP_PATH = re.compile(r"/tmp/[\w.-]+/")
PATHS_NOTE = "In these texts the cell's archive is shown as <archive>, a reader's environment as <env NAME>, a temporary folder as <tmp>."


def portable(text: str, fixture: str) -> str:
    """A reader's message with this machine's paths put as <archive>, <env NAME> and <tmp> (results.json keeps them)."""
    archive = re.compile(r"/(?=[^/\s])(?:[^/\s'\"(){}\[\],;:]+/)*" + re.escape(fixture) + r"(?:\.zip|\.ozx)?(?![\w.-])")
    return _TMP_PATH.sub("<tmp>/", _ENV_PATH.sub(r"<env \1>/", archive.sub("<archive>", text)))


class _Strings:
    """Every text once: cells refer to it by number (messages and reasons repeat across cells)."""

    def __init__(self):
        self.items: list[str] = []
        self.index: dict[str, int] = {}

    def __call__(self, text) -> int:
        if text is None or text == "":
            return -1
        text = str(text)
        if text not in self.index:
            self.index[text] = len(self.items)
            self.items.append(text)
        return self.index[text]


def _axis_of(tags: list[str]) -> str:
    if "remote" in tags:
        server = next((t.split(":", 1)[1] for t in tags if t.startswith("server:")), "nginx")
        kind = next((t.split(":", 1)[1] for t in tags if t.startswith("remote-kind:")), "read")
        return f"over HTTP (nginx on 127.0.0.1): {kind}, " + ("well-behaved server" if server == "nginx" else f"server fault {server}")
    if "kind:external" in tags:
        return "archives made by other projects (truth from the independent reference)"
    if "kind:hostile" in tags:
        return "hostile archives, malformed or malicious on purpose (a correct reader refuses what is damaged and reads what is intact)"
    if "kind:byo" in tags:
        return "your archives (truth from the independent reference)"
    axes = [t.split(":", 1)[1] for t in tags if t.startswith("axis:")]
    return "varies: " + ", ".join(axes) if axes else "baseline"


def _fixture_order(tags_of: dict[str, list[str]]) -> list[str]:
    def key(fixture):
        axis = _axis_of(tags_of[fixture])
        return (axis != "baseline", not axis.startswith("varies"), axis, fixture)
    return sorted(tags_of, key=key)


def _shown_versions(versions: dict) -> str:
    shown = ", ".join(f"{k} {v}" for k, v in list(versions.items())[:2] if k != "build")
    return _ENV_PATH.sub(r"<env \1>/", shown)


def _remote_panel(remote: dict | None, text) -> list | int:
    """A remote cell's cost for its panel: [case, requests, bytes sent, body bytes, minimum, ratio, behaviour, statuses,
    what the fault server did, the cost of each attempt], long texts by number; -1 for a local cell."""
    if not remote:
        return -1
    statuses = ", ".join(f"{k}: {v}" for k, v in (remote.get("statuses") or {}).items())
    methods = ", ".join(f"{k} {v}" for k, v in (remote.get("methods") or {}).items())
    attempts = "; ".join(f"{a['label']}: {a['requests']} requests, {a['body_bytes']:,} body bytes" for a in remote.get("attempts") or [])
    return [text(remote.get("case")), remote.get("requests", 0), remote.get("bytes_sent", 0), remote.get("body_bytes", 0),
            remote.get("minimum_bytes", 0), remote.get("ratio"), text(", ".join(remote.get("behaviour") or [])),
            text(f"{methods}; statuses {statuses}" if methods else ""),
            text("; ".join((remote.get("fault_server") or {}).get("actions") or [])), text(attempts),
            remote.get("archive_bytes", 0)]


def page_data(payload: dict) -> dict:
    """What the page's script renders: run facts, readers, fixtures, cells and the summary, strings shared."""
    cells = payload["cells"]
    run = payload["run"]
    text = _Strings()
    readers = summary.reader_order(c["reader"] for c in cells)
    reader_index = {r: i for i, r in enumerate(readers)}
    tags_of = {c["fixture"]: c.get("tags", []) for c in cells}
    fixtures = _fixture_order(tags_of)
    fixture_index = {f: i for i, f in enumerate(fixtures)}
    first_cell = {}
    for cell in cells:
        first_cell.setdefault(cell["reader"], cell)
    outcomes = list(LABEL)
    rows = []
    cell_index = {}
    for cell in sorted(cells, key=lambda c: (fixture_index[c["fixture"]], reader_index[c["reader"]])):
        cell_index[cell["cell"]] = len(rows)

        def shown(message: str, limit: int, fixture: str = cell["fixture"]) -> int:
            return text(portable(message[:limit], fixture))
        details = [shown(d, DETAIL_LIMIT) for d in (cell.get("details") or [])[:DETAIL_LINES]]
        reference = cell.get("reference")
        rows.append([
            reader_index[cell["reader"]], fixture_index[cell["fixture"]], outcomes.index(cell["outcome"]),
            1 if cell.get("as_expected", True) else 0, outcomes.index(cell.get("expected") or "pass"),
            shown(cell.get("message") or "", MESSAGE_LIMIT), text(cell.get("reason")), text(cell.get("link")),
            text(cell.get("option")), round(float(cell.get("seconds") or 0), 3), details,
            text(reference if reference and reference != "manifest written with the archive" else None),
            -1 if cell.get("repro") == repro_command(cell["cell"]) else text(cell.get("repro")),
            [shown(n, DETAIL_LIMIT) for n in (cell.get("notes") or [])[:DETAIL_LINES]],
            -1 if cell["cell"] == f"{cell['reader']}--{cell['fixture']}" else text(cell["cell"]),
            text(cell["ran"][:16] + "Z") if cell.get("cached") and cell.get("ran") else -1,  # from the cache: when it ran (minutes)
            _remote_panel(cell.get("remote"), text),
        ])
    digest = summary.summarize(payload)
    for row in digest["rows"]:  # the page's copy: cells by number, long texts by number in the strings
        for family_cell in row["families"].values():
            for unshown in ("tested", "library"):  # the page shows a family's versions and each reader's library
                family_cell.pop(unshown, None)
            for verdict in family_cell["per_reader"].values():  # a reader's version and option are in its versions and text
                verdict.pop("version", None)
                verdict.pop("option", None)
            for verdict in [family_cell, *family_cell["per_reader"].values()]:
                for key in ("reason", "warning"):
                    if key in verdict:
                        verdict[key] = text(verdict[key])
            for verdict in family_cell["per_reader"].values():
                verdict["cells"] = [cell_index[c] for c in verdict["cells"]]
    versions_of = run.get("readers") or {}
    return {
        "run": {**{k: run.get(k, "") for k in ("started", "python", "platform")}, "cache": run_info_text(payload, with_total=False),
                "interrupted": interrupted_text(run)},
        "outcomes": outcomes, "labels": LABEL,
        "repro": repro_command("CELL"),
        "readers": [{"id": r, "family": summary.family_of(summary.reader_and_version({"reader": r})[0]),
                     "versions": _shown_versions(versions_of.get(r) or first_cell[r].get("versions") or {}),
                     "library": first_cell[r].get("library", ""), "call": first_cell[r].get("call", "")} for r in readers],
        "fixtures": [{"id": f, "axis": _axis_of(tags_of[f]), "tags": tags_of[f]} for f in fixtures],
        "cells": rows, "strings": text.items,
        "summary": digest, "legend": summary.LEGEND,
        # "Since which version" (as in matrix.md): [family, fixture, text, the newest release's cell, by its number]
        "since": [[s["family"], s["fixture"], text(s["text"]), cell_index.get(s["tested"][-1]["cell"], -1)] for s in since.changed(payload)],
    }


def render_html(payload: dict) -> str:
    data = json.dumps(page_data(payload), ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    css = (ASSETS / "matrix.css").read_text(encoding="utf-8")
    script = (ASSETS / "matrix.js").read_text(encoding="utf-8")
    legend = "".join(f"<span><b class='o-{k}'>{LABEL[k]}</b> {v}</span>" for k, v in LEGEND.items())
    return f"""<!doctype html><html lang=en><head><meta charset=utf-8>
<meta name=viewport content='width=device-width,initial-scale=1'>
<title>zipstore-compat: who reads zipped Zarr</title><style>{css}</style></head><body>
<h1>Who reads a zipped Zarr store, and correctly?</h1>
<p class=meta id=meta></p>
<section id=summary-section aria-labelledby=summary-title><h2 id=summary-title>Summary: archive properties x readers</h2>
<p class=hint>Each cell is derived from the detailed cells below (a family counts its best reader; rules in <code>compat_tests/reports/summary.py</code>).
Select a cell for the readers and cells behind it.</p>
<p class=legend id=summary-legend></p>
<div class=scroll id=summary-wrap><table id=summary></table></div></section>
<section id=since-section aria-labelledby=since-title hidden><h2 id=since-title>Since which version</h2>
<p class=hint>Where the outcome depends on the release (the versions lane), from the cells of every tested release.</p>
<div class=scroll id=since-wrap><table id=since></table></div></section>
<section id=detail-section aria-labelledby=detail-title><h2 id=detail-title>Every cell: fixtures x readers</h2>
<p class=legend>{legend}<span><b class=unexpected>frame</b> an outcome matrix.yaml does not expect</span></p>
<p class=hint>{html.escape(PATHS_NOTE)} results.json keeps the full paths.</p>
<div class=filters>
<label>Reader <select id=reader></select></label>
<label>Property <select id=property></select></label>
<label>Writer <select id=writer></select></label>
<label>Outcome <select id=outcome></select></label>
<span id=shown class=meta></span></div>
<div class=scroll id=matrix-wrap><table id=matrix></table></div></section>
<aside id=panel hidden aria-live=polite><button id=panel-close type=button aria-label='close the details'>&times;</button><div id=panel-body></div></aside>
<script type=application/json id=data>{data}</script>
<script>{script}</script></body></html>"""


def write_html(payload: dict, path: Path) -> None:
    Path(path).write_text(render_html(payload), encoding="utf-8")
