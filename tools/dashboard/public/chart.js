// One metric widget as a uPlot chart: lines, stacked areas or bars on a left
// and an optional right axis, horizontal annotations, and a size that follows
// the widget's box.
/* global uPlot, devicePixelRatio, ResizeObserver */
import { formatValue, lighten, timeTicks } from './format.js';
import { el } from './page.js';

const AXIS_COLOUR = '#5f6b7a';
const GRID_COLOUR = '#e9ebed';
const ANNOTATION_COLOUR = '#d13212';
/** Up to this many points a series also shows its points, not just its line. */
const FEW_POINTS = 40;

/**
 * The columns uPlot draws and the order it draws them in. Stacked areas:
 * each series drawn at the running total, top first so lower fills stay visible.
 */
function stackedColumns(widget, data) {
  const order = data.series.map((_, i) => i);
  if (!widget.stacked) return { columns: data.series.map((s) => s.values), order };
  const totals = data.timestamps.map(() => 0);
  const columns = data.series.map((s) =>
    s.values.map((v, k) => (v === null ? null : (totals[k] += v))),
  );
  return { columns, order: order.reverse() };
}

function chartSeries(widget, data, order) {
  const few = data.timestamps.length <= FEW_POINTS;
  const bars = widget.view === 'bar' && uPlot.paths && uPlot.paths.bars;
  return [
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
}

/** The widget's axis bounds where it sets them; else from zero (or below) to a little over the top. */
const scaleRange = (axis) => (_u, min, max) => {
  const lo = axis.min ?? Math.min(0, min ?? 0);
  const hi = axis.max ?? (max === null || max === undefined || max <= lo ? lo + 1 : max * 1.08);
  return [lo, hi];
};

function chartAxes(hasRight) {
  const values = (_u, vals) => vals.map(formatValue);
  return [
    {
      stroke: AXIS_COLOUR,
      grid: { stroke: GRID_COLOUR },
      ticks: { stroke: '#d5dbdb' },
      space: 70,
      values: timeTicks,
    },
    {
      scale: 'y',
      stroke: AXIS_COLOUR,
      grid: { stroke: GRID_COLOUR },
      ticks: { show: false },
      size: 54,
      values,
    },
    ...(hasRight
      ? [{ scale: 'r', side: 1, stroke: AXIS_COLOUR, grid: { show: false }, size: 56, values }]
      : []),
  ];
}

/** Horizontal annotations (thresholds) from the widget body, drawn over the chart. */
function drawAnnotations(widget) {
  return (u) => {
    const ctx = u.ctx;
    for (const a of widget.annotations ?? []) {
      const y = u.valToPos(a.value, 'y', true);
      if (!Number.isFinite(y)) continue;
      ctx.save();
      ctx.strokeStyle = a.color || ANNOTATION_COLOUR;
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(u.bbox.left, y);
      ctx.lineTo(u.bbox.left + u.bbox.width, y);
      ctx.stroke();
      if (a.label) {
        ctx.fillStyle = a.color || ANNOTATION_COLOUR;
        ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
        ctx.textAlign = 'right';
        ctx.fillText(a.label, u.bbox.left + u.bbox.width - 4, y - 4);
      }
      ctx.restore();
    }
  };
}

/** Fits the chart into `body` below its axis labels and above its legend. */
function fitter(plot, body, data, labelled) {
  return () => {
    const legend = body.querySelector('.u-legend');
    const legendH = legend ? legend.offsetHeight : 0;
    const labelH = labelled ? 14 : 0;
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
}

/** Draws the chart into `body` (emptied first); returns the plot and the observer that resizes it. */
export function drawChart(body, widget, data, range) {
  body.replaceChildren();
  const hasRight = data.series.some((s) => s.yAxis === 'right');
  const left = widget.yAxis?.left ?? {};
  const right = widget.yAxis?.right ?? {};
  const { columns, order } = stackedColumns(widget, data);
  const opts = {
    width: Math.max(120, body.clientWidth - 4),
    height: 100,
    series: chartSeries(widget, data, order),
    scales: {
      x: { time: true, range: [range.start / 1000, range.end / 1000] },
      y: { range: scaleRange(left) },
      r: { range: scaleRange(right) },
    },
    axes: chartAxes(hasRight),
    legend: { show: widget.legend !== 'hidden', live: true },
    cursor: { points: { size: 6 } },
    hooks: { draw: [drawAnnotations(widget)] },
  };
  const plot = new uPlot(opts, [data.timestamps, ...order.map((i) => columns[i])], body);
  if (left.label) body.append(el('span', { class: 'axis-label', text: left.label }));
  if (right.label && hasRight)
    body.append(el('span', { class: 'axis-label right', text: right.label }));
  const fit = fitter(plot, body, data, Boolean(left.label || right.label));
  fit();
  const observer = new ResizeObserver(() => fit());
  observer.observe(body);
  return { plot, observer };
}
