// The widgets on CloudWatch's 24-column grid: one section per widget (text
// as the server rendered it, metrics as charts or single values, other
// types as a placeholder), each tagged with its state for the tests.
/* global document */
import { drawChart } from './chart.js';
import { formatValue, periodText } from './format.js';
import { $, el } from './page.js';

/** widget index -> { plot, observer } of the charts on the page */
const plots = new Map();

function dropPlot(index) {
  const old = plots.get(index);
  old?.observer?.disconnect();
  old?.plot?.destroy();
  plots.delete(index);
}

export function destroyPlots() {
  for (const index of [...plots.keys()]) dropPlot(index);
}

export function buildGrid(widgets) {
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

/** Shows one metric widget's data: a chart, single values, "no data" or the error. */
export function renderMetric(widget, data, range) {
  const section = document.querySelector(`[data-widget-index="${widget.index}"]`);
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
    dropPlot(widget.index);
    renderEmpty(body, 'no data in this range');
    return;
  }
  section.dataset.state = 'loaded';
  section.title = `period ${periodText(data.period)}`;
  if (widget.view === 'singleValue' || widget.view === 'gauge' || widget.view === 'pie')
    renderSingles(body, data);
  else {
    dropPlot(widget.index);
    plots.set(widget.index, drawChart(body, widget, data, range));
  }
}
