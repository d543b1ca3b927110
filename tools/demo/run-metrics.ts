/**
 * The run's time series as `reports/<timestamp>/metrics.json` — the format
 * the cost analysis reads (tools/cost/run-usage.ts RunMetricsFile) — built
 * from the CloudWatch series and the shard/parallelization samples the demo
 * took. Pure.
 */
import type { RunLambdaUsage, RunMetricsFile, RunSample } from '../cost/run-usage';
import type { Series, StateSample } from './pipeline-observer';

export interface RunMetricsInput {
  prefix: string;
  startMs: number;
  endMs: number;
  periodSeconds: number;
  series: Record<string, Series>;
  states: StateSample[];
  lambdaMemoryMb: { consumer: number; closer: number; scaler: number };
  functionNames: { consumer: string; closer: string; scaler: string };
  tables: string[];
  customMetrics: number;
  getMetricDataMetricsRequested: number;
  /** the part of it the scaler made */
  getMetricDataMetricsRequestedByScaler?: number;
  dashboards: number;
  alarms: number;
}

const at = (s: Series | undefined, t: number): number | undefined => s?.find(([x]) => x === t)?.[1];
const sum = (s: Series | undefined): number => (s ?? []).reduce((a, [, v]) => a + v, 0);

/** Max of a state field over samples taken in [t, t + period), else the last one before t. */
function stateIn(
  states: StateSample[],
  t: number,
  periodMs: number,
  field: 'shards' | 'parallelization',
): number | undefined {
  const inside = states
    .filter((s) => s.t >= t && s.t < t + periodMs && s[field] !== undefined)
    .map((s) => s[field]!);
  if (inside.length > 0) return Math.max(...inside);
  const before = states.filter((s) => s.t < t && s[field] !== undefined);
  return before.length > 0 ? before[before.length - 1]![field] : undefined;
}

export function buildRunMetrics(i: RunMetricsInput): RunMetricsFile {
  const periodMs = i.periodSeconds * 1000;
  const first = Math.floor(i.startMs / periodMs) * periodMs;
  const samples: RunSample[] = [];
  let lastShards = 1;
  let lastPf = 1;
  for (let t = first; t < i.endMs; t += periodMs) {
    const shards =
      stateIn(i.states, t, periodMs, 'shards') ?? at(i.series.actualShards, t) ?? lastShards;
    const pf =
      stateIn(i.states, t, periodMs, 'parallelization') ??
      at(i.series.actualParallelization, t) ??
      lastPf;
    lastShards = shards;
    lastPf = pf;
    samples.push({
      t: new Date(t).toISOString(),
      shards,
      parallelization: pf,
      incomingRecords: at(i.series.incomingRecords, t) ?? 0,
      incomingBytes: at(i.series.incomingBytes, t) ?? 0,
      throttledRecords: at(i.series.throttledRecords, t) ?? 0,
      producerRetries: at(i.series.producerRetries, t) ?? 0,
      recordsProcessed: at(i.series.recordsProcessed, t) ?? 0,
      iteratorAgeMs: at(i.series.iteratorAgeMs, t) ?? at(i.series.kinesisIteratorAgeMs, t) ?? 0,
    });
  }
  const lambda: RunLambdaUsage[] = (['consumer', 'closer', 'scaler'] as const).map((f) => ({
    functionName: i.functionNames[f],
    memoryMb: i.lambdaMemoryMb[f],
    invocations: sum(i.series[`${f}Invocations`]),
    durationMs: sum(i.series[`${f}DurationMs`]),
  }));
  return {
    version: 1,
    prefix: i.prefix,
    startedAt: new Date(i.startMs).toISOString(),
    endedAt: new Date(i.endMs).toISOString(),
    periodSeconds: i.periodSeconds,
    samples,
    lambda,
    dynamodb: {
      writeRequestUnits: i.tables.reduce((a, t) => a + sum(i.series[`ddbWrite:${t}`]), 0),
      readRequestUnits: i.tables.reduce((a, t) => a + sum(i.series[`ddbRead:${t}`]), 0),
    },
    cloudwatch: {
      customMetrics: i.customMetrics,
      getMetricDataMetricsRequested: i.getMetricDataMetricsRequested,
      ...(i.getMetricDataMetricsRequestedByScaler !== undefined
        ? { getMetricDataMetricsRequestedByScaler: i.getMetricDataMetricsRequestedByScaler }
        : {}),
      dashboards: i.dashboards,
      alarms: i.alarms,
    },
  };
}
