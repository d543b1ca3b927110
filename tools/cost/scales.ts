/**
 * Cost across scales (pure): one day of the lab's shape (20 h low, 4 h at
 * 4 × low) priced at the demo's scale and larger ones, for four fleets —
 *
 *  - elastic:   provisioned shards following the load (low shards for the
 *               low hours, peak shards for the peak hours), plus the
 *               scaler's own Lambda time and reads, stated separately;
 *  - static:    provisioned shards for the peak, all day, no scaler;
 *  - on-demand: Kinesis on-demand mode (stream-hours, GB in and out);
 *  - emr-spark: the lab's design on AWS — the same static stream read by a
 *               static EMR Spark cluster sized for the peak (it replaces the
 *               consumer/closer Lambdas, DynamoDB and the CloudWatch
 *               inventory; Spark keeps window state in its executors).
 *
 * Shards are sized as the policy sizes them: ceil(rate / (per-shard
 * capacity × target utilisation)), with capacity the smaller of the record
 * and byte limits at the average record size.
 */
import type { PriceTable } from '../../functions/core/cost/prices';
import { profileUnitHours } from './pricing';
import {
  ALWAYS_ON,
  EMR_SPARK,
  LAB_DAY,
  WORK_PER_RECORD,
  type ScalerActivity,
} from './scale-assumptions';

export type FleetName = 'elastic' | 'static' | 'on-demand' | 'emr-spark';
export const FLEETS: readonly FleetName[] = ['elastic', 'static', 'on-demand', 'emr-spark'];

export interface ScalerCost {
  activity: string;
  lambda: number;
  cloudwatch: number;
  dynamodb: number;
  total: number;
  /** GetMetricData metrics requested per day. */
  cloudWatchMetricsPerDay: number;
}

export interface ScaleFleet {
  fleet: FleetName;
  total: number;
  kinesis: number;
  lambda: number;
  dynamodb: number;
  cloudwatch: number;
  /** EMR instances (EC2 + EMR uplift); emr-spark only. */
  emr: number;
  /** Shard-hours (provisioned), stream-hours (on-demand). */
  streamHours: number;
  sizing: string;
  /** elastic only: what the scaler costs, inside the totals above, and the same fleet with the cheap-signal scaler. */
  scaler?: ScalerCost;
  alternativeScaler?: ScalerCost & { fleetTotal: number };
  /** emr-spark only. */
  instanceType?: string;
  executors?: number;
  instanceHours?: number;
  executorRecordsPerSecond?: number;
}

export interface ScalePoint {
  label: string;
  peakRate: number;
  lowRate: number;
  recordsPerDay: number;
  lowShards: number;
  peakShards: number;
  fleets: ScaleFleet[];
  /** 1 − elastic/static shard-hours. */
  shardHourSaving: number;
  /** 1 − elastic/static total (negative: elastic dearer). */
  elasticSaving: number;
  /** The same with the alternative (cheap-signal) scaler. */
  elasticSavingAlternativeScaler: number;
  cheapest: FleetName;
}

export interface ScaleModel {
  prices: PriceTable;
  shardRecordsPerSecond: number;
  shardBytesPerSecond: number;
  targetUtilisation: number;
  minShards: number;
  scaler: ScalerActivity;
  alternativeScaler: ScalerActivity;
  executorRecordsPerSecond: number;
  avgRecordBytes?: number;
}

const GB = 1024 ** 3;

export function scalerCostPerDay(
  a: ScalerActivity,
  day: { shardHours: number; lowRate: number; peakRate: number },
  prices: PriceTable,
): ScalerCost {
  const { lowHours, peakHours } = LAB_DAY;
  const hours = lowHours + peakHours;
  const decisionsPerHour = 3_600 / a.tickSeconds;
  const lambda =
    ((a.invocationsPerHour * hours) / 1e6) * prices.lambda.requestsPerMillion +
    a.billedSecondsPerHour * hours * (a.memoryMb / 1024) * prices.lambda.gbSecond;
  const cloudWatchMetricsPerDay = decisionsPerHour * hours * a.cloudWatchMetricsPerDecision;
  const cloudwatch =
    (cloudWatchMetricsPerDay / 1000) * prices.cloudwatch.getMetricDataPerThousandMetrics;
  // Per-shard reads: shard-hours × decisions an hour = shard-decisions.
  const readUnits =
    day.shardHours * decisionsPerHour * a.dynamoReadUnitsPerShardPerDecision +
    hours * decisionsPerHour * a.dynamoReadUnitsPerDecision;
  const producers = (rate: number) => Math.ceil(rate / a.producerRecordsPerSecond);
  const producerHours = producers(day.lowRate) * lowHours + producers(day.peakRate) * peakHours;
  const writeUnits =
    hours * decisionsPerHour * a.dynamoWriteUnitsPerDecision +
    (a.producerHeartbeatSeconds > 0 ? (producerHours * 3_600) / a.producerHeartbeatSeconds : 0);
  const dynamodb =
    (readUnits / 1e6) * prices.dynamodb.readRequestUnitsPerMillion +
    (writeUnits / 1e6) * prices.dynamodb.writeRequestUnitsPerMillion;
  return {
    activity: a.name,
    lambda,
    cloudwatch,
    dynamodb,
    total: lambda + cloudwatch + dynamodb,
    cloudWatchMetricsPerDay,
  };
}

