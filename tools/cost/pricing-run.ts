/**
 * The recorded run's totals and the cost lines every fleet shares (pure);
 * split from pricing.ts, which prices the fleets from them.
 */
import type { PriceTable } from '../../functions/core/cost/prices';
import { putPayloadUnits } from '../../functions/core/cost/hourly-rate';
import type { CostLines } from './pricing';
import type { RunUsage } from './run-usage';

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

export const lines = (
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

export const isScaler = (name: string) => /-scaler$/.test(name);

export function lambdaCost(
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

/** The run's totals and the cost lines every fleet shares. */
export interface RunFigures {
  p: number;
  runHours: number;
  records: number;
  processed: number;
  avgRecordBytes: number;
  peakShards: number;
  putCost: number;
  billedRecordBytes: number;
  dynamo: number;
  cwHourly: number;
  cwScaler: number;
  cw: number;
  cwNoScaler: number;
  lambdaAll: number;
  lambdaNoScaler: number;
  elasticShardHours: number;
}

export function runFigures(usage: RunUsage, prices: PriceTable): RunFigures {
  const p = usage.periodSeconds;
  const runHours = (usage.samples.length * p) / 3600;
  const records = usage.samples.reduce((a, s) => a + s.incomingRecords, 0);
  const bytes = usage.samples.reduce((a, s) => a + s.incomingBytes, 0);
  const processed = usage.samples.reduce((a, s) => a + s.recordsProcessed, 0) || records;
  const avgRecordBytes = records > 0 ? bytes / records : 0;
  const peakShards = Math.max(...usage.samples.map((s) => s.shards));
  const k = prices.kinesis;
  const putCost =
    ((records * putPayloadUnits(avgRecordBytes, prices)) / 1e6) * k.putPayloadUnitsPerMillion;
  const billedRecordBytes =
    Math.ceil(avgRecordBytes / k.onDemandRecordRoundingBytes) * k.onDemandRecordRoundingBytes;
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
  return {
    p,
    runHours,
    records,
    processed,
    avgRecordBytes,
    peakShards,
    putCost,
    billedRecordBytes,
    dynamo,
    cwHourly,
    cwScaler,
    cw,
    cwNoScaler: cw - cwScaler,
    lambdaAll: lambdaCost(usage, prices, () => true),
    lambdaNoScaler: lambdaCost(usage, prices, (n) => !isScaler(n)),
    elasticShardHours: usage.samples.reduce((a, s) => a + (s.shards * p) / 3600, 0),
  };
}

/** On-demand data charges for `n` records in and `out` records out, each rounded up as billed. */
export function onDemandData(f: RunFigures, prices: PriceTable, n: number, out: number): number {
  const k = prices.kinesis;
  return (
    ((n * f.billedRecordBytes) / GB) * k.onDemandDataInPerGb +
    ((out * f.billedRecordBytes) / GB) * k.onDemandDataOutPerGb
  );
}
