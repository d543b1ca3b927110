/**
 * The cost report as a plain-text table (terminal and report.md).
 */
import type { CostReport, FleetCost } from './pricing';

const usd = (v: number): string => {
  if (v === 0) return '$0';
  if (Math.abs(v) >= 100) return `$${v.toFixed(0)}`;
  if (Math.abs(v) >= 1) return `$${v.toFixed(2)}`;
  if (Math.abs(v) >= 0.01) return `$${v.toFixed(4)}`;
  return `$${v.toPrecision(3)}`;
};
const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;
const num = (v: number): string => Math.round(v).toLocaleString('en-US');

function fleetTable(title: string, fleets: FleetCost[], hoursLabel: string): string[] {
  const cols = fleets.map((f) => f.fleet);
  const rows: Array<[string, ...string[]]> = [
    ['', ...cols],
    [
      hoursLabel,
      ...fleets.map(
        (f) => `${f.streamHours.toFixed(3)} ${f.fleet === 'on-demand' ? 'stream-h' : 'shard-h'}`,
      ),
    ],
    ['Kinesis', ...fleets.map((f) => usd(f.cost.kinesis))],
    ['Lambda', ...fleets.map((f) => usd(f.cost.lambda))],
    ['DynamoDB', ...fleets.map((f) => usd(f.cost.dynamodb))],
    ['CloudWatch', ...fleets.map((f) => usd(f.cost.cloudwatch))],
    ['Total', ...fleets.map((f) => usd(f.cost.total))],
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const out = [title];
  for (const [i, r] of rows.entries()) {
    out.push(
      '  ' +
        r
          .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
          .join('   '),
    );
    if (i === 0 || i === rows.length - 2)
      out.push('  ' + widths.map((w) => '-'.repeat(w)).join('   '));
  }
  for (const f of fleets) out.push(`  ${f.fleet}: ${f.sizing}`);
  return out;
}

export function formatCostReport(r: CostReport): string {
  const d = r.day;
  const minutes = r.runHours * 60;
  const out: string[] = [
    `streamscale cost — ${r.source}`,
    `prices: ${r.prices.region} list prices as of ${r.prices.asOf} (functions/core/cost/prices.ts)`,
    `run: ${minutes.toFixed(1)} min, ${num(r.records)} records of ${Math.round(r.avgRecordBytes)} B on average, peak ${r.peakShards} shard(s)`,
    '',
    ...fleetTable('This run', r.run, 'stream'),
    '',
    `Projected day (lab profile: ${d.lowHours} h low, ${d.peakHours} h peak)`,
    `  low ${num(d.lowRate)} rec/s (${d.lowRateSource}) → ${d.lowShards} shard(s); peak ${num(d.peakRate)} rec/s (sustained 30 s) → ${d.peakShards} shard(s)`,
    `  per-shard capacity ${num(d.shardCapacity)} rec/s (${d.shardCapacitySource === 'measured' ? 'measured while producers were throttled' : 'configured limit; the run never saturated a shard'})`,
    ...fleetTable('', d.fleets, 'stream').slice(1),
    `  elastic vs static: ${pct(d.savingsShardHours)} fewer shard-hours; in total ${d.savingsTotal >= 0 ? `${pct(d.savingsTotal)} cheaper` : `${pct(-d.savingsTotal)} dearer`}` +
      ` (the scaler itself costs ${usd(d.scalerCostPerDay)}/day: its Lambda time and signal reads)`,
    `  with the scaler deciding once a minute (AWS: scaler.tickSeconds = 60): scaler ${usd(d.minuteScaler.costPerDay)}/day, in total ${d.minuteScaler.savingsTotal >= 0 ? `${pct(d.minuteScaler.savingsTotal)} cheaper` : `${pct(-d.minuteScaler.savingsTotal)} dearer`} than static`,
    '',
    `Lab check (EMR): ${r.emrCheck.staticInstanceHours} vs ${r.emrCheck.elasticInstanceHours} instance-hours → ${pct(r.emrCheck.savings)} saved (lab: ${pct(r.emrCheck.expected)}) ${r.emrCheck.ok ? 'OK' : 'MISMATCH'}`,
  ];
  return out.join('\n');
}
