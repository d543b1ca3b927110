// The dashboard page: picks a dashboard, lays its widgets out on CloudWatch's
// 24-column grid, and draws metric widgets with uPlot from /api/.../data.
// Plain browser JavaScript (no build step); the server does the parsing.
/* global uPlot, document, location, history, fetch, URLSearchParams, devicePixelRatio, ResizeObserver, setInterval, clearInterval */

const $ = (sel) => document.querySelector(sel);
const params = new URLSearchParams(location.search);

const state = {
  dashboards: [],
  name: null,
  widgets: [],
  rangeMin: Number(params.get('range')) || 15,
  custom: null, // { start, end } epoch ms
  period: params.get('period') || 'auto',
  refreshSec: Number(params.get('refresh')) || 0,
  timer: null,
  plots: new Map(), // widget index -> { plot, observer }
  generation: 0,
  endpoint: '',
};

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k === 'style') Object.assign(node.style, v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

async function api(path) {
  const res = await fetch(path, { cache: 'no-store' });
  let body;
  try {
    body = await res.json();
  } catch {
    throw new Error(`the dashboard server answered ${res.status} without JSON`);
  }
  if (!res.ok) throw new Error(body.error || `HTTP ${res.status}`);
  return body;
}

function notice(text, kind = 'info') {
  const n = $('#notice');
  n.hidden = !text;
  n.textContent = text || '';
  n.className = `notice ${kind === 'error' ? 'error' : ''}`;
}

function setStatus(text) {
  $('#status').textContent = text;
}

export function formatValue(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(a >= 1e10 ? 0 : 1)}G`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(a >= 1e5 ? 0 : 1)}k`;
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  return String(Number(v.toPrecision(3)));
}

/** '#1f77b4' mixed with white by `amount` (opaque, so stacked fills do not blend into grey). */
function lighten(hex, amount) {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m) return hex;
  const n = parseInt(m[1], 16);
  const mix = (c) => Math.round(c + (255 - c) * amount);
  return `rgb(${mix(n >> 16)}, ${mix((n >> 8) & 255)}, ${mix(n & 255)})`;
}

const pad2 = (n) => String(n).padStart(2, '0');

/** x-axis labels in local 24 h time: seconds only when ticks are closer than a minute, the date when they span days. */
function timeTicks(_u, splits, _axis, _space, incr) {
  return splits.map((t) => {
    const d = new Date(t * 1000);
    const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
    if (incr >= 86400) return `${d.getMonth() + 1}/${d.getDate()}`;
    return incr < 60 ? `${hm}:${pad2(d.getSeconds())}` : hm;
  });
}

function periodText(p) {
  return p < 60 ? `${p} s` : p % 3600 === 0 ? `${p / 3600} h` : `${p / 60} min`;
}

function currentRange() {
  if (state.custom) return state.custom;
  const end = Date.now();
  return { start: end - state.rangeMin * 60_000, end };
}

function syncUrl() {
  const p = new URLSearchParams();
  if (state.name) p.set('dashboard', state.name);
  if (!state.custom) p.set('range', String(state.rangeMin));
  if (state.period !== 'auto') p.set('period', state.period);
  if (state.refreshSec) p.set('refresh', String(state.refreshSec));
  history.replaceState(null, '', `?${p}`);
}

function markRangeButtons() {
  for (const b of document.querySelectorAll('[data-range]')) {
    const on = state.custom
      ? b.dataset.range === 'custom'
      : b.dataset.range === String(state.rangeMin);
    b.setAttribute('aria-pressed', String(on));
  }
  $('#custom').hidden = !state.custom && !$('#custom').dataset.open;
}

function toLocalInput(ms) {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 19);
}

function destroyPlots() {
  for (const { plot, observer } of state.plots.values()) {
    observer?.disconnect();
    plot?.destroy();
  }
  state.plots.clear();
}

