/**
 * The day projected with the lab's profile (pure): rates and shard counts
 * from the run (or given), the three fleets over a day, the scaler's own cost.
 */
import type { PriceTable } from '../../functions/core/cost/prices';
import { putPayloadUnits } from '../../functions/core/cost/hourly-rate';
import type { DayProjection, FleetCost, ProfileOptions } from './pricing';
import {
  isScaler,
  lambdaCost,
  lines,
  onDemandData,
  profileUnitHours,
  type RunFigures,
} from './pricing-run';
import type { RunUsage } from './run-usage';

/** Demand in records/s per sample: put attempts (accepted + throttled) minus re-sends, as the policy counts it. */
function demandRates(usage: RunUsage): number[] {
  return usage.samples.map(
    (s) =>
      Math.max(0, s.incomingRecords + s.throttledRecords - s.producerRetries) / usage.periodSeconds,
  );
}

const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Highest mean over any run of `n` consecutive samples (a sustained peak, not one burst). */
function sustainedPeak(rates: number[], n: number): number {
  if (rates.length <= n) return rates.reduce((a, r) => a + r, 0) / Math.max(1, rates.length);
  let sum = rates.slice(0, n).reduce((a, r) => a + r, 0);
  let best = sum;
  for (let i = n; i < rates.length; i++) {
    sum += rates[i]! - rates[i - n]!;
    best = Math.max(best, sum);
  }
  return best / n;
}

/** The day's rates and shard counts: measured in the run unless given. */
function daySizing(usage: RunUsage, opts: ProfileOptions, f: RunFigures) {
  const p = f.p;
  const rates = demandRates(usage);
  const saturated = usage.samples.filter((s) => s.throttledRecords > 0 && s.shards > 0);
  const byteCap = f.avgRecordBytes > 0 ? opts.shardBytesPerSecond / f.avgRecordBytes : Infinity;
  const measuredCap = median(saturated.map((s) => s.incomingRecords / p / s.shards));
  const shardCapacitySource: DayProjection['shardCapacitySource'] =
    saturated.length > 0 ? 'measured' : 'configured';
  const shardCapacity = Math.min(
    shardCapacitySource === 'measured' ? measuredCap : opts.shardRecordsPerSecond,
    byteCap,
  );
  const peakRate = opts.peakRate ?? sustainedPeak(rates, Math.max(1, Math.round(30 / p)));
  const lowCandidates = rates.filter((r) => r > 0 && r < peakRate / 2);
  const lowRate = opts.lowRate ?? (lowCandidates.length > 0 ? median(lowCandidates) : peakRate / 4);
  const lowRateSource =
    opts.lowRate !== undefined
      ? 'given'
      : lowCandidates.length > 0
        ? 'median of the run below half its peak'
        : 'peak / 4 (no low period in the run)';
  const perShard = shardCapacity * opts.targetUtilisation;
  const lowShards = Math.max(opts.minShards, Math.ceil(lowRate / perShard));
  const peakShardsDay = Math.max(opts.minShards, Math.ceil(peakRate / perShard));
  return {
    shardCapacity,
    shardCapacitySource,
    peakRate,
    lowRate,
    lowRateSource,
    lowShards,
    peakShardsDay,
  };
}

