/**
 * Cost against scale as an SVG line chart (log-log): one line per fleet,
 * the report's scales marked on the lines, the crossovers as dashed
 * verticals. Hand-written SVG like cost.svg: no dependency.
 */
import type { ScalesReport } from './scales-report';
import { FLEETS, type FleetName } from './scales';

const COLORS: Record<FleetName, string> = {
  elastic: '#2f6fb0',
  static: '#e8912d',
  'on-demand': '#4a9a5b',
  'emr-spark': '#8e6bb5',
};
const W = 800;
const H = 440;
const PAD = { left: 70, right: 40, top: 70, bottom: 90 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const compact = (v: number) =>
  v >= 1e6
    ? `${+(v / 1e6).toPrecision(3)}M`
    : v >= 1e3
      ? `${+(v / 1e3).toPrecision(3)}k`
      : `${+v.toPrecision(3)}`;
const money = (v: number) => (v >= 1 ? `$${compact(v)}` : `$${v.toFixed(2)}`);

function decades(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
  return out;
}

interface Scale {
  px: (x: number) => number;
  py: (y: number) => number;
  x: [number, number];
  y: [number, number];
}

function scaleOf(r: ScalesReport): Scale {
  const xs = r.curve.map((c) => c.peakRate);
  const ys = r.curve.flatMap((c) => FLEETS.map((f) => c.totals[f]));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [
    10 ** Math.floor(Math.log10(Math.min(...ys))),
    10 ** Math.ceil(Math.log10(Math.max(...ys))),
  ];
  const frac = (v: number, lo: number, hi: number) =>
    (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
  return {
    px: (x) => PAD.left + frac(x, x0, x1) * (W - PAD.left - PAD.right),
    py: (y) => H - PAD.bottom - frac(y, y0, y1) * (H - PAD.top - PAD.bottom),
    x: [x0, x1],
    y: [y0, y1],
  };
}

function axes({ px, py, x, y }: Scale): string[] {
  const out: string[] = [];
  for (const v of decades(y[0], y[1]).filter((d) => d >= y[0] && d <= y[1])) {
    const at = py(v).toFixed(1);
    out.push(`<line x1="${PAD.left}" y1="${at}" x2="${W - PAD.right}" y2="${at}" stroke="#eee"/>`);
    out.push(
      `<text x="${PAD.left - 6}" y="${(py(v) + 4).toFixed(1)}" text-anchor="end">${esc(money(v))}</text>`,
    );
  }
  for (const v of decades(x[0], x[1]).filter((d) => d >= x[0] && d <= x[1])) {
    const at = px(v).toFixed(1);
    out.push(`<line x1="${at}" y1="${PAD.top}" x2="${at}" y2="${H - PAD.bottom}" stroke="#eee"/>`);
    out.push(
      `<text x="${at}" y="${H - PAD.bottom + 16}" text-anchor="middle">${esc(compact(v))}</text>`,
    );
  }
  const midY = (PAD.top + H - PAD.bottom) / 2;
  out.push(
    `<text x="${(PAD.left + W - PAD.right) / 2}" y="${H - PAD.bottom + 34}" text-anchor="middle">peak records/s (log)</text>`,
    `<text x="16" y="${midY}" text-anchor="middle" transform="rotate(-90 16 ${midY})">USD per day (log)</text>`,
  );
  return out;
}

/** Dashed verticals, their labels staggered on three rows so neighbours do not overlap. */
function crossoverMarks(r: ScalesReport, { px }: Scale): string[] {
  return r.crossovers.flatMap((c, i) => {
    const x = px(c.peakRate).toFixed(1);
    const labelY = PAD.top - 8 - (i % 3) * 13;
    return [
      `<line x1="${x}" y1="${PAD.top}" x2="${x}" y2="${H - PAD.bottom}" stroke="#c33" stroke-dasharray="4 3"><title>${esc(`${c.below} → ${c.above} at ~${compact(c.peakRate)} rec/s`)}</title></line>`,
      `<line x1="${x}" y1="${labelY + 2}" x2="${x}" y2="${PAD.top}" stroke="#c33" stroke-dasharray="1 2"/>`,
      `<text x="${x}" y="${labelY}" text-anchor="middle" fill="#c33" font-size="10">${esc(`${c.below}→${c.above} ~${compact(c.peakRate)}`)}</text>`,
    ];
  });
}

function lines(r: ScalesReport, { px, py }: Scale): string[] {
  const path = (value: (c: ScalesReport['curve'][number]) => number) =>
    r.curve
      .map(
        (c, i) => `${i === 0 ? 'M' : 'L'}${px(c.peakRate).toFixed(1)},${py(value(c)).toFixed(1)}`,
      )
      .join(' ');
  const out: string[] = [];
  for (const f of FLEETS) {
    out.push(
      `<path d="${path((c) => c.totals[f])}" fill="none" stroke="${COLORS[f]}" stroke-width="2"/>`,
    );
    for (const p of r.points) {
      const t = p.fleets.find((x) => x.fleet === f)!.total;
      out.push(
        `<circle cx="${px(p.peakRate).toFixed(1)}" cy="${py(t).toFixed(1)}" r="3.5" fill="${COLORS[f]}"><title>${esc(`${p.label} (${compact(p.peakRate)} rec/s): ${f} ${money(t)}/day`)}</title></circle>`,
      );
    }
  }
  out.push(
    `<path d="${path((c) => c.elasticAlternativeScaler)}" fill="none" stroke="${COLORS.elastic}" stroke-width="1.5" stroke-dasharray="6 4"><title>elastic with the CloudWatch-reading scaler it replaced</title></path>`,
  );
  for (const p of r.points)
    out.push(
      `<text x="${px(p.peakRate).toFixed(1)}" y="${H - PAD.bottom + 50}" text-anchor="middle" font-size="10">${esc(p.label)}</text>`,
    );
  return out;
}

function legend(): string[] {
  const out = FLEETS.map((f, i) => {
    const x = PAD.left + i * 110;
    return `<rect x="${x}" y="${H - 22}" width="12" height="12" fill="${COLORS[f]}"/><text x="${x + 16}" y="${H - 12}">${esc(f)}</text>`;
  });
  const lx = PAD.left + FLEETS.length * 110;
  out.push(
    `<line x1="${lx}" y1="${H - 16}" x2="${lx + 22}" y2="${H - 16}" stroke="${COLORS.elastic}" stroke-width="1.5" stroke-dasharray="6 4"/><text x="${lx + 26}" y="${H - 12}">elastic, scaler reading CloudWatch (before)</text>`,
  );
  return out;
}

export function scalesChartSvg(r: ScalesReport): string {
  const scale = scaleOf(r);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-weight="bold">${esc(`Cost of one day (${r.day.lowHours} h low, ${r.day.peakHours} h at ${r.day.peakOverLow} × low) against the peak rate`)}</text>`,
    ...axes(scale),
    ...crossoverMarks(r, scale),
    ...lines(r, scale),
    ...legend(),
    '</svg>',
    '',
  ].join('\n');
}