function buildGrid(widgets) {
  destroyPlots();
  const grid = $('#grid');
  grid.replaceChildren();
  for (const w of widgets) {
    const section = el('section', {
      class: `widget ${w.type}${w.transparent ? ' transparent' : ''}`,
      'data-type': w.type === 'metric' ? `metric-${w.view}` : w.type,
      'data-widget-index': String(w.index),
      style: {
        gridColumn: `${w.x + 1} / span ${w.width}`,
        gridRow: `${w.y + 1} / span ${w.height}`,
      },
    });
    if (w.title) section.append(el('h2', { text: w.title, title: w.title }));
    if (w.type === 'text') {
      const body = el('div', { class: 'body text-body' });
      body.innerHTML = w.html; // rendered and escaped by the server's safe markdown renderer
      section.append(body);
      section.dataset.state = 'loaded';
    } else if (w.type === 'metric') {
      section.append(
        el('div', { class: 'body' }, [el('div', { class: 'empty', text: 'loading…' })]),
      );
      section.dataset.state = 'loading';
    } else {
      section.append(el('div', { class: 'placeholder', text: w.note }));
      section.dataset.state = 'loaded';
    }
    grid.append(section);
  }
}

function widgetSection(index) {
  return document.querySelector(`[data-widget-index="${index}"]`);
}

function renderEmpty(body, text, cls = 'empty') {
  body.replaceChildren(el('div', { class: cls, text }));
}

function renderSingles(body, data) {
  const box = el('div', { class: 'singles' });
  for (const s of data.series) {
    box.append(
      el('div', { class: 'single' }, [
        el('div', { class: 'value', text: formatValue(s.last), style: { color: s.color } }),
        el('div', { class: 'label', title: s.label }, [
          el('span', { class: 'swatch', style: { background: s.color } }),
          s.label,
        ]),
      ]),
    );
  }
  body.replaceChildren(box);
}

