/**
 * Simple SVG line charts (pure, no dependencies): a few series over a shared
 * time axis, with axes, ticks, a legend and a title. Used by the demo's
 * report.md; knows nothing about producers or metrics.
 */
export interface ChartSeries {
  label: string;
  /** [x, y] points; x is usually seconds since the start */
  points: Array<[number, number]>;
  color?: string;
  /** step line (for counts that change in steps, like shards) */
  step?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** y axis from 0 (default true) */
  zeroBased?: boolean;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** "Nice" tick step for a range (1, 2, 5 × 10^k). */
export function niceStep(range: number, targetTicks = 5): number {
  if (!(range > 0)) return 1;
  const raw = range / targetTicks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
}

function fmtTick(v: number): string {
  if (Math.abs(v) >= 1000) return `${Number((v / 1000).toFixed(1))}k`;
  return String(Number(v.toFixed(2)));
}

export function lineChart(series: ChartSeries[], o: ChartOptions): string {
  const width = o.width ?? 720;
  const height = o.height ?? 300;
  const m = { left: 60, right: 20, top: 36, bottom: 48 + 18 * Math.ceil(series.length / 3) };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const all = series
    .flatMap((s) => s.points)
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  const xMin = xs.length ? Math.min(...xs) : 0;
  let xMax = xs.length ? Math.max(...xs) : 1;
  if (xMax === xMin) xMax = xMin + 1;
  let yMin = o.zeroBased === false && ys.length ? Math.min(...ys) : 0;
  let yMax = ys.length ? Math.max(...ys) : 1;
  if (yMax <= yMin) yMax = yMin + 1;
  const yStep = niceStep(yMax - yMin);
  yMin = Math.floor(yMin / yStep) * yStep;
  yMax = Math.ceil(yMax / yStep) * yStep;
  const xStep = niceStep(xMax - xMin, 8);
  const sx = (x: number) => m.left + ((x - xMin) / (xMax - xMin)) * pw;
  const sy = (y: number) => m.top + ph - ((y - yMin) / (yMax - yMin)) * ph;
  const r = (n: number) => Number(n.toFixed(1));

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(o.title)}</text>`,
  );
  for (let y = yMin; y <= yMax + yStep / 2; y += yStep) {
    out.push(
      `<line x1="${m.left}" x2="${m.left + pw}" y1="${r(sy(y))}" y2="${r(sy(y))}" stroke="#e5e5e5"/>`,
    );
    out.push(`<text x="${m.left - 6}" y="${r(sy(y) + 4)}" text-anchor="end">${fmtTick(y)}</text>`);
  }
  for (let x = Math.ceil(xMin / xStep) * xStep; x <= xMax; x += xStep) {
    out.push(
      `<line x1="${r(sx(x))}" x2="${r(sx(x))}" y1="${m.top + ph}" y2="${m.top + ph + 4}" stroke="#333"/>`,
    );
    out.push(
      `<text x="${r(sx(x))}" y="${m.top + ph + 16}" text-anchor="middle">${fmtTick(x)}</text>`,
    );
  }
  out.push(
    `<line x1="${m.left}" x2="${m.left + pw}" y1="${m.top + ph}" y2="${m.top + ph}" stroke="#333"/>`,
  );
  out.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + ph}" stroke="#333"/>`);
  if (o.xLabel)
    out.push(
      `<text x="${m.left + pw / 2}" y="${m.top + ph + 32}" text-anchor="middle">${esc(o.xLabel)}</text>`,
    );
  if (o.yLabel)
    out.push(
      `<text x="14" y="${m.top + ph / 2}" text-anchor="middle" transform="rotate(-90 14 ${m.top + ph / 2})">${esc(o.yLabel)}</text>`,
    );
  series.forEach((s, i) =>
    drawSeries(out, s, i, { sx, sy, r, left: m.left, pw, bottom: m.top + ph }),
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

interface Plot {
  sx: (x: number) => number;
  sy: (y: number) => number;
  r: (n: number) => number;
  left: number;
  pw: number;
  /** y of the x axis */
  bottom: number;
}

/** One series' line and its legend entry. */
function drawSeries(out: string[], s: ChartSeries, i: number, p: Plot): void {
  const { sx, sy, r } = p;
  const color = s.color ?? PALETTE[i % PALETTE.length]!;
  const pts = s.points
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
    .sort((a, b) => a[0] - b[0]);
  if (pts.length > 0) {
    const coords: string[] = [];
    pts.forEach(([x, y], k) => {
      if (s.step && k > 0) coords.push(`${r(sx(x))},${r(sy(pts[k - 1]![1]))}`);
      coords.push(`${r(sx(x))},${r(sy(y))}`);
    });
    out.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${coords.join(' ')}"/>`,
    );
  }
  const lx = p.left + (i % 3) * (p.pw / 3);
  const ly = p.bottom + 40 + 18 * Math.floor(i / 3);
  out.push(`<rect x="${r(lx)}" y="${ly - 9}" width="14" height="4" fill="${color}"/>`);
  out.push(`<text x="${r(lx + 20)}" y="${ly - 4}">${esc(s.label)}</text>`);
}