/** The day, lab profile, three ways; plus the scaler's own cost per hour and per day's reads. */
function dayFleets(
  usage: RunUsage,
  prices: PriceTable,
  opts: ProfileOptions,
  f: RunFigures,
  d: ReturnType<typeof daySizing>,
) {
  const k = prices.kinesis;
  const { records, runHours } = f;
  const dayHours = opts.lowHours + opts.peakHours;
  const dayRecords = (d.lowRate * opts.lowHours + d.peakRate * opts.peakHours) * 3600;
  // Work-proportional costs scale with records; fixed ones with hours.
  const perRecord = (x: number) => (records > 0 ? x / records : 0);
  const lambdaWork = lambdaCost(usage, prices, (n) => !isScaler(n));
  const scalerPerHour = runHours > 0 ? (f.lambdaAll - lambdaWork) / runHours : 0;
  const dayPut =
    ((dayRecords * putPayloadUnits(f.avgRecordBytes, prices)) / 1e6) * k.putPayloadUnitsPerMillion;
  const dayLambda = perRecord(lambdaWork) * dayRecords;
  const dayDynamo = perRecord(f.dynamo) * dayRecords;
  // Fixed per hour: the CloudWatch inventory (metrics, dashboards, alarms) and
  // the scaler's own reads. Other GetMetricData reads in a run are viewers
  // (the demo's live view, a dashboard left open): priced for the run, not
  // projected onto a day of the pipeline.
  const perRunHour = (x: number) => (runHours > 0 ? x / runHours : 0);
  const dayCwNoScaler = f.cwHourly * dayHours;
  const dayCwScaler = perRunHour(f.cwScaler) * dayHours;
  const { lowShards, peakShardsDay } = d;
  const elasticDayShardHours = profileUnitHours(
    lowShards,
    peakShardsDay,
    opts.lowHours,
    opts.peakHours,
  );
  const staticDayShardHours = profileUnitHours(
    peakShardsDay,
    peakShardsDay,
    opts.lowHours,
    opts.peakHours,
  );
  const fleets: FleetCost[] = [
    {
      fleet: 'elastic',
      sizing: `${lowShards} shard(s) for ${opts.lowHours} h, ${peakShardsDay} for ${opts.peakHours} h`,
      streamHours: elasticDayShardHours,
      cost: lines(
        elasticDayShardHours * k.shardHour + dayPut,
        dayLambda + scalerPerHour * dayHours,
        dayDynamo,
        dayCwNoScaler + dayCwScaler,
      ),
    },
    {
      fleet: 'static',
      sizing: `${peakShardsDay} shard(s) for ${dayHours} h`,
      streamHours: staticDayShardHours,
      cost: lines(staticDayShardHours * k.shardHour + dayPut, dayLambda, dayDynamo, dayCwNoScaler),
    },
    {
      fleet: 'on-demand',
      sizing: 'Kinesis on-demand mode',
      streamHours: dayHours,
      cost: lines(
        dayHours * k.onDemandStreamHour + onDemandData(f, prices, dayRecords, dayRecords),
        dayLambda,
        dayDynamo,
        dayCwNoScaler,
      ),
    },
  ];
  return { fleets, dayHours, scalerPerHour, dayCwScaler };
}

export function dayProjection(
  usage: RunUsage,
  prices: PriceTable,
  opts: ProfileOptions,
  f: RunFigures,
): DayProjection {
  const d = daySizing(usage, opts, f);
  const { fleets, dayHours, scalerPerHour, dayCwScaler } = dayFleets(usage, prices, opts, f, d);
  const [e, s] = fleets as [FleetCost, FleetCost, FleetCost];
  const scalerDay = scalerPerHour * dayHours + dayCwScaler;
  const decisionsPerDay = dayHours * 60;
  const minuteScalerDay =
    (decisionsPerDay / 1e6) * prices.lambda.requestsPerMillion +
    decisionsPerDay * 1 * (opts.scalerMemoryMb / 1024) * prices.lambda.gbSecond +
    ((decisionsPerDay * opts.scalerMetricsPerDecision) / 1000) *
      prices.cloudwatch.getMetricDataPerThousandMetrics;
  return {
    lowHours: opts.lowHours,
    peakHours: opts.peakHours,
    lowRate: d.lowRate,
    peakRate: d.peakRate,
    lowRateSource: d.lowRateSource,
    shardCapacity: d.shardCapacity,
    shardCapacitySource: d.shardCapacitySource,
    lowShards: d.lowShards,
    peakShards: d.peakShardsDay,
    fleets,
    savingsShardHours: 1 - e.streamHours / s.streamHours,
    savingsTotal: 1 - e.cost.total / s.cost.total,
    scalerCostPerDay: scalerPerHour * dayHours + dayCwScaler,
    minuteScaler: {
      costPerDay: minuteScalerDay,
      savingsTotal: 1 - (e.cost.total - scalerDay + minuteScalerDay) / s.cost.total,
    },
  };
}
