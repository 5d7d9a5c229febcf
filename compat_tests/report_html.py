"""The support table as one self-contained HTML page (no external assets).

Rows are fixtures grouped by the variant axis they vary, columns are readers
with their library versions, every non-pass cell has a numbered footnote with
its message, link and one-line repro command. Filters by reader and by tag
are plain inline JavaScript; the page scrolls sideways on a narrow screen.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

# text, not emoji: the page must read the same on a machine without an emoji font
LABEL = {
    "pass": "pass", "partial": "partial", "wrong-data": "WRONG DATA", "error": "error", "crash": "crash",
    "timeout": "timeout", "unsupported": "n/a", "not-installed": "not installed", "fixture-error": "no fixture",
    "unjudged": "unjudged",
}

LEGEND = {
    "pass": "every check holds",
    "partial": "some checks fail, or passes only with a named non-default option",
    "wrong-data": "opened, but values differ from what was written",
    "error": "the reader raised an exception",
    "crash": "the reader's process died of a signal, or reached its memory cap (the message says \"memory cap reached at N GiB\")",
    "timeout": "no answer within the cell's time limit",
    "unsupported": "refused by design (declared in matrix.yaml)",
    "not-installed": "the reader's environment could not be built here",
    "fixture-error": "the archive could not be built",
    "unjudged": "the reference could not read the archive; the message says what the reader did",
}
CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1rem;color:#222}
h1{font-size:1.4rem}.meta{color:#555}
.wrap{overflow-x:auto;max-width:100%}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:2px 6px;text-align:center;white-space:nowrap}
th.fx,td.fx{text-align:left;position:sticky;left:0;background:#fff;white-space:normal;min-width:17rem;max-width:20rem}
td.fx code{overflow-wrap:anywhere}
thead th{background:#f3f3f3;vertical-align:bottom}thead th small{display:block;font-weight:normal;color:#555}
tr.axis th{background:#e8eef7;text-align:left}
td.pass{background:#dff3df}td.partial{background:#fff3c4}td.wrong-data{background:#b00020;color:#fff;font-weight:bold}
td.error{background:#f6d5d5}td.crash{background:#d9534f;color:#fff}td.timeout{background:#f2c9a0}
td.unsupported{background:#eee;color:#666}td.not-installed{background:#eee}td.fixture-error{background:#ddd}td.unjudged{background:#eee}
td.unexpected{outline:3px solid #7a00cc;outline-offset:-3px}
td a{color:inherit;text-decoration:none}
.filters{margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.5rem}
ol.notes li{margin:.3rem 0;word-break:break-word}code{background:#f4f4f4;padding:0 3px}
.legend span{display:inline-block;margin:0 .6rem .3rem 0}
.legend b{padding:0 4px}.legend b.pass{background:#dff3df}.legend b.partial{background:#fff3c4}
.legend b.wrong-data{background:#b00020;color:#fff}.legend b.error{background:#f6d5d5}.legend b.crash{background:#d9534f;color:#fff}
.legend b.timeout{background:#f2c9a0}.legend b.unsupported,.legend b.not-installed,.legend b.fixture-error,.legend b.unjudged{background:#eee}
@media (max-width:600px){body{margin:.3rem}th,td{padding:1px 3px}th.fx,td.fx{min-width:6rem;max-width:8rem;font-size:12px}}
"""
SCRIPT = """
function applyFilters(){
  const reader=document.getElementById('reader').value, tag=document.getElementById('tag').value;
  document.querySelectorAll('[data-reader]').forEach(e=>{e.style.display=(!reader||e.dataset.reader===reader)?'':'none';});
  document.querySelectorAll('tr[data-tags]').forEach(r=>{r.style.display=(!tag||r.dataset.tags.split(' ').includes(tag))?'':'none';});
  document.querySelectorAll('li[data-cell]').forEach(li=>{
    const okR=!reader||li.dataset.reader===reader, okT=!tag||li.dataset.tags.split(' ').includes(tag);
    li.style.display=(okR&&okT)?'':'none';});
}
"""


def _axis_of(tags: list[str]) -> str:
    if "kind:external" in tags:
        return "nothing: archives made by other projects (truth from the independent reference)"
    if "kind:hostile" in tags:
        return "nothing: hostile archives, malformed or malicious on purpose (a correct reader refuses what is damaged and reads what is intact)"
    if "kind:byo" in tags:
        return "nothing: your archives (truth from the independent reference)"
    axes = [t.split(":", 1)[1] for t in tags if t.startswith("axis:")]
    return ", ".join(axes) if axes else "baseline"