function renderChart(body, widget, data, range) {
  const old = state.plots.get(widget.index);
  old?.observer?.disconnect();
  old?.plot?.destroy();
  body.replaceChildren();
  const hasRight = data.series.some((s) => s.yAxis === 'right');
  const leftLabel = widget.yAxis?.left?.label;
  const rightLabel = widget.yAxis?.right?.label;
  // Stacked areas: each series drawn at the running total, top first so lower fills stay visible.
  let columns = data.series.map((s) => s.values);
  let order = data.series.map((_, i) => i);
  if (widget.stacked) {
    const totals = data.timestamps.map(() => 0);
    columns = data.series.map((s) =>
      s.values.map((v, k) => (v === null ? null : (totals[k] += v))),
    );
    order = order.reverse();
  }
  const few = data.timestamps.length <= 40;
  const bars = widget.view === 'bar' && uPlot.paths && uPlot.paths.bars;
  const series = [
    {},
    ...order.map((i) => {
      const s = data.series[i];
      return {
        label: s.label,
        stroke: s.color,
        width: 1.75,
        fill: widget.stacked ? lighten(s.color, 0.55) : bars ? lighten(s.color, 0.25) : undefined,
        scale: s.yAxis === 'right' ? 'r' : 'y',
        spanGaps: true,
        points: { show: few && !bars, size: 4 },
        paths: bars ? uPlot.paths.bars({ size: [0.6, 40] }) : undefined,
        // Stacked series are drawn at running totals; the legend shows each one's own value.
        value: (_u, v, _si, idx) =>
          formatValue(widget.stacked && idx !== null && idx !== undefined ? s.values[idx] : v),
      };
    }),
  ];
  const left = widget.yAxis?.left ?? {};
  const right = widget.yAxis?.right ?? {};
  const scaleRange = (axis) => (_u, min, max) => {
    const lo = axis.min ?? Math.min(0, min ?? 0);
    let hi = axis.max ?? (max === null || max === undefined || max <= lo ? lo + 1 : max * 1.08);
    return [lo, hi];
  };
  const opts = {
    width: Math.max(120, body.clientWidth - 4),
    height: 100,
    series,
    scales: {
      x: { time: true, range: [range.start / 1000, range.end / 1000] },
      y: { range: scaleRange(left) },
      r: { range: scaleRange(right) },
    },
    axes: [
      {
        stroke: '#5f6b7a',
        grid: { stroke: '#e9ebed' },
        ticks: { stroke: '#d5dbdb' },
        space: 70,
        values: timeTicks,
      },
      {
        scale: 'y',
        stroke: '#5f6b7a',
        grid: { stroke: '#e9ebed' },
        ticks: { show: false },
        size: 54,
        values: (_u, vals) => vals.map(formatValue),
      },
      ...(hasRight
        ? [
            {
              scale: 'r',
              side: 1,
              stroke: '#5f6b7a',
              grid: { show: false },
              size: 56,
              values: (_u, vals) => vals.map(formatValue),
            },
          ]
        : []),
    ],
    legend: { show: widget.legend !== 'hidden', live: true },
    cursor: { points: { size: 6 } },
    hooks: {
      draw: [
        (u) => {
          // Horizontal annotations (thresholds) from the widget body.
          const ctx = u.ctx;
          for (const a of widget.annotations ?? []) {
            const y = u.valToPos(a.value, 'y', true);
            if (!Number.isFinite(y)) continue;
            ctx.save();
            ctx.strokeStyle = a.color || '#d13212';
            ctx.setLineDash([6, 4]);
            ctx.lineWidth = 1;
            ctx.beginPath();
            ctx.moveTo(u.bbox.left, y);
            ctx.lineTo(u.bbox.left + u.bbox.width, y);
            ctx.stroke();
            if (a.label) {
              ctx.fillStyle = a.color || '#d13212';
              ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
              ctx.textAlign = 'right';
              ctx.fillText(a.label, u.bbox.left + u.bbox.width - 4, y - 4);
            }
            ctx.restore();
          }
        },
      ],
    },
  };
  const plot = new uPlot(opts, [data.timestamps, ...order.map((i) => columns[i])], body);
  if (leftLabel) body.append(el('span', { class: 'axis-label', text: leftLabel }));
  if (rightLabel && hasRight)
    body.append(el('span', { class: 'axis-label right', text: rightLabel }));
  const fit = () => {
    const legend = body.querySelector('.u-legend');
    const legendH = legend ? legend.offsetHeight : 0;
    const labelH = leftLabel || rightLabel ? 14 : 0;
    plot.setSize({
      width: Math.max(120, body.clientWidth - 4),
      height: Math.max(60, body.clientHeight - legendH - labelH - 4),
    });
    plot.root.style.marginTop = `${labelH}px`;
    // Show the latest values in the legend while the cursor is not on the chart.
    if (plot.cursor.idx === null || plot.cursor.idx === undefined) {
      const lastIdx = data.timestamps.length - 1;
      if (lastIdx >= 0) plot.setLegend({ idx: lastIdx });
    }
  };
  fit();
  const observer = new ResizeObserver(() => fit());
  observer.observe(body);
  state.plots.set(widget.index, { plot, observer });
}

function renderMetric(widget, data, range) {
  const section = widgetSection(widget.index);
  if (!section) return;
  const body = section.querySelector('.body');
  section.dataset.points = String(data.points);
  const failed = data.messages.length > 0 && data.points === 0;
  if (failed) {
    section.dataset.state = 'error';
    renderEmpty(body, data.messages.join(' · '), 'error');
    return;
  }
  if (data.points === 0) {
    section.dataset.state = 'empty';
    const old = state.plots.get(widget.index);
    old?.observer?.disconnect();
    old?.plot?.destroy();
    state.plots.delete(widget.index);
    renderEmpty(body, 'no data in this range');
    return;
  }
  section.dataset.state = 'loaded';
  section.title = `period ${periodText(data.period)}`;
  if (widget.view === 'singleValue' || widget.view === 'gauge' || widget.view === 'pie')
    renderSingles(body, data);
  else renderChart(body, widget, data, range);
}

