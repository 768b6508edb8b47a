// arpforensics report script: filters (time, source, detector, severity),
// the swimlane's time-range brush, and the paged, searchable event table.
// It reads the event table from the JSON block #arpf-data and everything
// else (source paths, finding titles) from the page itself, so the embedded
// JSON report stays a payload it does not depend on. It builds every
// element it adds with textContent: nothing is ever parsed as markup.
(function () {
  'use strict';
  var doc = document;
  var root = doc.documentElement;
  root.classList.remove('no-js');
  root.classList.add('js');

  var PAGE = 100;
  var data = JSON.parse(doc.getElementById('arpf-data').textContent);
  var table = data.events;

  function $(id) { return doc.getElementById(id); }
  function all(sel, el) { return Array.prototype.slice.call((el || doc).querySelectorAll(sel)); }

  // Source paths by index, from the sources table.
  var paths = [];
  all('#sources tr[data-source]').forEach(function (tr) {
    paths[+tr.getAttribute('data-source')] = tr.querySelector('td.path').textContent;
  });
  var nSources = paths.length;

  // ---- time ---------------------------------------------------------------
  function pad(n, w) { n = String(n); while (n.length < w) { n = '0' + n; } return n; }
  function fmtTime(us, withDate) {
    var sec = Math.floor(us / 1e6);
    var iso = new Date(sec * 1000).toISOString();
    var s = iso.slice(11, 19) + '.' + pad(us - sec * 1e6, 6);
    return withDate ? iso.slice(0, 10) + ' ' + s : s;
  }
  // parseTime reads "YYYY-MM-DD HH:MM[:SS[.ffffff]]" or a time of day (taken
  // on ref's UTC date). Empty is null, anything else unreadable is NaN.
  function parseTime(text, ref) {
    text = text.trim();
    if (!text) { return null; }
    var m = /^(?:(\d{4})-(\d{2})-(\d{2})[T ])?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?Z?$/.exec(text);
    if (!m) { return NaN; }
    var y, mo, d;
    if (m[1]) {
      y = +m[1]; mo = +m[2] - 1; d = +m[3];
    } else {
      var r = new Date(Math.floor(ref / 1000));
      y = r.getUTCFullYear(); mo = r.getUTCMonth(); d = r.getUTCDate();
    }
    if (+m[4] > 23 || +m[5] > 59 || (m[6] && +m[6] > 59)) { return NaN; }
    var ms = Date.UTC(y, mo, d, +m[4], +m[5], m[6] ? +m[6] : 0);
    var frac = m[7] ? Math.round(Number('0.' + m[7]) * 1e6) : 0;
    return ms * 1000 + frac;
  }

  // ---- state --------------------------------------------------------------
  var state = {
    from: null, to: null,
    sourceOn: [], sev: {}, det: {},
    search: '', cited: false, only: null, page: 0
  };
  var srcBoxes = all('#filters input[name=source]');
  var sevBoxes = all('#filters input[name=severity]');
  var detBoxes = all('#filters input[name=detector]');

  function readBoxes() {
    state.sourceOn = [];
    for (var i = 0; i < nSources; i++) { state.sourceOn.push(srcBoxes.length === 0); }
    srcBoxes.forEach(function (b) { state.sourceOn[+b.value] = b.checked; });
    state.sev = {};
    sevBoxes.forEach(function (b) { state.sev[b.value] = b.checked; });
    state.det = {};
    detBoxes.forEach(function (b) { state.det[b.value] = b.checked; });
    var on = srcBoxes.filter(function (b) { return b.checked; }).length;
    var sum = $('f-src-summary');
    if (sum) { sum.textContent = on === srcBoxes.length ? 'all ' + on : on + ' of ' + srcBoxes.length; }
  }

  // ---- findings -----------------------------------------------------------
  var findingEls = all('article.finding, tr.finding-row');
  var titles = {};
  findingEls.forEach(function (el) {
    var t = el.querySelector('.ftitle');
    titles[el.dataset.finding] = t ? t.textContent : el.dataset.finding;
  });

  function findingShown(ds) {
    if (state.sev[ds.severity] === false) { return false; }
    if (state.det[ds.detector] === false) { return false; }
    var t0 = +ds.t0, t1 = +ds.t1;
    if (state.from !== null && t1 < state.from) { return false; }
    if (state.to !== null && t0 > state.to) { return false; }
    if (ds.sources) {
      var any = ds.sources.split(' ').some(function (s) { return state.sourceOn[+s] !== false; });
      if (!any) { return false; }
    }
    return true;
  }

  var shown = {};
  function applyFindings() {
    shown = {};
    var n = 0;
    findingEls.forEach(function (el) {
      var ok = findingShown(el.dataset);
      el.hidden = !ok;
      if (ok) { shown[el.dataset.finding] = true; n++; }
    });
    all('#verdict li[data-finding]').forEach(function (li) {
      li.classList.toggle('filtered-out', !shown[li.dataset.finding]);
    });
    all('svg [data-finding]').forEach(function (el) {
      el.classList.toggle('off', !shown[el.getAttribute('data-finding')]);
    });
    all('svg [data-source]').forEach(function (el) {
      if (el.hasAttribute('data-finding')) {
        if (state.sourceOn[+el.getAttribute('data-source')] === false) { el.classList.add('off'); }
        return;
      }
      el.classList.toggle('off', state.sourceOn[+el.getAttribute('data-source')] === false);
    });
    return n;
  }

  // ---- events -------------------------------------------------------------
  var ev = null;
  var srcLabel = paths.map(function (path) {
    var p = path.replace(/\\/g, '/').split('/');
    return p.length > 1 ? p[p.length - 2] + '/' + p[p.length - 1] : p[0];
  });
  var posNames = ['frame ', 'line ', 'byte ', ''];

  function load(cols) {
    var n = cols.t.length;
    var t = new Float64Array(n), acc = table.base_us;
    for (var i = 0; i < n; i++) { acc += cols.t[i]; t[i] = acc; }
    // Positions are deltas within each source.
    var p = new Float64Array(n), last = [];
    for (i = 0; i < n; i++) {
      var si = cols.s[i];
      p[i] = (last[si] || 0) + cols.p[i];
      last[si] = p[i];
    }
    var cited = new Uint8Array(n);
    Object.keys(table.evidence).forEach(function (id) {
      table.evidence[id].forEach(function (r) { cited[r] = 1; });
    });
    ev = { n: n, t: t, d: cols.d, s: cols.s, k: cols.k, p: p, x: cols.x, cited: cited, lower: null, rows: null };
  }

  function posText(code) {
    var kind = code % 4;
    return posNames[kind] + String((code - kind) / 4);
  }

  function haystacks() {
    var low = new Array(ev.n);
    for (var i = 0; i < ev.n; i++) {
      low[i] = (ev.x[i] + ' ' + paths[ev.s[i]] + ' ' + table.kinds[ev.k[i]] + ' ' + posText(ev.p[i])).toLowerCase();
    }
    ev.lower = low;
  }

  function rowsOf(ids) {
    var allow = new Uint8Array(ev.n);
    ids.forEach(function (id) {
      (table.evidence[id] || []).forEach(function (r) { allow[r] = 1; });
    });
    return allow;
  }

  function filterEvents() {
    var terms = state.search.toLowerCase().split(/\s+/).filter(Boolean);
    if (terms.length && !ev.lower) { haystacks(); }
    var allow = null;
    if (state.only) {
      allow = rowsOf([state.only]);
    } else if (state.cited) {
      allow = rowsOf(Object.keys(shown));
    }
    var out = new Int32Array(ev.n), m = 0;
    var from = state.from, to = state.to, on = state.sourceOn;
    for (var i = 0; i < ev.n; i++) {
      if (allow && !allow[i]) { continue; }
      var t = ev.t[i];
      if (from !== null && t + ev.d[i] < from) { continue; }
      if (to !== null && t > to) { continue; }
      if (on[ev.s[i]] === false) { continue; }
      if (terms.length) {
        var hay = ev.lower[i], ok = true;
        for (var j = 0; j < terms.length; j++) {
          if (hay.indexOf(terms[j]) < 0) { ok = false; break; }
        }
        if (!ok) { continue; }
      }
      out[m++] = i;
    }
    ev.rows = out.subarray(0, m);
  }

  function cell(tr, text, cls, title) {
    var td = doc.createElement('td');
    td.className = cls;
    td.textContent = text;
    if (title) { td.title = title; }
    tr.appendChild(td);
    return td;
  }

  function renderTable() {
    var body = $('ev-body');
    if (!ev || !body) { return; }
    var rows = ev.rows, total = rows.length;
    var pages = Math.max(1, Math.ceil(total / PAGE));
    if (state.page >= pages) { state.page = pages - 1; }
    if (state.page < 0) { state.page = 0; }
    var start = state.page * PAGE, end = Math.min(total, start + PAGE);
    var frag = doc.createDocumentFragment();
    for (var r = start; r < end; r++) {
      var i = rows[r];
      var tr = doc.createElement('tr');
      if (ev.cited[i]) { tr.className = 'cited'; tr.title = 'cited as evidence by a finding'; }
      cell(tr, fmtTime(ev.t[i], data.multiday), 't', fmtTime(ev.t[i], true) + ' UTC');
      cell(tr, srcLabel[ev.s[i]], 'src', paths[ev.s[i]]);
      cell(tr, posText(ev.p[i]), 'pos');
      var kt = cell(tr, '', 'k');
      var span = doc.createElement('span');
      var kind = table.kinds[ev.k[i]];
      span.className = 'kind k-' + kind;
      span.textContent = kind;
      kt.appendChild(span);
      cell(tr, ev.x[i], 'x');
      frag.appendChild(tr);
    }
    body.replaceChildren(frag);
    $('ev-empty').hidden = total > 0;
    $('ev-page').textContent = total ? 'page ' + (state.page + 1) + ' of ' + pages : '';
    $('ev-first').disabled = $('ev-prev').disabled = state.page === 0;
    $('ev-next').disabled = $('ev-last').disabled = state.page >= pages - 1;
    var count = total ? (start + 1) + '–' + end + ' of ' + total.toLocaleString('en') + ' matching' : 'none matching';
    $('ev-count').textContent = count + ' · ' + ev.n.toLocaleString('en') + ' in the table';
    $('ev-table').setAttribute('data-rows', String(total));
  }

  // ---- apply --------------------------------------------------------------
  function apply(keepPage) {
    readBoxes();
    var nf = applyFindings();
    var status = 'Showing ' + nf + ' of ' + findingEls.length + ' finding' + (findingEls.length === 1 ? '' : 's');
    if (ev) {
      filterEvents();
      if (!keepPage) { state.page = 0; }
      renderTable();
      status += ' · ' + ev.rows.length.toLocaleString('en') + ' of ' + ev.n.toLocaleString('en') + ' events';
    }
    $('f-status').textContent = status;
    drawZoom();
    zoomDiagrams();
  }

  // ---- zoom ---------------------------------------------------------------
  // A brushed range is drawn again under the overview at full width, so a
  // 7-minute incident in a month-long run is not a sliver: each lane's
  // events from the table, binned over the range, the findings that overlap
  // it and the marks of their evidence, on an axis of its own.
  var svgNS = (doc.querySelector('svg') || root).namespaceURI; // the SVG namespace, without writing a URL
  var Z = { x0: 212, x1: 1180, label: 200, laneH: 26, rowH: 16, bins: 160 };
  var STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5,
    1e6, 2e6, 5e6, 1e7, 15e6, 3e7, 6e7, 12e7, 3e8, 6e8, 9e8, 18e8, 36e8, 72e8, 108e8, 216e8, 432e8, 864e8];
  function el(tag, attrs, text, parent) {
    var e = doc.createElementNS(svgNS, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    if (text) { e.textContent = text; }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function tickText(us, step, withDate) {
    var s = fmtTime(us, true); // "YYYY-MM-DD HH:MM:SS.ffffff"
    var clock = step >= 6e7 ? s.slice(11, 16) : step >= 1e6 ? s.slice(11, 19) : step >= 1e3 ? s.slice(11, 23) : s.slice(11);
    if (step >= 864e8) { return s.slice(0, 10); }
    return withDate ? s.slice(0, 10) + ' ' + clock : clock;
  }
  function drawZoom() {
    var fig = $('zoom');
    if (!fig || !brush) { return; }
    if (state.from === null || state.to === null || !(state.to > state.from)) { fig.hidden = true; return; }
    var from = state.from, to = state.to, span = to - from;
    var svg = fig.querySelector('svg');
    // Laid out for the width the page has, like the diagrams.
    var narrow = window.matchMedia && window.matchMedia('(max-width: 700px)').matches;
    var W = narrow ? 360 : 1200, maxTicks = narrow ? 4 : 8, maxLabel = narrow ? 16 : 31;
    Z.x0 = narrow ? 110 : 212; Z.x1 = narrow ? 350 : 1180; Z.label = narrow ? 104 : 200; Z.bins = narrow ? 60 : 160;
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    var X = function (t) { return Z.x0 + Math.min(Math.max((t - from) / span, 0), 1) * (Z.x1 - Z.x0); };
    // Findings overlapping the range, one row each (at most 8).
    var fs = findingEls.filter(function (f) {
      return shown[f.dataset.finding] && +f.dataset.t1 >= from && +f.dataset.t0 <= to;
    }).slice(0, 8);
    var lanes = all('rect.lane-bg[data-source]', sw).map(function (r) { return +r.getAttribute('data-source'); });
    var top = 6, lanesTop = top + fs.length * Z.rowH + (fs.length ? 8 : 0);
    var bottom = lanesTop + lanes.length * Z.laneH;
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + (bottom + 26));
    // Axis.
    var step = STEPS[STEPS.length - 1];
    for (var i = 0; i < STEPS.length; i++) { if (span / STEPS[i] <= maxTicks) { step = STEPS[i]; break; } }
    var multi = fmtTime(from, true).slice(0, 10) !== fmtTime(to, true).slice(0, 10), lastDate = '', lastEnd = -1e9;
    el('line', { x1: Z.x0, y1: bottom + 4, x2: Z.x1, y2: bottom + 4, 'class': 'axis' }, '', svg);
    for (var t = Math.ceil(from / step) * step; t <= to; t += step) {
      var x = X(t), date = fmtTime(t, true).slice(0, 10);
      var label = tickText(t, step, multi && date !== lastDate);
      var w = label.length * 6, anchor = 'middle', left = x - w / 2;
      if (x + w / 2 > W - 2) { anchor = 'end'; left = x - w; }
      el('line', { x1: x, y1: lanesTop, x2: x, y2: bottom + 4, 'class': 'grid' }, '', svg);
      if (left < lastEnd + 6) { continue; }
      lastEnd = left + w;
      if (multi && date !== lastDate) { lastDate = date; }
      el('text', { x: x, y: bottom + 19, 'text-anchor': anchor, 'class': 'tick' }, label, svg);
    }
    // Lanes: density of the table's events in the range.
    var counts = lanes.map(function () { return new Array(Z.bins).fill(0); }), row = {};
    lanes.forEach(function (s, r) { row[s] = r; });
    var max = 1;
    if (ev) {
      for (i = 0; i < ev.n; i++) {
        var t0 = ev.t[i], t1 = t0 + ev.d[i], r = row[ev.s[i]];
        if (t1 < from || t0 > to || r === undefined) { continue; }
        var b0 = Math.max(0, Math.floor((t0 - from) / span * Z.bins)), b1 = Math.min(Z.bins - 1, Math.floor((t1 - from) / span * Z.bins));
        for (var b = b0; b <= b1; b++) { max = Math.max(max, ++counts[r][b]); }
      }
    }
    var binW = (Z.x1 - Z.x0) / Z.bins;
    lanes.forEach(function (s, r) {
      var y = lanesTop + r * Z.laneH;
      el('rect', { x: Z.x0, y: y + 2, width: Z.x1 - Z.x0, height: Z.laneH - 4, 'class': 'lane-bg', 'data-source': s }, '', svg);
      el('text', { x: Z.label, y: y + Z.laneH / 2 + 4, 'text-anchor': 'end', 'class': 'label', 'data-source': s }, srcLabel[s].length > maxLabel ? '…' + srcLabel[s].slice(1 - maxLabel) : srcLabel[s], svg);
      var d = '';
      counts[r].forEach(function (c, b) {
        if (!c) { return; }
        var h = Math.max(1.5, (Z.laneH - 8) * Math.log(1 + c) / Math.log(1 + max));
        d += 'M' + (Z.x0 + b * binW).toFixed(1) + ' ' + (y + Z.laneH - 4) + 'h' + binW.toFixed(2) + 'v' + (-h).toFixed(1) + 'h' + (-binW).toFixed(2) + 'z';
      });
      if (d) { el('path', { d: d, 'class': 'density', 'data-source': s }, '', svg); }
    });
    // Findings: a span each, and the marks of their evidence in the lanes.
    fs.forEach(function (f, k) {
      var ds = f.dataset, y = top + k * Z.rowH, x0 = X(+ds.t0), x1 = Math.max(X(+ds.t1), x0 + 3);
      var g = el('g', { 'data-finding': ds.finding, 'class': 'zoom-finding' }, '', svg);
      el('title', {}, (titles[ds.finding] || ds.finding), g);
      el('rect', { x: x0, y: y + 2, width: x1 - x0, height: Z.rowH - 5, 'class': 'fbar sev-' + ds.severity }, '', g);
      el('text', { x: Z.label, y: y + Z.rowH - 5, 'text-anchor': 'end', 'class': 'flabel' }, ds.detector, g);
      var marks = '';
      (table.evidence[ds.finding] || []).forEach(function (i) {
        if (!ev || i >= ev.n || ev.t[i] < from || ev.t[i] > to || row[ev.s[i]] === undefined) { return; }
        marks += 'M' + X(ev.t[i]).toFixed(1) + ' ' + (lanesTop + row[ev.s[i]] * Z.laneH + 2) + 'v' + (Z.laneH - 4);
      });
      if (marks) { el('path', { d: marks, 'class': 'emark sev-' + ds.severity }, '', g); }
    });
    $('zoom-caption').textContent = 'The brushed range, ' + fmtTime(from, true) + ' – ' + fmtTime(to, true) +
      ' UTC, at full width: events of the table binned over it, and the findings that overlap it with their evidence marks.';
    Z.from = from; Z.to = to;
    fig.hidden = false;
  }
  // ---- finding diagrams follow the brush ---------------------------------
  // A finding diagram whose time axis overlaps the brushed range is drawn
  // again over the part of the range it covers, at full width: every shape
  // the page marked with its time (data-z, µs after the axis's start) is
  // placed anew on the narrower axis and cut at the plot's edges, its
  // labels follow what they label, and the axis gets ticks of its own.
  // Shapes without a time (row labels, backgrounds, an inset's own axis)
  // stay. Every change is recorded, so clearing the brush puts back the
  // drawing as it came.
  var zoomed = [];
  var diagramSvgs = all('article.finding figure.diagram svg').filter(function (svg) {
    return svg.dataset.t0 && !svg.classList.contains('d-swimlane');
  });
  function setAttr(undo, e, name, value) {
    undo.push([e, name, e.getAttribute(name)]);
    e.setAttribute(name, String(value));
  }
  function unzoom() {
    zoomed.forEach(function (z) {
      for (var i = z.undo.length - 1; i >= 0; i--) {
        var u = z.undo[i];
        if (u[2] === null) { u[0].removeAttribute(u[1]); } else { u[0].setAttribute(u[1], u[2]); }
      }
      z.added.forEach(function (e) { e.remove(); });
      z.svg.classList.remove('zoomed');
      var fig = z.svg.closest('figure');
      if (fig) { fig.classList.remove('zoomed'); }
    });
    zoomed = [];
  }
  function textW(e) {
    var c = e.getAttribute('class') || '';
    var size = /tick|flabel|note|seg-label|mono/.test(c) ? 10 : 11;
    // The drawn width when the copy is shown; an estimate for the hidden one.
    var real = 0;
    try { real = e.getComputedTextLength(); } catch (err) { real = 0; }
    var title = e.querySelector('title');
    var n = e.textContent.length - (title ? title.textContent.length : 0);
    return Math.max(real, n * size * (/strong|on-bar|label/.test(c) ? 0.65 : 0.6));
  }
  var zoomedFor = '';
  function zoomDiagrams() {
    // apply() runs on every filter change: redraw only when the range moved.
    var key = state.from + ',' + state.to;
    if (key === zoomedFor) { return; }
    zoomedFor = key;
    unzoom();
    if (state.from === null || state.to === null || !(state.to > state.from)) { return; }
    diagramSvgs.forEach(function (svg) {
      var ds = svg.dataset, T0 = +ds.t0, T1 = +ds.t1, X0 = +ds.x0, X1 = +ds.x1, Y0 = +ds.y0, Y1 = +ds.y1;
      var a = Math.max(state.from, T0), b = Math.min(state.to, T1);
      if (!(b > a) || (a <= T0 && b >= T1)) { return; }
      var W = svg.viewBox.baseVal.width, undo = [], added = [];
      var pw = X1 - X0;
      var oldX = function (t) { return X0 + (t - T0) / (T1 - T0) * pw; };
      var newX = function (t) { return X0 + (t - a) / (b - a) * pw; };
      var clamp = function (x) { return Math.min(Math.max(x, X0), X1); };
      var hide = function (e) { setAttr(undo, e, 'display', 'none'); };
      all('[data-z]', svg).forEach(function (e) {
        var z = e.getAttribute('data-z').split(' ').map(Number);
        var ta = T0 + z[0], tb = T0 + (z.length > 1 ? z[1] : z[0]);
        var na = newX(ta), nb = newX(tb);
        switch (e.tagName) {
          case 'rect': {
            var w = +e.getAttribute('width');
            var l = Math.max(na, X0), r = Math.min(Math.max(nb, na + Math.min(w, 2)), X1);
            if (r <= l || na > X1 || nb < X0) { hide(e); break; }
            setAttr(undo, e, 'x', l.toFixed(1));
            setAttr(undo, e, 'width', (r - l).toFixed(1));
            break;
          }
          case 'line': {
            var x1 = +e.getAttribute('x1'), x2 = +e.getAttribute('x2');
            if (x1 === x2) {
              if (na < X0 - 0.5 || na > X1 + 0.5) { hide(e); break; }
              setAttr(undo, e, 'x1', na.toFixed(1));
              setAttr(undo, e, 'x2', na.toFixed(1));
            } else {
              var la = clamp(Math.min(na, nb)), lb = clamp(Math.max(na, nb));
              if (lb - la < 0.5) { hide(e); break; }
              setAttr(undo, e, 'x1', (x1 <= x2 ? la : lb).toFixed(1));
              setAttr(undo, e, 'x2', (x1 <= x2 ? lb : la).toFixed(1));
            }
            break;
          }
          case 'path': {
            // A glyph (▼) at an instant: moved whole, never stretched.
            var m = /^M\s*(-?[\d.]+)/.exec(e.getAttribute('d') || '');
            if (!m || na < X0 - 0.5 || na > X1 + 0.5) { hide(e); break; }
            setAttr(undo, e, 'transform', 'translate(' + (na - +m[1]).toFixed(1) + ' 0)');
            break;
          }
          case 'text': {
            // A label keeps its offset from what it labels (the span
            // ta..tb): a start label sticks to the plot's left edge while
            // its span goes on, an end label to the right edge, a middle
            // one centres on what is left of its span.
            var tx = +e.getAttribute('x'), anchor = e.getAttribute('text-anchor') || 'start', tw = textW(e);
            var va = clamp(na), vb = clamp(nb), nx, left;
            if (anchor === 'middle') {
              nx = (va + vb) / 2 + (tx - (clamp(oldX(ta)) + clamp(oldX(tb))) / 2);
              left = nx - tw / 2;
              var inSpan = tb > ta;
              if ((inSpan && vb - va < tw + 6) || (!inSpan && (na < X0 || na > X1))) { hide(e); break; }
            } else if (anchor === 'end') {
              nx = Math.min(nb, X1) + (tx - clamp(oldX(tb)));
              left = nx - tw;
              if (na > X1 || left < X0) { hide(e); break; }
            } else {
              nx = Math.max(na, X0) + (tx - clamp(oldX(ta)));
              left = nx;
              if (nb < X0 || nx > X1) { hide(e); break; }
            }
            if (left < 0 || left + tw > W - 2) { hide(e); break; }
            setAttr(undo, e, 'x', nx.toFixed(1));
            break;
          }
        }
      });
      // The axis: the main axis's grid, tick marks and labels give way to
      // ticks for the range (an inset's axis, lower down, stays).
      var grids = all('line.grid', svg).filter(function (g) { return Math.abs(+g.getAttribute('y1') - Y0) < 0.5; });
      var axisY = grids.length ? +grids[0].getAttribute('y2') : Y1 + 4;
      grids.forEach(hide);
      all('line.axis', svg).forEach(function (l) {
        if (l.getAttribute('x1') === l.getAttribute('x2') && Math.abs(+l.getAttribute('y1') - axisY) < 0.5) { hide(l); }
      });
      all('text.tick', svg).forEach(function (t) { if (Math.abs(+t.getAttribute('y') - axisY - 15) < 0.5) { hide(t); } });
      var narrow = W < 600, maxTicks = narrow ? 3 : 8, span = b - a;
      var step = STEPS[STEPS.length - 1];
      for (var i = 0; i < STEPS.length; i++) { if (span / STEPS[i] <= maxTicks) { step = STEPS[i]; break; } }
      var g = el('g', { 'class': 'zoom-axis' }, '', null);
      var multi = fmtTime(a, true).slice(0, 10) !== fmtTime(b, true).slice(0, 10), first = true, lastEnd = -1e9;
      for (var t = Math.ceil(a / step) * step; t <= b; t += step) {
        var x = newX(t);
        el('line', { x1: x.toFixed(1), y1: Y0, x2: x.toFixed(1), y2: axisY, 'class': 'grid' }, '', g);
        el('line', { x1: x.toFixed(1), y1: axisY, x2: x.toFixed(1), y2: axisY + 4, 'class': 'axis' }, '', g);
        var label = tickText(t, step, first && multi);
        var w = label.length * 6, anch = 'middle', lft = x - w / 2;
        if (x + w / 2 > W - 2) { anch = 'end'; lft = x - w; }
        if (lft < 2) { anch = 'start'; lft = x; }
        if (lft < lastEnd + 6) { continue; }
        lastEnd = lft + w;
        first = false;
        el('text', { x: x.toFixed(1), y: axisY + 15, 'text-anchor': anch, 'class': 'tick' }, label, g);
      }
      svg.appendChild(g);
      added.push(g);
      svg.classList.add('zoomed');
      var fig = svg.closest('figure');
      if (fig && !fig.classList.contains('zoomed')) {
        fig.classList.add('zoomed');
        var cap = fig.querySelector('figcaption');
        if (cap) {
          var note = doc.createElement('span');
          note.className = 'zoom-note';
          note.textContent = 'Zoomed to the brushed range: ' + fmtTime(a, true) + ' – ' + fmtTime(b, true) + ' UTC (' +
            fmtSpan(b - a) + ' of this diagram\u2019s ' + fmtSpan(T1 - T0) + '). Clear the brush to see it whole. ';
          cap.insertBefore(note, cap.firstChild);
          added.push(note);
        }
      }
      zoomed.push({ svg: svg, undo: undo, added: added });
    });
  }
  function fmtSpan(us) {
    var s = us / 1e6;
    if (s < 1) { return Math.round(us / 1e3) + ' ms'; }
    if (s < 60) { return (Math.round(s * 10) / 10) + ' s'; }
    if (s < 3600) { return Math.floor(s / 60) + 'm' + Math.round(s % 60) + 's'; }
    if (s < 86400) { return Math.floor(s / 3600) + 'h' + Math.floor(s % 3600 / 60) + 'm'; }
    return Math.floor(s / 86400) + 'd' + Math.floor(s % 86400 / 3600) + 'h';
  }

  // The zoom is brushed like the overview: dragging across it narrows the
  // range again (a short incident in a long run takes two drags); a click
  // without dragging goes back to the whole run.
  (function () {
    var fig = $('zoom');
    if (!fig) { return; }
    var svg = fig.querySelector('svg'), drag = null, sel = null;
    function zx(e) {
      var r = svg.getBoundingClientRect(), vb = svg.viewBox.baseVal;
      return Math.min(Math.max((e.clientX - r.left) * vb.width / r.width, Z.x0), Z.x1);
    }
    function zt(x) { return Math.round(Z.from + (x - Z.x0) / (Z.x1 - Z.x0) * (Z.to - Z.from)); }
    svg.addEventListener('pointerdown', function (e) {
      drag = zx(e);
      svg.setPointerCapture(e.pointerId);
      sel = el('rect', { x: drag, y: 0, width: 0, height: svg.viewBox.baseVal.height, 'class': 'brush-sel' }, '', svg);
      e.preventDefault();
    });
    svg.addEventListener('pointermove', function (e) {
      if (drag === null) { return; }
      var x = zx(e);
      sel.setAttribute('x', String(Math.min(drag, x)));
      sel.setAttribute('width', String(Math.abs(x - drag)));
    });
    svg.addEventListener('pointerup', function (e) {
      if (drag === null) { return; }
      var a = drag, b = zx(e);
      drag = null;
      if (Math.abs(b - a) < 3) { setRange(null, null); return; }
      setRange(zt(Math.min(a, b)), zt(Math.max(a, b)));
    });
    svg.addEventListener('pointercancel', function () { drag = null; drawZoom(); });
  }());

  // ---- brush --------------------------------------------------------------
  // The swimlane may be drawn twice (wide, and narrow for phones; CSS shows
  // one): each copy takes drags, and the selection is drawn in both. use()
  // points the brush functions at one copy.
  var swims = all('svg.d-swimlane').filter(function (s) { return s.dataset.t1; });
  var sw = swims[0] || null, brush = null, segs = null;
  function use(svg) {
    sw = svg;
    var ds = svg.dataset;
    brush = {
      x0: +ds.x0, x1: +ds.x1, y0: +ds.y0, y1: +ds.y1,
      t0: +ds.t0, t1: +ds.t1, sel: svg.querySelector('.brush-sel'), drag: brush ? brush.drag : null
    };
    // A piecewise axis (long empty stretches compressed): data-segs holds
    // "x0,x1,t0,t1" per piece; a point in a break maps to the break's edge.
    segs = ds.segs ? ds.segs.split(';').map(function (p) {
      var v = p.split(',').map(Number);
      return { x0: v[0], x1: v[1], t0: v[2], t1: v[3] };
    }) : null;
  }
  if (sw) { use(sw); }
  function svgPoint(e) {
    var r = sw.getBoundingClientRect(), vb = sw.viewBox.baseVal;
    return { x: (e.clientX - r.left) * vb.width / r.width, y: (e.clientY - r.top) * vb.height / r.height };
  }
  function clampX(x) { return Math.min(Math.max(x, brush.x0), brush.x1); }
  function xToT(x) {
    x = clampX(x);
    if (segs) {
      for (var i = 0; i < segs.length; i++) {
        var s = segs[i];
        if (x <= s.x1) { return Math.round(x < s.x0 ? s.t0 : s.t0 + (x - s.x0) / (s.x1 - s.x0) * (s.t1 - s.t0)); }
      }
      return segs[segs.length - 1].t1;
    }
    return Math.round(brush.t0 + (x - brush.x0) / (brush.x1 - brush.x0) * (brush.t1 - brush.t0));
  }
  function tToX(t) {
    if (segs) {
      for (var i = 0; i < segs.length; i++) {
        var s = segs[i];
        if (t <= s.t1) { return t < s.t0 ? (i ? (segs[i - 1].x1 + s.x0) / 2 : s.x0) : s.x0 + (t - s.t0) / (s.t1 - s.t0) * (s.x1 - s.x0); }
      }
      return segs[segs.length - 1].x1;
    }
    return clampX(brush.x0 + (t - brush.t0) / (brush.t1 - brush.t0) * (brush.x1 - brush.x0));
  }
  function drawSel(a, b) {
    a = clampX(a); b = clampX(b);
    brush.sel.setAttribute('x', String(Math.min(a, b)));
    brush.sel.setAttribute('width', String(Math.abs(b - a)));
  }
  function syncBrush() {
    var cur = sw;
    swims.forEach(function (svg) {
      use(svg);
      if (!brush.sel) { return; }
      if (state.from === null && state.to === null) { drawSel(brush.x0, brush.x0); return; }
      drawSel(state.from === null ? brush.x0 : tToX(state.from), state.to === null ? brush.x1 : tToX(state.to));
    });
    if (cur) { use(cur); }
  }
  function setRange(from, to) {
    state.from = from;
    state.to = to;
    $('f-from').value = from === null ? '' : fmtTime(from, true);
    $('f-to').value = to === null ? '' : fmtTime(to, true);
    $('f-from').classList.remove('invalid');
    $('f-to').classList.remove('invalid');
    syncBrush();
    apply();
  }
  swims.forEach(function (svg) {
    if (!svg.querySelector('.brush-sel')) { return; }
    svg.addEventListener('pointerdown', function (e) {
      use(svg);
      var p = svgPoint(e);
      if (p.x < brush.x0 || p.x > brush.x1 || p.y < brush.y0 || p.y > brush.y1) { return; }
      brush.drag = p.x;
      svg.setPointerCapture(e.pointerId);
      drawSel(p.x, p.x);
      e.preventDefault();
    });
    svg.addEventListener('pointermove', function (e) {
      if (brush.drag !== null && sw === svg) { drawSel(brush.drag, svgPoint(e).x); }
    });
    svg.addEventListener('pointerup', function (e) {
      if (brush.drag === null || sw !== svg) { return; }
      var a = brush.drag, b = svgPoint(e).x;
      brush.drag = null;
      if (Math.abs(b - a) < 3) {
        setRange(null, null);
      } else {
        setRange(xToT(Math.min(a, b)), xToT(Math.max(a, b)));
      }
    });
    svg.addEventListener('pointercancel', function () { brush.drag = null; syncBrush(); });
  });

  // ---- controls -----------------------------------------------------------
  var ref = brush ? brush.t0 : (ev ? ev.t[0] : Date.now() * 1000);
  ['f-from', 'f-to'].forEach(function (id) {
    $(id).addEventListener('change', function () {
      var v = parseTime(this.value, ref);
      if (v !== v) { this.classList.add('invalid'); return; }
      this.classList.remove('invalid');
      if (id === 'f-from') { state.from = v; } else { state.to = v; }
      syncBrush();
      apply();
    });
  });
  $('filters').addEventListener('submit', function (e) { e.preventDefault(); });
  srcBoxes.concat(sevBoxes, detBoxes).forEach(function (b) {
    b.addEventListener('change', function () { apply(); });
  });
  $('f-reset').addEventListener('click', function () {
    srcBoxes.concat(sevBoxes, detBoxes).forEach(function (b) { b.checked = true; });
    $('ev-search').value = '';
    $('ev-cited').checked = false;
    state.search = '';
    state.cited = false;
    showOnly(null);
    setRange(null, null);
  });

  var searchTimer = 0;
  $('ev-search').addEventListener('input', function () {
    var v = this.value;
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () { state.search = v; apply(); }, 120);
  });
  $('ev-cited').addEventListener('change', function () { state.cited = this.checked; apply(); });

  function showOnly(id) {
    state.only = id;
    $('ev-only').hidden = !id;
    $('ev-only-title').textContent = id ? (titles[id] || id) : '';
  }
  $('ev-only-clear').addEventListener('click', function () { showOnly(null); apply(); });
  all('button.show-evidence').forEach(function (b) {
    b.addEventListener('click', function () {
      showOnly(b.getAttribute('data-finding'));
      apply();
      $('events').scrollIntoView();
    });
  });

  function page(to) {
    return function () {
      if (!ev) { return; }
      var pages = Math.max(1, Math.ceil(ev.rows.length / PAGE));
      state.page = to === 'first' ? 0 : to === 'last' ? pages - 1 : state.page + to;
      renderTable();
    };
  }
  $('ev-first').addEventListener('click', page('first'));
  $('ev-prev').addEventListener('click', page(-1));
  $('ev-next').addEventListener('click', page(1));
  $('ev-last').addEventListener('click', page('last'));

  // Print everything: open the collapsed evidence and problem lists.
  window.addEventListener('beforeprint', function () {
    all('details').forEach(function (d) { if (!d.closest('#filters')) { d.open = true; } });
  });

  // ---- start --------------------------------------------------------------
  function ready(cols) {
    load(cols);
    apply();
    root.setAttribute('data-ready', 'true');
  }
  function unavailable(why) {
    $('ev-count').textContent = 'The event table could not be shown: ' + why + '. The findings above are complete.';
    apply();
    root.setAttribute('data-ready', 'true');
  }
  if (table.cols) {
    ready(table.cols);
  } else if (table.gz) {
    if (typeof DecompressionStream === 'undefined') {
      unavailable('this browser cannot decompress it (no DecompressionStream)');
    } else {
      var bin = atob(table.gz);
      var bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
      new Response(stream).text().then(function (text) {
        ready(JSON.parse(text));
      }, function (err) {
        unavailable(String(err));
      });
    }
  } else {
    ready({ t: [], d: [], s: [], k: [], p: [], x: [] });
  }
}());
