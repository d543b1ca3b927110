/**
 * The cost report as an SVG bar chart: two panels (this run, the projected
 * day), one stacked bar per fleet (Kinesis, Lambda, DynamoDB, CloudWatch).
 * Hand-written SVG: no dependency, readable in any browser and in report.md.
 */
import type { CostLines, CostReport, FleetCost } from './pricing';

const PARTS: Array<{ key: keyof Omit<CostLines, 'total'>; label: string; color: string }> = [
  { key: 'kinesis', label: 'Kinesis', color: '#2f6fb0' },
  { key: 'lambda', label: 'Lambda', color: '#e8912d' },
  { key: 'dynamodb', label: 'DynamoDB', color: '#4a9a5b' },
  { key: 'cloudwatch', label: 'CloudWatch', color: '#8e6bb5' },
];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const usd = (v: number) =>
  v >= 1 ? `$${v.toFixed(2)}` : v >= 0.01 ? `$${v.toFixed(3)}` : `$${v.toPrecision(2)}`;

function panel(x0: number, title: string, fleets: FleetCost[], w: number, h: number): string {
  const top = 50;
  const bottom = h - 60;
  const max = Math.max(...fleets.map((f) => f.cost.total), 1e-12);
  const barW = 60;
  const gap = (w - fleets.length * barW) / (fleets.length + 1);
  const out: string[] = [
    `<text x="${x0 + w / 2}" y="30" text-anchor="middle" font-weight="bold">${esc(title)}</text>`,
  ];
  out.push(
    `<line x1="${x0 + 10}" y1="${bottom}" x2="${x0 + w - 10}" y2="${bottom}" stroke="#999"/>`,
  );
  fleets.forEach((f, i) => {
    const x = x0 + gap + i * (barW + gap);
    let y = bottom;
    for (const part of PARTS) {
      const v = f.cost[part.key];
      const hh = ((bottom - top) * v) / max;
      if (hh <= 0) continue;
      y -= hh;
      out.push(
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW}" height="${hh.toFixed(1)}" fill="${part.color}"><title>${esc(`${f.fleet} ${part.label}: ${usd(v)}`)}</title></rect>`,
      );
    }
    out.push(
      `<text x="${(x + barW / 2).toFixed(1)}" y="${(y - 6).toFixed(1)}" text-anchor="middle">${esc(usd(f.cost.total))}</text>`,
    );
    out.push(
      `<text x="${(x + barW / 2).toFixed(1)}" y="${bottom + 18}" text-anchor="middle">${esc(f.fleet)}</text>`,
    );
  });
  return out.join('\n');
}

export function costChartSvg(r: CostReport): string {
  const w = 360;
  const h = 320;
  const legend = PARTS.map(
    (p, i) =>
      `<rect x="${20 + i * 120}" y="${h + 6}" width="12" height="12" fill="${p.color}"/><text x="${36 + i * 120}" y="${h + 17}">${p.label}</text>`,
  ).join('\n');
  const d = r.day;
  const note = `Day: ${d.lowHours} h × ${d.lowShards} shard(s) + ${d.peakHours} h × ${d.peakShards} vs ${d.lowHours + d.peakHours} h × ${d.peakShards}: ${(d.savingsShardHours * 100).toFixed(1)} % fewer shard-hours, total ${(Math.abs(d.savingsTotal) * 100).toFixed(1)} % ${d.savingsTotal >= 0 ? 'cheaper' : 'dearer'}. Lab EMR check: ${(r.emrCheck.savings * 100).toFixed(1)} %.`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * w}" height="${h + 60}" viewBox="0 0 ${2 * w} ${h + 60}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    panel(0, `This run (${(r.runHours * 60).toFixed(1)} min)`, r.run, w, h),
    panel(w, `Projected day (${d.lowHours} h low, ${d.peakHours} h peak)`, d.fleets, w, h),
    legend,
    `<text x="20" y="${h + 45}" font-size="11">${esc(note)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
