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
import { putPayloadUnits } from '../../functions/core/cost/hourly-rate';

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

const GB = 1024 ** 3;

/** Unit-hours of a fleet that runs `low` units for lowHours and `peak` units for peakHours. */
export function profileUnitHours(
  low: number,
  peak: number,
  lowHours: number,
  peakHours: number,
): number {
  return low * lowHours + peak * peakHours;
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

const lines = (
  kinesis: number,
  lambda: number,
  dynamodb: number,
  cloudwatch: number,
): CostLines => ({
  kinesis,
  lambda,
  dynamodb,
  cloudwatch,
  total: kinesis + lambda + dynamodb + cloudwatch,
});

const isScaler = (name: string) => /-scaler$/.test(name);

function lambdaCost(
  usage: RunUsage,
  prices: PriceTable,
  include: (name: string) => boolean,
): number {
  return usage.lambda
    .filter((l) => include(l.functionName))
    .reduce(
      (a, l) =>
        a +
        (l.invocations / 1e6) * prices.lambda.requestsPerMillion +
        (l.durationMs / 1000) * (l.memoryMb / 1024) * prices.lambda.gbSecond,
      0,
    );
}

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

export function priceRun(usage: RunUsage, prices: PriceTable, opts: ProfileOptions): CostReport {
  const p = usage.periodSeconds;
  const runHours = (usage.samples.length * p) / 3600;
  const records = usage.samples.reduce((a, s) => a + s.incomingRecords, 0);
  const bytes = usage.samples.reduce((a, s) => a + s.incomingBytes, 0);
  const processed = usage.samples.reduce((a, s) => a + s.recordsProcessed, 0) || records;
  const avgRecordBytes = records > 0 ? bytes / records : 0;
  const peakShards = Math.max(...usage.samples.map((s) => s.shards));
  const k = prices.kinesis;

  // ---- the run, three ways
  const putCost =
    ((records * putPayloadUnits(avgRecordBytes, prices)) / 1e6) * k.putPayloadUnitsPerMillion;
  const billedRecordBytes =
    Math.ceil(avgRecordBytes / k.onDemandRecordRoundingBytes) * k.onDemandRecordRoundingBytes;
  const onDemandData = (n: number, out: number) =>
    ((n * billedRecordBytes) / GB) * k.onDemandDataInPerGb +
    ((out * billedRecordBytes) / GB) * k.onDemandDataOutPerGb;
  const dynamo =
    (usage.dynamodb.writeRequestUnits / 1e6) * prices.dynamodb.writeRequestUnitsPerMillion +
    (usage.dynamodb.readRequestUnits / 1e6) * prices.dynamodb.readRequestUnitsPerMillion;
  const cwHourly =
    (usage.cloudwatch.customMetrics * prices.cloudwatch.customMetricMonth +
      usage.cloudwatch.dashboards * prices.cloudwatch.dashboardMonth +
      usage.cloudwatch.alarms * prices.cloudwatch.alarmMonth) /
    prices.hoursPerMonth;
  const gmd = (n: number) => (n / 1000) * prices.cloudwatch.getMetricDataPerThousandMetrics;
  const cwScaler = gmd(
    Math.min(
      usage.cloudwatch.getMetricDataMetricsRequestedByScaler,
      usage.cloudwatch.getMetricDataMetricsRequested,
    ),
  );
  const cw = cwHourly * runHours + gmd(usage.cloudwatch.getMetricDataMetricsRequested);
  const cwNoScaler = cw - cwScaler;
  const lambdaAll = lambdaCost(usage, prices, () => true);
  const lambdaNoScaler = lambdaCost(usage, prices, (n) => !isScaler(n));
  const elasticShardHours = usage.samples.reduce((a, s) => a + (s.shards * p) / 3600, 0);

  const run: FleetCost[] = [
    {
      fleet: 'elastic',
      sizing: `shards as they were (1 sample per ${p} s), peak ${peakShards}`,
      streamHours: elasticShardHours,
      cost: lines(elasticShardHours * k.shardHour + putCost, lambdaAll, dynamo, cw),
    },
    {
      fleet: 'static',
      sizing: `${peakShards} shard(s) all the time (the run's peak)`,
      streamHours: peakShards * runHours,
      cost: lines(
        peakShards * runHours * k.shardHour + putCost,
        lambdaNoScaler,
        dynamo,
        cwNoScaler,
      ),
    },
    {
      fleet: 'on-demand',
      sizing: 'Kinesis on-demand mode',
      streamHours: runHours,
      cost: lines(
        runHours * k.onDemandStreamHour + onDemandData(records, processed),
        lambdaNoScaler,
        dynamo,
        cwNoScaler,
      ),
    },
  ];

  // ---- the day, lab profile
  const rates = demandRates(usage);
  const saturated = usage.samples.filter((s) => s.throttledRecords > 0 && s.shards > 0);
  const byteCap = avgRecordBytes > 0 ? opts.shardBytesPerSecond / avgRecordBytes : Infinity;
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
  const dayHours = opts.lowHours + opts.peakHours;
  const dayRecords = (lowRate * opts.lowHours + peakRate * opts.peakHours) * 3600;
  // Work-proportional costs scale with records; fixed ones with hours.
  const perRecord = (x: number) => (records > 0 ? x / records : 0);
  const lambdaWork = lambdaCost(usage, prices, (n) => !isScaler(n));
  const scalerPerHour = runHours > 0 ? (lambdaAll - lambdaWork) / runHours : 0;
  const dayPut =
    ((dayRecords * putPayloadUnits(avgRecordBytes, prices)) / 1e6) * k.putPayloadUnitsPerMillion;
  const dayLambda = perRecord(lambdaWork) * dayRecords;
  const dayDynamo = perRecord(dynamo) * dayRecords;
  // Fixed per hour: the CloudWatch inventory (metrics, dashboards, alarms) and
  // the scaler's own reads. Other GetMetricData reads in a run are viewers
  // (the demo's live view, a dashboard left open): priced for the run, not
  // projected onto a day of the pipeline.
  const perRunHour = (x: number) => (runHours > 0 ? x / runHours : 0);
  const dayCwNoScaler = cwHourly * dayHours;
  const dayCwScaler = perRunHour(cwScaler) * dayHours;
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
  const dayFleets: FleetCost[] = [
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
        dayHours * k.onDemandStreamHour + onDemandData(dayRecords, dayRecords),
        dayLambda,
        dayDynamo,
        dayCwNoScaler,
      ),
    },
  ];
  const [e, s] = dayFleets as [FleetCost, FleetCost, FleetCost];
  const scalerDay = scalerPerHour * dayHours + dayCwScaler;
  const decisionsPerDay = dayHours * 60;
  const minuteScalerDay =
    (decisionsPerDay / 1e6) * prices.lambda.requestsPerMillion +
    decisionsPerDay * 1 * (opts.scalerMemoryMb / 1024) * prices.lambda.gbSecond +
    ((decisionsPerDay * opts.scalerMetricsPerDecision) / 1000) *
      prices.cloudwatch.getMetricDataPerThousandMetrics;
  return {
    source: usage.source,
    prices: { region: prices.region, asOf: prices.asOf },
    runHours,
    records,
    avgRecordBytes,
    peakShards,
    run,
    day: {
      lowHours: opts.lowHours,
      peakHours: opts.peakHours,
      lowRate,
      peakRate,
      lowRateSource,
      shardCapacity,
      shardCapacitySource,
      lowShards,
      peakShards: peakShardsDay,
      fleets: dayFleets,
      savingsShardHours: 1 - e.streamHours / s.streamHours,
      savingsTotal: 1 - e.cost.total / s.cost.total,
      scalerCostPerDay: scalerPerHour * dayHours + dayCwScaler,
      minuteScaler: {
        costPerDay: minuteScalerDay,
        savingsTotal: 1 - (e.cost.total - scalerDay + minuteScalerDay) / s.cost.total,
      },
    },
    emrCheck: labEmrCheck(),
  };
}
