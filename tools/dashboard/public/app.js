// The dashboard page: picks a dashboard, lays its widgets out on CloudWatch's
// 24-column grid (grid.js), and draws metric widgets with uPlot (chart.js)
// from /api/.../data. Plain browser ES modules (no build step); the server
// does the parsing.
/* global document, location, history, URLSearchParams, setInterval, clearInterval */
import { clockTime, toLocalInput } from './format.js';
import { buildGrid, destroyPlots, renderMetric } from './grid.js';
import { loadScript, useAcceptedLocale } from './locale.js';
import { $, api, el, notice, setStatus } from './page.js';

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
  generation: 0,
  endpoint: '',
};

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
    setStatus(`updated ${clockTime(new Date())}`);
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

function bindRangeButtons() {
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
}

function bind() {
  $('#dashboard').addEventListener('change', (e) => selectDashboard(e.target.value));
  bindRangeButtons();
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

// uPlot reads navigator.language as it loads: make it one Intl accepts first.
useAcceptedLocale();
try {
  await loadScript('/vendor/uPlot.iife.min.js');
} catch (err) {
  notice(`${err.message}; charts cannot be drawn`, 'error');
}
bind();
markRangeButtons();
schedule();
loadDashboards();