async function refreshData() {
  if (!state.name) return;
  const generation = ++state.generation;
  const range = currentRange();
  setStatus('loading…');
  try {
    const q = new URLSearchParams({
      start: String(Math.round(range.start)),
      end: String(Math.round(range.end)),
      period: state.period,
    });
    const data = await api(`/api/dashboards/${encodeURIComponent(state.name)}/data?${q}`);
    if (generation !== state.generation) return; // a newer refresh is under way
    const byIndex = new Map(state.widgets.map((w) => [w.index, w]));
    for (const d of data.widgets) {
      const w = byIndex.get(d.index);
      if (w) renderMetric(w, d, range);
    }
    const total = data.widgets.reduce((n, d) => n + d.points, 0);
    notice(
      total === 0 && data.widgets.length > 0
        ? 'No data points in this range yet — start a run (npm start or npm run spike) or pick a longer range.'
        : '',
    );
    setStatus(
      `updated ${new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })}`,
    );
    document.body.dataset.generation = String(generation);
  } catch (err) {
    if (generation !== state.generation) return;
    notice(err.message, 'error');
    setStatus('update failed');
  }
}

async function selectDashboard(name) {
  state.name = name;
  $('#dashboard').value = name;
  syncUrl();
  try {
    const d = await api(`/api/dashboards/${encodeURIComponent(name)}`);
    state.widgets = d.widgets;
    // The dashboard's own default range ("start": "-PT30M") unless the URL or the user chose one.
    const own = /^-PT(\d+)([MH])$/.exec(d.start || '');
    if (own && !params.get('range') && !state.userRange && !state.custom) {
      state.rangeMin = Number(own[1]) * (own[2] === 'H' ? 60 : 1);
      markRangeButtons();
      syncUrl();
    }
    document.title = `${name} · streamscale dashboards`;
    if (d.widgets.length === 0) notice(`Dashboard "${name}" has no widgets.`);
    buildGrid(d.widgets);
    await refreshData();
  } catch (err) {
    destroyPlots();
    $('#grid').replaceChildren();
    notice(err.message, 'error');
  }
}

function schedule() {
  clearInterval(state.timer);
  state.timer = null;
  if (state.refreshSec > 0) state.timer = setInterval(refreshData, state.refreshSec * 1000);
}

async function loadDashboards() {
  try {
    const { dashboards, endpoint } = await api('/api/dashboards');
    state.dashboards = dashboards;
    state.endpoint = endpoint;
    const select = $('#dashboard');
    select.replaceChildren(...dashboards.map((d) => el('option', { value: d.name, text: d.name })));
    if (dashboards.length === 0) {
      notice(
        `No dashboards at ${endpoint}. Deploy the stack first (npm run deploy:local, or npm start).`,
      );
      setStatus('');
      return;
    }
    const wanted = params.get('dashboard');
    const pick =
      dashboards.find((d) => d.name === wanted) ??
      dashboards.find((d) => d.name === 'streamscale') ??
      dashboards[0];
    await selectDashboard(pick.name);
  } catch (err) {
    notice(err.message, 'error');
    setStatus('');
  }
}

function bind() {
  $('#dashboard').addEventListener('change', (e) => selectDashboard(e.target.value));
  for (const b of document.querySelectorAll('[data-range]')) {
    b.addEventListener('click', () => {
      if (b.dataset.range === 'custom') {
        const r = currentRange();
        $('#from').value = toLocalInput(r.start);
        $('#to').value = toLocalInput(r.end);
        $('#custom').dataset.open = '1';
        $('#custom').hidden = false;
        return;
      }
      delete $('#custom').dataset.open;
      state.custom = null;
      state.userRange = true;
      state.rangeMin = Number(b.dataset.range);
      markRangeButtons();
      syncUrl();
      refreshData();
    });
  }
  $('#apply').addEventListener('click', () => {
    const start = new Date($('#from').value).getTime();
    const end = new Date($('#to').value).getTime();
    if (!Number.isFinite(start) || !Number.isFinite(end) || start >= end) {
      notice('Custom range: pick a start before the end.', 'error');
      return;
    }
    state.custom = { start, end };
    markRangeButtons();
    syncUrl();
    refreshData();
  });
  $('#period').value = state.period;
  $('#period').addEventListener('change', (e) => {
    state.period = e.target.value;
    syncUrl();
    refreshData();
  });
  $('#refresh').value = String(state.refreshSec);
  $('#refresh').addEventListener('change', (e) => {
    state.refreshSec = Number(e.target.value);
    syncUrl();
    schedule();
  });
  $('#reload').addEventListener('click', () => refreshData());
}

bind();
markRangeButtons();
schedule();
loadDashboards();
