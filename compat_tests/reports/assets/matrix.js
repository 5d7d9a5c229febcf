// Renders matrix.html from the JSON in #data: the summary, every cell, filters, the details panel, permanent links.
(function () {
  'use strict';
  const D = JSON.parse(document.getElementById('data').textContent);
  const S = D.strings, R = D.readers, F = D.fixtures, O = D.outcomes;
  const $ = (id) => document.getElementById(id);
  const str = (i) => (i < 0 ? '' : S[i]);
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  const READING = ['reads', 'reads-with-option'];
  const VERDICT_WORD = { 'reads': 'reads', 'reads-with-option': 'reads with option X', 'reads-some': 'reads N of M',
    'reads-partly': 'reads partly', 'fails': 'fails', 'wrong-data': 'WRONG DATA', 'as-baseline': 'as on the baseline', 'not-tested': 'not tested' };
  // cell record: [reader, fixture, outcome, as expected, expected, message, reason, link, option, seconds,
  //               details, truth from, repro, notes, cell id when not <reader>--<fixture>,
  //               when it ran if the result came from the cache, a remote cell's cost (html.py _remote_panel) or -1]
  const cellId = (c) => (c[14] >= 0 ? S[c[14]] : R[c[0]].id + '--' + F[c[1]].id);
  const byId = new Map(), grid = new Map();
  D.cells.forEach((c, i) => { byId.set(cellId(c), i); grid.set(c[0] + ',' + c[1], i); });
  const families = D.summary.families;
  const rowsById = {};
  D.summary.rows.forEach((r) => { rowsById[r.id] = r; });
  const familyOf = (id) => families.find((f) => f.id === id) || { id: id, label: id, readers: [] };
  // cells carry their id in data attributes, not as element ids: the browser's own jump to #<cell id> would
  // otherwise put the cell under the sticky header after the script has placed it
  const findCell = (key) => document.querySelector(`[data-cell="${CSS.escape(key)}"],[data-key="${CSS.escape(key)}"]`);
  const safeLink = (url) => (/^https?:\/\//.test(url) ? `<a href="${esc(url)}" rel=noreferrer>${esc(url)}</a>` : esc(url));

  $('meta').textContent = `Run ${D.run.started}, Python ${D.run.python}, ${D.run.platform}. ` +
    `${D.cells.length} cells: ${R.length} readers x ${F.length} fixtures` + (D.run.cache ? `; ${D.run.cache}` : '.') +
    (D.run.interrupted ? ` ${D.run.interrupted}.` : '');
  $('summary-legend').innerHTML = Object.keys(D.legend).map((k) =>
    `<span><b class="v-${k}">${esc(VERDICT_WORD[k] || k)}</b> ${esc(D.legend[k])}</span>`).join('');

  function familyVersions(family) {
    const seen = [];
    R.filter((r) => r.family === family.id).forEach((r) => {
      const v = r.versions.split(', ')[0];
      if (v && !seen.includes(v)) seen.push(v);
    });
    return seen.join(' · ');
  }

  function renderSummary() {
    let h = '<thead><tr><th class=prop scope=col>archive property <small>(archives that show it)</small></th>' +
      '<th scope=col class=archive>the archive <small>writer check: intact?</small></th>' +
      families.map((f) => `<th scope=col data-family="${esc(f.id)}">${esc(f.label)}<small>${esc(familyVersions(f))}</small></th>`).join('') +
      '</tr></thead><tbody>';
    let group = null;
    for (const row of D.summary.rows) {
      if (row.group !== group) {
        group = row.group;
        h += `<tr class=group><th class=prop scope=rowgroup>${esc(group)}</th><td colspan=${families.length + 1}></td></tr>`;
      }
      h += `<tr data-row="${esc(row.id)}"><th class=prop scope=row>${esc(row.label)} <small>(${row.fixtures.length})</small></th>`;
      // the archive itself, as its writer check found it (compat_tests/reports/writers.py): a writer's finding, not a reader's
      const a = row.archive || { verdict: 'not-checked', text: 'not checked' };
      h += `<td class="archive a-${esc(a.verdict)}"${a.reason ? ` title="${esc(a.reason)}"` : ''}><b>${esc(a.text)}</b>` +
        (a.reason ? `<span class=why>${esc(a.reason)}</span>` : '') + '</td>';
      for (const f of families) {
        const c = row.families[f.id];
        // the option in code type, not in the bold verdict
        let inner = `<b>${c.option ? esc(c.text).replace(esc(c.option), `</b><code>${esc(c.option)}</code><b>`) : esc(c.text)}</b>`;
        if (c.readers && c.readers.length) inner += `<small>with ${esc(c.readers.join(', '))}</small>`;
        if (str(c.reason ?? -1) && !READING.includes(c.verdict) && c.verdict !== 'as-baseline') inner += `<span class=why>${esc(str(c.reason))}</span>`;
        if (str(c.warning ?? -1)) inner += `<span class=warn>${esc(str(c.warning))}</span>`;
        if (c.versions) inner += `<small>${esc(c.versions)}</small>`;
        h += `<td data-key="${esc('summary:' + row.id + ':' + f.id)}" class="v-${esc(c.verdict)}" tabindex=0 data-row="${esc(row.id)}" ` +
          `data-family="${esc(f.id)}">${inner}</td>`;
      }
      h += '</tr>';
    }
    $('summary').innerHTML = h + '</tbody>';
  }

  // "Since which version": [family, fixture, text, the newest release's cell]; the fixture links to that cell
  function renderSince() {
    if (!D.since || !D.since.length) return;
    $('since').innerHTML = '<thead><tr><th scope=col>reader family</th><th scope=col>fixture</th><th scope=col>since</th></tr></thead><tbody>' +
      D.since.map(([family, fixture, text, cell]) => `<tr><td>${esc(family)}</td><td><code>` +
        (cell >= 0 ? `<a href="#${esc(cellId(D.cells[cell]))}">${esc(fixture)}</a>` : esc(fixture)) +
        `</code></td><td>${esc(str(text))}</td></tr>`).join('') + '</tbody>';
    $('since-section').hidden = false;
  }

  function fillFilters() {
    let h = '<option value="">all readers</option>';
    for (const f of families) {
      h += `<optgroup label="${esc(f.label)}"><option value="family:${esc(f.id)}">all of ${esc(f.label)}</option>` +
        R.filter((r) => r.family === f.id).map((r) => `<option value="${esc(r.id)}">${esc(r.id)}</option>`).join('') + '</optgroup>';
    }
    $('reader').innerHTML = h;
    h = '<option value="">all archives</option>';
    let group = null;
    for (const row of D.summary.rows) {
      if (row.group !== group) { h += (group === null ? '' : '</optgroup>') + `<optgroup label="${esc(row.group)}">`; group = row.group; }
      h += `<option value="row:${esc(row.id)}">${esc(row.label)}</option>`;
    }
    if (group !== null) h += '</optgroup>';
    const tags = [...new Set(F.flatMap((f) => f.tags))].sort();
    h += '<optgroup label="tags">' + tags.map((t) => `<option value="tag:${esc(t)}">${esc(t)}</option>`).join('') + '</optgroup>';
    $('property').innerHTML = h;
    const writers = [...new Set(F.flatMap((f) => f.tags.filter((t) => t.startsWith('writer:')).map((t) => t.slice(7))))].sort();
    $('writer').innerHTML = '<option value="">all writers</option>' + writers.map((w) => `<option value="${esc(w)}">${esc(w)}</option>`).join('');
    $('outcome').innerHTML = '<option value="">all outcomes</option>' + O.map((o) => `<option>${esc(o)}</option>`).join('') +
      '<option value=unexpected>unexpected (differs from matrix.yaml)</option>';
  }

  function selectedReaders() {
    const v = $('reader').value;
    const all = R.map((_, i) => i);
    if (!v) return all;
    if (v.startsWith('family:')) return all.filter((i) => R[i].family === v.slice(7));
    return all.filter((i) => R[i].id === v);
  }

  function selectedFixtures() {
    const v = $('property').value, w = $('writer').value;
    const all = F.map((_, i) => i).filter((i) => !w || F[i].tags.includes('writer:' + w));
    if (v.startsWith('row:')) { const keep = new Set(rowsById[v.slice(4)].fixtures); return all.filter((i) => keep.has(F[i].id)); }
    if (v.startsWith('tag:')) return all.filter((i) => F[i].tags.includes(v.slice(4)));
    return all;
  }

  const matches = (c, v) => !v || (v === 'unexpected' ? !c[3] : O[c[2]] === v);

  function renderMatrix() {
    const rs = selectedReaders(), ov = $('outcome').value;
    const first = rs.map((r, k) => k === 0 || R[r].family !== R[rs[k - 1]].family);
    let h = '<thead><tr><th class=fx scope=col>fixture</th>' + rs.map((r, k) =>
      `<th scope=col data-reader="${esc(R[r].id)}"${first[k] ? ' class=first' : ''}>${esc(R[r].id)}<small>${esc(R[r].versions)}</small></th>`).join('') +
      '</tr></thead><tbody>';
    let axis = null, shown = 0, rowsShown = 0;
    for (const f of selectedFixtures()) {
      const idx = rs.map((r) => grid.get(r + ',' + f));
      if (ov && !idx.some((i) => i !== undefined && matches(D.cells[i], ov))) continue;
      if (F[f].axis !== axis) {
        axis = F[f].axis;
        h += `<tr class=axis><th class=fx>${esc(axis)}</th><td colspan=${rs.length}></td></tr>`;
      }
      rowsShown += 1;
      h += `<tr class=fixture data-fixture="${esc(F[f].id)}"><td class=fx><code>${esc(F[f].id)}</code></td>`;
      idx.forEach((i, k) => {
        const cls = first[k] ? ' first' : '';
        if (i === undefined) { h += `<td class="c${cls}"></td>`; return; }
        const c = D.cells[i], o = O[c[2]], hit = matches(c, ov);
        if (hit) shown += 1;
        h += `<td data-cell="${esc(cellId(c))}" class="c o-${o}${c[3] ? '' : ' unexpected'}${hit ? '' : ' dim'}${cls}" tabindex=0 data-i=${i}>` +
          `${esc(D.labels[o])}${c[3] ? '' : ' !'}</td>`;
      });
      h += '</tr>';
    }
    $('matrix').innerHTML = h + '</tbody>';
    $('shown').textContent = `${shown} cells in ${rowsShown} rows shown`;
  }

  let current = null;
  const dd = (term, html) => `<dt>${esc(term)}</dt><dd>${html}</dd>`;

  function showPanel(key, html, hash) {
    current = key;
    $('panel-body').innerHTML = html;
    $('panel').hidden = false;
    document.body.classList.add('with-panel');
    document.querySelectorAll('.current').forEach((e) => e.classList.remove('current'));
    const el = findCell(key);
    if (el) el.classList.add('current');
    if (hash && location.hash !== '#' + key) history.replaceState(null, '', '#' + key);
  }

  function openCell(i, hash) {
    const c = D.cells[i], id = cellId(c), o = O[c[2]], r = R[c[0]];
    if (current === id && !$('panel').hidden) return;
    let h = `<h3><code>${esc(id)}</code></h3><p><b class="o-${o}">&nbsp;${esc(D.labels[o])}&nbsp;</b> ${esc(o)}` +
      (c[3] ? ', as matrix.yaml expects' : ` <b>(unexpected: matrix.yaml says ${esc(O[c[4]])})</b>`) + '</p><dl>';
    h += dd('reader', `${esc(r.id)}: ${esc(r.library)}<br><code>${esc(r.call)}</code><br><small>${esc(r.versions)}</small>`);
    h += dd('archive', `<code>${esc(F[c[1]].id)}</code> (${esc(F[c[1]].axis)})`);
    if (str(c[5])) h += dd('message', esc(str(c[5])));
    if (c[10].length) h += dd('failed checks', '<ul>' + c[10].map((d) => `<li>${esc(str(d))}</li>`).join('') + '</ul>');
    if (str(c[8])) h += dd('option it needs', `<code>${esc(str(c[8]))}</code>`);
    if (str(c[6])) h += dd('reason', esc(str(c[6])));
    if (str(c[7])) h += dd('link', safeLink(str(c[7])));
    if (str(c[11])) h += dd('truth from', esc(str(c[11])));
    if (c[13].length) h += dd('notes', '<ul>' + c[13].map((d) => `<li>${esc(str(d))}</li>`).join('') + '</ul>');
    if (c[16] !== -1 && c[16] !== undefined) {
      const [kase, requests, sent, body, minimum, ratio, behaviour, methods, faults, attempts, size] = c[16];
      h += dd('over HTTP', esc(str(kase)));
      h += dd('requests and bytes', `${requests} requests (${esc(str(methods))}); ${body.toLocaleString('en')} body bytes, ` +
        `${sent.toLocaleString('en')} with headers (nginx's access log)`);
      h += dd('against the minimum', `${minimum.toLocaleString('en')} bytes needed (end records, central directory, the members ` +
        `the read needs), archive ${size.toLocaleString('en')} bytes: ${ratio === null ? 'no ratio' : ratio + ' x the minimum'}`);
      h += dd('what it did', esc(str(behaviour)));
      if (str(faults)) h += dd('the fault server', esc(str(faults)));
      if (str(attempts)) h += dd('each attempt', esc(str(attempts)));
    }
    h += dd('read time', c[9] ? `${c[9].toFixed(3)} s (the reader's own time, in its worker)` : 'not measured');
    if (c[15] >= 0) h += dd('run', `from the cache: the reader ran it ${esc(str(c[15]))}, and its inputs have not changed since`);
    h += dd('reproduce', `<code class=repro>${esc(c[12] >= 0 ? str(c[12]) : D.repro.replace('CELL', id))}</code>`);
    h += dd('permanent link', `<a href="#${esc(id)}">matrix.html#${esc(id)}</a>`);
    showPanel(id, h + '</dl>', hash);
  }

  function openSummary(rowId, familyId, hash) {
    const row = rowsById[rowId], family = familyOf(familyId), c = row && row.families[familyId];
    if (!c) return;
    const key = 'summary:' + rowId + ':' + familyId;
    let h = `<h3>${esc(row.label)}: ${esc(family.label)}</h3><p><b class="v-${esc(c.verdict)}">&nbsp;${esc(c.text)}&nbsp;</b></p><dl>`;
    if (str(c.reason ?? -1)) h += dd('why', esc(str(c.reason)));
    if (str(c.warning ?? -1)) h += dd('beware', `<b>${esc(str(c.warning))}</b>`);
    if (c.versions) h += dd('tested', esc(c.versions));
    let readers = '<ul>';
    for (const [reader, v] of Object.entries(c.per_reader)) {
      readers += `<li><b>${esc(reader)}</b>: ${esc(v.text)}${str(v.reason ?? -1) && !READING.includes(v.verdict) ? ' (' + esc(str(v.reason)) + ')' : ''}` +
        ` <small>${esc(v.library || '')} ${esc((v.versions || []).join(', '))}</small><ul>` +
        v.cells.map((i) => { const cc = D.cells[i]; return `<li><a href="#${esc(cellId(cc))}">${esc(cellId(cc))}</a>: ${esc(O[cc[2]])}</li>`; }).join('') +
        '</ul></li>';
    }
    h += dd('readers and the cells behind this', readers + '</ul>');
    h += dd('archives', row.fixtures.map((f) => `<code>${esc(f)}</code>`).join(' '));
    h += `<dt></dt><dd><button type=button id=show-cells>show these cells in the table</button></dd>`;
    h += dd('permanent link', `<a href="#${esc(key)}">matrix.html#${esc(key)}</a>`);
    showPanel(key, h + '</dl>', hash);
    $('show-cells').addEventListener('click', () => {
      $('reader').value = 'family:' + familyId; $('property').value = 'row:' + rowId; $('outcome').value = ''; $('writer').value = '';
      renderMatrix();
      $('detail-section').scrollIntoView();
    });
  }

  function closePanel() {
    $('panel').hidden = true;
    document.body.classList.remove('with-panel');
    current = null;
    document.querySelectorAll('.current').forEach((e) => e.classList.remove('current'));
  }

  // Scroll the page to the cell's table, then the table to the cell: below the sticky header, right of the sticky
  // first column; in the upper third of the table, or just under the header on a phone (the panel covers the rest).
  function bringIntoView(el) {
    const wrap = el.closest('.scroll');
    wrap.scrollIntoView({ block: 'start' });
    const head = wrap.querySelector('thead').offsetHeight, side = wrap.querySelector('th.fx, th.prop').offsetWidth;
    const w = wrap.getBoundingClientRect(), r = el.getBoundingClientRect();
    const below = window.innerWidth <= 600 ? 8 : (wrap.clientHeight - head - r.height) / 3;
    wrap.scrollTop += r.top - w.top - head - Math.max(0, below);
    wrap.scrollLeft += r.left - w.left - side - Math.max(0, (wrap.clientWidth - side - r.width) / 2);
    // a last row cannot come higher inside its table: move the page instead
    const phone = window.innerWidth <= 600, now = el.getBoundingClientRect();
    if (now.top < 0 || now.top > (phone ? 0.35 * window.innerHeight : window.innerHeight - now.height)) {
      window.scrollBy(0, now.top - (phone ? 8 : window.innerHeight / 3));
    }
  }

  function openFromHash() {
    const key = decodeURIComponent(location.hash.slice(1));
    if (!key) return;
    if (key.startsWith('summary:')) {
      const [, rowId, familyId] = key.split(':');
      openSummary(rowId, familyId, false);
      const el = findCell(key);
      if (el) bringIntoView(el);
      return;
    }
    if (!byId.has(key)) return;
    if (!findCell(key)) {  // filtered out: show everything again
      $('reader').value = ''; $('property').value = ''; $('outcome').value = ''; $('writer').value = '';
      renderMatrix();
    }
    openCell(byId.get(key), false);
    const el = findCell(key);
    bringIntoView(el);
    el.focus({ preventScroll: true });
  }

  renderSummary();
  renderSince();
  fillFilters();
  renderMatrix();
  ['reader', 'property', 'writer', 'outcome'].forEach((id) => $(id).addEventListener('change', renderMatrix));
  const onSummary = (e) => { const td = e.target.closest('td[data-row]'); if (td) openSummary(td.dataset.row, td.dataset.family, true); };
  const onCell = (e) => { const td = e.target.closest('td[data-i]'); if (td) openCell(Number(td.dataset.i), true); };
  $('summary').addEventListener('click', onSummary);
  $('summary').addEventListener('focusin', onSummary);
  $('matrix').addEventListener('click', onCell);
  $('matrix').addEventListener('focusin', onCell);
  $('panel-close').addEventListener('click', closePanel);
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') closePanel(); });
  window.addEventListener('hashchange', openFromHash);
  openFromHash();
})();
