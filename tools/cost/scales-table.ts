/**
 * The cost-across-scales report as plain text (terminal, docs).
 */
import type { ScalesReport } from './scales-report';
import type { FleetName, ScaleFleet } from './scales';

const usd = (v: number): string => {
  if (Math.abs(v) >= 1_000) return `$${Math.round(v).toLocaleString('en-US')}`;
  if (Math.abs(v) >= 10) return `$${v.toFixed(1)}`;
  return `$${v.toFixed(2)}`;
};
const pct = (v: number): string => `${(Math.abs(v) * 100).toFixed(1)} %`;
const num = (v: number): string => Math.round(v).toLocaleString('en-US');
const cheaperOrDearer = (saving: number) =>
  saving >= 0 ? `${pct(saving)} cheaper` : `${pct(saving)} dearer`;

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    '  ' +
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   ');
  return [
    line(rows[0]!),
    '  ' + widths.map((w) => '-'.repeat(w)).join('   '),
    ...rows.slice(1).map(line),
  ];
}

const fleetOf = (fleets: ScaleFleet[], f: FleetName) => fleets.find((x) => x.fleet === f)!;

export function formatScales(r: ScalesReport): string {
  const a = r.assumptions;
  const out: string[] = [
    `streamscale cost across scales — one day of the lab's shape (${r.day.lowHours} h low, ${r.day.peakHours} h at ${r.day.peakOverLow} × low)`,
    `prices: ${r.prices.region} list prices as of ${r.prices.asOf} (tools/cost/prices.ts); EMR ${a.emr.instanceType} ${usd(a.emr.pricePerInstanceHour)}/instance-hour (tools/cost/scale-assumptions.ts)`,
    `shards sized at ${num(a.shardRecordsPerSecond)} rec/s × ${a.targetUtilisation} each; records of ${Math.round(a.avgRecordBytes)} B; EMR executors at ${num(a.emr.executorRecordsPerSecond)} rec/s each (assumed: --executor-rate)`,
    '',
    ...table([
      [
        'scale',
        'peak rec/s',
        'low rec/s',
        'shards',
        'elastic',
        'static',
        'on-demand',
        'emr-spark',
        'cheapest',
      ],
      ...r.points.map((p) => [
        p.label,
        num(p.peakRate),
        num(p.lowRate),
        `${p.lowShards} → ${p.peakShards}`,
        usd(fleetOf(p.fleets, 'elastic').total),
        usd(fleetOf(p.fleets, 'static').total),
        usd(fleetOf(p.fleets, 'on-demand').total),
        usd(fleetOf(p.fleets, 'emr-spark').total),
        p.cheapest,
      ]),
    ]),
    '',
    'Elastic vs static (shard-hours; total with the scaler as it runs; total with the CloudWatch-reading scaler it replaced)',
    ...r.points.map(
      (p) =>
        `  ${p.label.padEnd(9)} ${pct(p.shardHourSaving)} fewer shard-hours; ${cheaperOrDearer(p.elasticSaving)}; ${cheaperOrDearer(p.elasticSavingAlternativeScaler)}`,
    ),
    '',
    ...scalerLines(r),
    '',
    ...emrLines(r),
    '',
    'Crossovers (peak rate at which the cheaper of two fleets changes)',
    ...(r.crossovers.length === 0
      ? ['  none in this range']
      : r.crossovers.map(
          (c) =>
            `  ~${num(c.peakRate)} rec/s: ${c.below} is cheaper below, ${c.above} above${c.peakRate < r.points[0]!.peakRate ? " (below the demo's scale)" : ''}`,
        )),
    `  with the CloudWatch-reading scaler it replaced: ${r.alternativeScalerCrossovers.map((c) => `~${num(c.peakRate)} rec/s: ${c.below} → ${c.above}`).join('; ') || 'no crossover of the elastic fleet'}`,
    '',
    `Lab check (EMR): ${r.emrCheck.staticInstanceHours} vs ${r.emrCheck.elasticInstanceHours} instance-hours → ${pct(r.emrCheck.savings)} saved (lab: ${pct(r.emrCheck.expected)}) ${r.emrCheck.ok ? 'OK' : 'MISMATCH'}`,
  ];
  return out.join('\n');
}

function scalerLines(r: ScalesReport): string[] {
  const first = fleetOf(r.points[0]!.fleets, 'elastic');
  const s = first.scaler!;
  const alt = first.alternativeScaler!;
  const staticFirst = fleetOf(r.points[0]!.fleets, 'static');
  const shardSaving = staticFirst.kinesis - first.kinesis;
  const lines = [
    `The scaler's own cost (inside the elastic totals), per day at the demo's scale:`,
    `  as it runs (${s.activity}): ${usd(s.total)} — Lambda ${usd(s.lambda)}, DynamoDB ${usd(s.dynamodb)} (its reads and memory, the producers' demand items), CloudWatch GetMetricData ${usd(s.cloudwatch)} (${num(s.cloudWatchMetricsPerDay)} metrics)`,
    `  the scaler it replaced (${alt.activity}): ${usd(alt.total)} — Lambda ${usd(alt.lambda)}, CloudWatch GetMetricData ${usd(alt.cloudwatch)} (${num(alt.cloudWatchMetricsPerDay)} metrics)`,
    `  the shard-hours elastic saves at the demo's scale are worth ${usd(shardSaving)}/day`,
  ];
  const dearer = r.points.filter((p) => p.elasticSaving < 0);
  if (dearer.length > 0)
    lines.push(
      `  The scaler's own cost makes the elastic fleet dearer than the static one at: ${dearer.map((p) => p.label).join(', ')} — ` +
        `the scaler costs ${usd(s.total)}/day (${usd(s.cloudwatch)} of it CloudWatch reads).`,
    );
  return lines;
}

function emrLines(r: ScalesReport): string[] {
  const a = r.assumptions.emr;
  return [
    `EMR Spark (the lab's design): the static stream read by 1 primary + N executors on ${a.instanceType}, all day, sized for the peak at the shards' target utilisation;`,
    `  no Lambda, DynamoDB or CloudWatch inventory. It would cost less than the elastic fleet only if one executor sustained more than:`,
    ...r.points.map(
      (p) =>
        `  ${p.label.padEnd(9)} ${Number.isFinite(p.emrBreakEvenExecutorRate) ? `${num(p.emrBreakEvenExecutorRate)} rec/s` : 'never (the stream and the primary node alone cost more)'}  (${fleetOf(p.fleets, 'emr-spark').executors} executor(s) at the assumed ${num(a.executorRecordsPerSecond)} rec/s)`,
    ),
  ];
}