/** Shards for a rate, as the policy sizes them. */
export function shardsFor(rate: number, m: ScaleModel): number {
  const bytes = m.avgRecordBytes ?? WORK_PER_RECORD.avgRecordBytes;
  const perShard = Math.min(m.shardRecordsPerSecond, m.shardBytesPerSecond / bytes);
  return Math.max(m.minShards, Math.ceil(rate / (perShard * m.targetUtilisation)));
}

/** Costs every Lambda fleet shares: work per record, the closer, the CloudWatch inventory. */
function serverlessCommon(records: number, p: PriceTable) {
  const w = WORK_PER_RECORD;
  const hours = LAB_DAY.lowHours + LAB_DAY.peakHours;
  const consumer =
    ((records * w.consumerInvocationsPerRecord) / 1e6) * p.lambda.requestsPerMillion +
    ((records * w.consumerBilledMs) / 1000) * (w.consumerMemoryMb / 1024) * p.lambda.gbSecond;
  const closer =
    ((ALWAYS_ON.closerInvocationsPerHour * hours) / 1e6) * p.lambda.requestsPerMillion +
    ALWAYS_ON.closerBilledSecondsPerHour *
      hours *
      (ALWAYS_ON.closerMemoryMb / 1024) *
      p.lambda.gbSecond;
  const dynamodb =
    ((records * w.dynamoWriteUnits) / 1e6) * p.dynamodb.writeRequestUnitsPerMillion +
    ((records * w.dynamoReadUnits) / 1e6) * p.dynamodb.readRequestUnitsPerMillion;
  const cloudwatch =
    ((ALWAYS_ON.customMetrics * p.cloudwatch.customMetricMonth +
      ALWAYS_ON.dashboards * p.cloudwatch.dashboardMonth +
      ALWAYS_ON.alarms * p.cloudwatch.alarmMonth) /
      p.hoursPerMonth) *
    hours;
  return { lambda: consumer + closer, dynamodb, cloudwatch };
}

function fleet(
  name: FleetName,
  parts: Partial<Pick<ScaleFleet, 'kinesis' | 'lambda' | 'dynamodb' | 'cloudwatch' | 'emr'>>,
  rest: Omit<
    ScaleFleet,
    'fleet' | 'total' | 'kinesis' | 'lambda' | 'dynamodb' | 'cloudwatch' | 'emr'
  >,
): ScaleFleet {
  const c = { kinesis: 0, lambda: 0, dynamodb: 0, cloudwatch: 0, emr: 0, ...parts };
  return {
    fleet: name,
    total: c.kinesis + c.lambda + c.dynamodb + c.cloudwatch + c.emr,
    ...c,
    ...rest,
  };
}

/** The lab's design: the static stream read by a static EMR Spark cluster sized for the peak. */
function emrFleet(peakRate: number, stream: number, peakShards: number, m: ScaleModel): ScaleFleet {
  const hours = LAB_DAY.lowHours + LAB_DAY.peakHours;
  const executors = Math.max(
    1,
    Math.ceil(peakRate / (m.executorRecordsPerSecond * m.targetUtilisation)),
  );
  const instances = EMR_SPARK.primaryNodes + executors / EMR_SPARK.executorsPerInstance;
  const instanceHours = instances * hours;
  return fleet(
    'emr-spark',
    { kinesis: stream, emr: instanceHours * (EMR_SPARK.ec2Hour + EMR_SPARK.emrHour) },
    {
      streamHours: peakShards * hours,
      sizing: `${peakShards} shard(s) for ${hours} h; ${executors} executor(s) + ${EMR_SPARK.primaryNodes} primary on ${EMR_SPARK.instanceType} for ${hours} h`,
      instanceType: EMR_SPARK.instanceType,
      executors,
      instanceHours,
      executorRecordsPerSecond: m.executorRecordsPerSecond,
    },
  );
}