def render_html(payload: dict) -> str:
    cells = payload["cells"]
    run = payload["run"]
    readers = sorted({c["reader"] for c in cells})
    by = {(c["reader"], c["fixture"]): c for c in cells}
    tags_of = {c["fixture"]: c.get("tags", []) for c in cells}
    def order(fixture):
        axis = _axis_of(tags_of[fixture])
        return (axis != "baseline", axis.startswith("nothing"), axis, fixture)

    fixtures = sorted(tags_of, key=order)
    all_tags = sorted({t for ts in tags_of.values() for t in ts})
    esc = html.escape
    out = ["<!doctype html><html lang=en><head><meta charset=utf-8>",
           "<meta name=viewport content='width=device-width,initial-scale=1'>",
           "<title>zipstore-compat: who reads zipped Zarr</title>", f"<style>{CSS}</style></head><body>",
           "<h1>Who reads a zipped Zarr store, and correctly?</h1>",
           f"<p class=meta>Run {esc(run.get('started', ''))}, Python {esc(run.get('python', ''))}, {esc(run.get('platform', ''))}. "
           f"{len(cells)} cells: {len(readers)} readers x {len(fixtures)} fixtures.</p>"]
    out.append("<p class=legend>" + "".join(f"<span><b class='{k}'>{esc(LABEL[k])}</b> {k}: {esc(v)}</span>" for k, v in LEGEND.items())
               + "<span>a purple frame: an outcome matrix.yaml does not expect</span></p>")
    out.append("<div class=filters><label>Reader <select id=reader onchange=applyFilters()><option value=''>all</option>"
               + "".join(f"<option>{esc(r)}</option>" for r in readers) + "</select></label>"
               + "<label>Tag <select id=tag onchange=applyFilters()><option value=''>all</option>"
               + "".join(f"<option>{esc(t)}</option>" for t in all_tags) + "</select></label></div>")
    out.append("<div class=wrap><table id=matrix><thead><tr><th class=fx>fixture</th>")
    for reader in readers:
        versions = (run.get("readers") or {}).get(reader) or {}
        shown = ", ".join(f"{k} {v}" for k, v in list(versions.items())[:2] if k != "build")
        out.append(f"<th data-reader='{esc(reader)}'>{esc(reader)}<small>{esc(shown)}</small></th>")
    out.append("</tr></thead><tbody>")
    notes: list[dict] = []
    current_axis = None
    for fixture in fixtures:
        axis = _axis_of(tags_of[fixture])
        if axis != current_axis:
            out.append(f"<tr class=axis data-tags='{esc(' '.join(sorted({t for f in fixtures if _axis_of(tags_of[f]) == axis for t in tags_of[f]})))}'>"
                       f"<th colspan={len(readers) + 1}>{esc(axis[len('nothing: '):] if axis.startswith('nothing: ') else 'varies: ' + axis)}</th></tr>")
            current_axis = axis
        out.append(f"<tr data-tags='{esc(' '.join(tags_of[fixture]))}'><td class=fx><code>{esc(fixture)}</code></td>")
        for reader in readers:
            cell = by.get((reader, fixture))
            if cell is None:
                out.append(f"<td data-reader='{esc(reader)}'></td>")
                continue
            classes = cell["outcome"] + ("" if cell["as_expected"] else " unexpected")
            label = LABEL.get(cell["outcome"], cell["outcome"])
            if cell["outcome"] != "pass":
                notes.append(cell)
                label += f"<sup><a href='#n{len(notes)}'>{len(notes)}</a></sup>"
            timing = f", read in {cell['seconds']:.3f} s" if cell.get("seconds") else ""
            out.append(f"<td class='{classes}' data-reader='{esc(reader)}' title='{esc(cell['cell'])}: {esc(cell['outcome'])}{timing}'>{label}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div><h2>Notes</h2><ol class=notes>")
    for number, cell in enumerate(notes, 1):
        link = f" <a href='{esc(cell['link'])}'>{esc(cell['link'])}</a>" if cell.get("link") else ""
        unexpected = "" if cell["as_expected"] else f" <b>(unexpected: matrix.yaml says {esc(cell['expected'])})</b>"
        reason = f"<br><i>{esc(cell['reason'])}</i>" if cell.get("reason") else ""
        if cell.get("reference") and cell["reference"] != "manifest written with the archive":
            reason += f"<br>truth from: {esc(cell['reference'])}"
        out.append(f"<li id=n{number} data-cell='{esc(cell['cell'])}' data-reader='{esc(cell['reader'])}' data-tags='{esc(' '.join(cell.get('tags', [])))}'>"
                   f"<code>{esc(cell['cell'])}</code>: <b>{esc(cell['outcome'])}</b>{unexpected}: {esc(cell['message'][:600])}{reason}{link}"
                   f"<br>reproduce: <code>{esc(cell['repro'])}</code></li>")
    out.append(f"</ol><script>{SCRIPT}</script></body></html>")
    return "\n".join(out)


def write_html(payload: dict, path: Path) -> None:
    Path(path).write_text(render_html(payload), encoding="utf-8")


if __name__ == "__main__":
    import sys

    data = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    write_html(data, Path(sys.argv[2]))
