/**
 * The cost model (pure): what a recorded run cost for three fleets, and a day
 * projected with the lab's profile.
 *
 *  - elastic:   the shards the run really had, period by period, plus everything
 *               it ran (the scaler included);
 *  - static:    the run's peak shard count for the whole run, no scaler;
 *  - on-demand: Kinesis on-demand mode (stream-hours and GB in/out), no scaler.
 * Lambda (consumer, closer), DynamoDB and CloudWatch do the same work in all
 * three, so they cost the same; only the stream and the scaler differ.
 *
 * Day projection: `lowHours` at the run's low rate and `peakHours` at its peak
 * rate, shards sized as the policy sizes them (rate / (per-shard capacity ×
 * target utilisation)) from the per-shard capacity measured in the run
 * (records/s one shard accepted while producers were being throttled).
 * The lab's EMR arithmetic is reproduced with the same profile function.
 */
import type { PriceTable } from '../../functions/core/cost/prices';
import type { RunUsage } from './run-usage';
import { dayProjection } from './pricing-day';
import { lines, onDemandData, profileUnitHours, runFigures, type RunFigures } from './pricing-run';

export { profileUnitHours } from './pricing-run';

export interface CostLines {
  kinesis: number;
  lambda: number;
  dynamodb: number;
  cloudwatch: number;
  total: number;
}

export interface FleetCost {
  fleet: 'elastic' | 'static' | 'on-demand';
  /** How the stream was sized, in words. */
  sizing: string;
  /** Shard-hours (provisioned) or stream-hours (on-demand). */
  streamHours: number;
  cost: CostLines;
}

export interface ProfileOptions {
  lowHours: number;
  peakHours: number;
  /** Target utilisation the fleets are sized at (the policy's). */
  targetUtilisation: number;
  minShards: number;
  /** Configured per-shard limits, used when the run never saturated a shard. */
  shardRecordsPerSecond: number;
  shardBytesPerSecond: number;
  /** Memory of the scaler function (for the one-decision-a-minute variant). */
  scalerMemoryMb: number;
  /** Metrics the scaler reads per decision (GetMetricData). */
  scalerMetricsPerDecision: number;
  /** Override the measured low / peak input rates (records/s). */
  lowRate?: number;
  peakRate?: number;
}

export interface DayProjection {
  lowHours: number;
  peakHours: number;
  lowRate: number;
  peakRate: number;
  lowRateSource: string;
  /** Records/s one shard carries at most, and where that number came from. */
  shardCapacity: number;
  shardCapacitySource: 'measured' | 'configured';
  lowShards: number;
  peakShards: number;
  fleets: FleetCost[];
  /** 1 − elastic/static, on shard-hours alone and on the total. */
  savingsShardHours: number;
  savingsTotal: number;
  /** What the scaler itself costs per projected day (its Lambda time and GetMetricData reads). */
  scalerCostPerDay: number;
  /**
   * The same elastic day with the scaler deciding once a minute (one short
   * invocation per scheduled run, ≤ 1 s each, as on AWS with tickSeconds =
   * scheduleSeconds = 60): its cost per day and the total saving then.
   */
  minuteScaler: { costPerDay: number; savingsTotal: number };
}

export interface EmrCheck {
  staticInstanceHours: number;
  elasticInstanceHours: number;
  savings: number;
  /** The lab's claim. */
  expected: number;
  ok: boolean;
}

export interface CostReport {
  source: string;
  prices: { region: string; asOf: string };
  runHours: number;
  records: number;
  avgRecordBytes: number;
  peakShards: number;
  run: FleetCost[];
  day: DayProjection;
  emrCheck: EmrCheck;
}

/** The lab's own arithmetic: 4 executors all day vs 1 for 20 h and 4 for 4 h. */
export function labEmrCheck(): EmrCheck {
  const staticInstanceHours = profileUnitHours(4, 4, 20, 4);
  const elasticInstanceHours = profileUnitHours(1, 4, 20, 4);
  const savings = 1 - elasticInstanceHours / staticInstanceHours;
  return {
    staticInstanceHours,
    elasticInstanceHours,
    savings,
    expected: 0.625,
    ok: Math.abs(savings - 0.625) < 1e-9,
  };
}

/** The run, three ways. */
function runFleets(f: RunFigures, prices: PriceTable): FleetCost[] {
  const k = prices.kinesis;
  return [
    {
      fleet: 'elastic',
      sizing: `shards as they were (1 sample per ${f.p} s), peak ${f.peakShards}`,
      streamHours: f.elasticShardHours,
      cost: lines(f.elasticShardHours * k.shardHour + f.putCost, f.lambdaAll, f.dynamo, f.cw),
    },
    {
      fleet: 'static',
      sizing: `${f.peakShards} shard(s) all the time (the run's peak)`,
      streamHours: f.peakShards * f.runHours,
      cost: lines(
        f.peakShards * f.runHours * k.shardHour + f.putCost,
        f.lambdaNoScaler,
        f.dynamo,
        f.cwNoScaler,
      ),
    },
    {
      fleet: 'on-demand',
      sizing: 'Kinesis on-demand mode',
      streamHours: f.runHours,
      cost: lines(
        f.runHours * k.onDemandStreamHour + onDemandData(f, prices, f.records, f.processed),
        f.lambdaNoScaler,
        f.dynamo,
        f.cwNoScaler,
      ),
    },
  ];
}

export function priceRun(usage: RunUsage, prices: PriceTable, opts: ProfileOptions): CostReport {
  const f = runFigures(usage, prices);
  return {
    source: usage.source,
    prices: { region: prices.region, asOf: prices.asOf },
    runHours: f.runHours,
    records: f.records,
    avgRecordBytes: f.avgRecordBytes,
    peakShards: f.peakShards,
    run: runFleets(f, prices),
    day: dayProjection(usage, prices, opts, f),
    emrCheck: labEmrCheck(),
  };
}