/** One day of the lab's shape at this peak rate, four fleets. */
export function priceScale(label: string, peakRate: number, m: ScaleModel): ScalePoint {
  const p = m.prices;
  const k = p.kinesis;
  const { lowHours, peakHours } = LAB_DAY;
  const hours = lowHours + peakHours;
  const lowRate = peakRate / LAB_DAY.peakOverLow;
  const records = (lowRate * lowHours + peakRate * peakHours) * 3_600;
  const bytes = m.avgRecordBytes ?? WORK_PER_RECORD.avgRecordBytes;
  const lowShards = shardsFor(lowRate, m);
  const peakShards = shardsFor(peakRate, m);
  const put =
    ((records * Math.max(1, Math.ceil(bytes / k.putPayloadUnitBytes))) / 1e6) *
    k.putPayloadUnitsPerMillion;
  const common = serverlessCommon(records, p);

  const elasticShardHours = profileUnitHours(lowShards, peakShards, lowHours, peakHours);
  const staticShardHours = profileUnitHours(peakShards, peakShards, lowHours, peakHours);
  const day = { shardHours: elasticShardHours, lowRate, peakRate };
  const scaler = scalerCostPerDay(m.scaler, day, p);
  const alt = scalerCostPerDay(m.alternativeScaler, day, p);
  const elastic = fleet(
    'elastic',
    {
      kinesis: elasticShardHours * k.shardHour + put,
      lambda: common.lambda + scaler.lambda,
      dynamodb: common.dynamodb + scaler.dynamodb,
      cloudwatch: common.cloudwatch + scaler.cloudwatch,
    },
    {
      streamHours: elasticShardHours,
      sizing: `${lowShards} shard(s) for ${lowHours} h, ${peakShards} for ${peakHours} h`,
      scaler,
      alternativeScaler: { ...alt, fleetTotal: 0 },
    },
  );
  elastic.alternativeScaler!.fleetTotal = elastic.total - scaler.total + alt.total;
  const staticFleet = fleet(
    'static',
    { kinesis: staticShardHours * k.shardHour + put, ...common },
    { streamHours: staticShardHours, sizing: `${peakShards} shard(s) for ${hours} h` },
  );
  const billed = Math.ceil(bytes / k.onDemandRecordRoundingBytes) * k.onDemandRecordRoundingBytes;
  const onDemand = fleet(
    'on-demand',
    {
      kinesis:
        hours * k.onDemandStreamHour +
        ((records * billed) / GB) * (k.onDemandDataInPerGb + k.onDemandDataOutPerGb),
      ...common,
    },
    { streamHours: hours, sizing: 'Kinesis on-demand mode' },
  );
  const emr = emrFleet(peakRate, staticShardHours * k.shardHour + put, peakShards, m);
  const fleets = [elastic, staticFleet, onDemand, emr];
  const cheapest = fleets.reduce((a, b) => (b.total < a.total ? b : a)).fleet;
  return {
    label,
    peakRate,
    lowRate,
    recordsPerDay: records,
    lowShards,
    peakShards,
    fleets,
    shardHourSaving: 1 - elasticShardHours / staticShardHours,
    elasticSaving: 1 - elastic.total / staticFleet.total,
    elasticSavingAlternativeScaler: 1 - elastic.alternativeScaler!.fleetTotal / staticFleet.total,
    cheapest,
  };
}

export const totalOf = (s: ScalePoint, f: FleetName): number =>
  s.fleets.find((x) => x.fleet === f)!.total;

export interface Crossover {
  /** Peak rate (records/s) where the two fleets cost the same. */
  peakRate: number;
  /** Cheaper below / above that rate. */
  below: FleetName;
  above: FleetName;
}

/**
 * Where two fleets swap places as the peak rate grows, searched on a fine
 * logarithmic grid between `fromRate` and `toRate` and refined by
 * bisection. Shard counts are whole numbers, so totals step: a crossover is
 * the first rate at which the order has flipped.
 */
export function crossovers(m: ScaleModel, fromRate: number, toRate: number): Crossover[] {
  const out: Crossover[] = [];
  const steps = 400;
  const at = (i: number) => fromRate * (toRate / fromRate) ** (i / steps);
  for (let a = 0; a < FLEETS.length; a++) {
    for (let b = a + 1; b < FLEETS.length; b++) {
      const fa = FLEETS[a]!;
      const fb = FLEETS[b]!;
      const diff = (rate: number) => {
        const s = priceScale('', rate, m);
        return totalOf(s, fa) - totalOf(s, fb);
      };
      let prev = diff(at(0));
      for (let i = 1; i <= steps; i++) {
        const d = diff(at(i));
        if (Math.sign(d) !== Math.sign(prev) && d !== 0 && prev !== 0) {
          let lo = at(i - 1);
          let hi = at(i);
          for (let j = 0; j < 40; j++) {
            const mid = Math.sqrt(lo * hi);
            if (Math.sign(diff(mid)) === Math.sign(prev)) lo = mid;
            else hi = mid;
          }
          out.push({ peakRate: hi, below: prev < 0 ? fa : fb, above: prev < 0 ? fb : fa });
        }
        prev = d;
      }
    }
  }
  return out.sort((x, y) => x.peakRate - y.peakRate);
}

/**
 * The per-executor rate above which the EMR Spark fleet would cost less
 * than the elastic one at this scale (Infinity: never, the stream alone
 * costs more) — the figure the EMR comparison hinges on, free of the
 * assumed rate.
 */
export function emrBreakEvenExecutorRate(s: ScalePoint, m: ScaleModel): number {
  const emr = s.fleets.find((f) => f.fleet === 'emr-spark')!;
  const hours = LAB_DAY.lowHours + LAB_DAY.peakHours;
  const budget = totalOf(s, 'elastic') - (emr.total - emr.emr);
  const instances = budget / (hours * (EMR_SPARK.ec2Hour + EMR_SPARK.emrHour));
  const executors = Math.floor(
    (instances - EMR_SPARK.primaryNodes) * EMR_SPARK.executorsPerInstance,
  );
  return executors < 1 ? Infinity : s.peakRate / (executors * m.targetUtilisation);
}
