/**
 * What a recorded run used, as the cost analysis reads it.
 *
 * Input format: `reports/<timestamp>/metrics.json`, written by the demo
 * (`npm start`) — the `RunMetricsFile` interface below is the contract. One
 * sample per period, in time order; totals that are not time series
 * (Lambda, DynamoDB, CloudWatch) once per run. Unknown fields are ignored,
 * missing optional ones count as zero. `npm run cost -- --from/--to` builds
 * the same shape from CloudWatch instead (cloudwatch-usage.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface RunSample {
  /** Start of the period: ISO-8601 or epoch milliseconds. */
  t: string | number;
  /** Open shards during the period (ActualShards, or DescribeStreamSummary's OpenShardCount). */
  shards: number;
  /** ParallelizationFactor during the period. */
  parallelization?: number;
  /** Records Kinesis accepted in the period (Sum, not a rate). */
  incomingRecords: number;
  /** Payload bytes Kinesis accepted in the period. */
  incomingBytes: number;
  /** Put attempts answered ProvisionedThroughputExceeded in the period. */
  throttledRecords?: number;
  /** Records the producers re-sent in the period (so throttled − re-sent = demand that did not get in). */
  producerRetries?: number;
  /** Records the consumer processed in the period. */
  recordsProcessed?: number;
  /** Max iterator age in the period (ms). */
  iteratorAgeMs?: number;
}

export interface RunLambdaUsage {
  functionName: string;
  memoryMb: number;
  /** Invocations over the run (AWS/Lambda Invocations, Sum). */
  invocations: number;
  /** Sum of invocation durations over the run (AWS/Lambda Duration, Sum, ms). */
  durationMs: number;
}

export interface RunMetricsFile {
  /** Format version: 1. */
  version: 1;
  /** Pipeline prefix (resource names). */
  prefix?: string;
  /** ISO-8601. */
  startedAt: string;
  endedAt: string;
  /** Seconds each sample covers. */
  periodSeconds: number;
  samples: RunSample[];
  lambda?: RunLambdaUsage[];
  /** On-demand request units over the run (AWS/DynamoDB ConsumedWrite/ReadCapacityUnits, Sum over tables). */
  dynamodb?: { writeRequestUnits: number; readRequestUnits: number };
  /** What CloudWatch held and served during the run. */
  cloudwatch?: {
    /** Distinct custom metrics (name + dimension set) published. */
    customMetrics: number;
    /** Metrics requested through GetMetricData (each query counts once per call), by everyone. */
    getMetricDataMetricsRequested: number;
    /** Of those, the scaler's own reads (a static or on-demand fleet has no scaler); default 0. */
    getMetricDataMetricsRequestedByScaler?: number;
    dashboards: number;
    alarms: number;
  };
}

/** Normalised: times in epoch ms, every optional figure present. */
export interface RunUsage {
  source: string;
  prefix: string;
  startMs: number;
  endMs: number;
  periodSeconds: number;
  samples: Array<Required<Omit<RunSample, 't'>> & { t: number }>;
  lambda: RunLambdaUsage[];
  dynamodb: { writeRequestUnits: number; readRequestUnits: number };
  cloudwatch: {
    customMetrics: number;
    getMetricDataMetricsRequested: number;
    getMetricDataMetricsRequestedByScaler: number;
    dashboards: number;
    alarms: number;
  };
}

export class UsageError extends Error {}

const num = (v: unknown, what: string): number => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new UsageError(`${what} must be a number >= 0 (got ${JSON.stringify(v)})`);
  return v;
};
const opt = (v: unknown, what: string): number =>
  v === undefined || v === null ? 0 : num(v, what);
const time = (v: unknown, what: string): number => {
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms))
    throw new UsageError(`${what} must be ISO-8601 or epoch ms (got ${JSON.stringify(v)})`);
  return ms;
};

export function usageFromMetricsFile(raw: unknown, source: string): RunUsage {
  if (typeof raw !== 'object' || raw === null) throw new UsageError(`${source}: not a JSON object`);
  const f = raw as Partial<RunMetricsFile>;
  if (f.version !== 1)
    throw new UsageError(
      `${source}: unsupported "version" ${JSON.stringify(f.version)} (expected 1)`,
    );
  if (!Array.isArray(f.samples) || f.samples.length === 0)
    throw new UsageError(`${source}: "samples" must be a non-empty array`);
  const periodSeconds = num(f.periodSeconds, `${source}: periodSeconds`);
  if (periodSeconds <= 0) throw new UsageError(`${source}: periodSeconds must be > 0`);
  const samples = f.samples.map((s, i) => {
    const at = `${source}: samples[${i}]`;
    return {
      t: time(s.t, `${at}.t`),
      shards: num(s.shards, `${at}.shards`),
      parallelization: opt(s.parallelization, `${at}.parallelization`) || 1,
      incomingRecords: num(s.incomingRecords, `${at}.incomingRecords`),
      incomingBytes: num(s.incomingBytes, `${at}.incomingBytes`),
      throttledRecords: opt(s.throttledRecords, `${at}.throttledRecords`),
      producerRetries: opt(s.producerRetries, `${at}.producerRetries`),
      recordsProcessed: opt(s.recordsProcessed, `${at}.recordsProcessed`),
      iteratorAgeMs: opt(s.iteratorAgeMs, `${at}.iteratorAgeMs`),
    };
  });
  samples.sort((a, b) => a.t - b.t);
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  return {
    source,
    prefix: typeof f.prefix === 'string' ? f.prefix : 'streamscale',
    startMs: f.startedAt ? time(f.startedAt, `${source}: startedAt`) : first.t,
    endMs: f.endedAt ? time(f.endedAt, `${source}: endedAt`) : last.t + periodSeconds * 1000,
    periodSeconds,
    samples,
    lambda: (f.lambda ?? []).map((l, i) => ({
      functionName: String(l.functionName),
      memoryMb: num(l.memoryMb, `${source}: lambda[${i}].memoryMb`),
      invocations: num(l.invocations, `${source}: lambda[${i}].invocations`),
      durationMs: num(l.durationMs, `${source}: lambda[${i}].durationMs`),
    })),
    dynamodb: {
      writeRequestUnits: opt(
        f.dynamodb?.writeRequestUnits,
        `${source}: dynamodb.writeRequestUnits`,
      ),
      readRequestUnits: opt(f.dynamodb?.readRequestUnits, `${source}: dynamodb.readRequestUnits`),
    },
    cloudwatch: {
      customMetrics: opt(f.cloudwatch?.customMetrics, `${source}: cloudwatch.customMetrics`),
      getMetricDataMetricsRequested: opt(
        f.cloudwatch?.getMetricDataMetricsRequested,
        `${source}: cloudwatch.getMetricDataMetricsRequested`,
      ),
      getMetricDataMetricsRequestedByScaler: opt(
        f.cloudwatch?.getMetricDataMetricsRequestedByScaler,
        `${source}: cloudwatch.getMetricDataMetricsRequestedByScaler`,
      ),
      dashboards: opt(f.cloudwatch?.dashboards, `${source}: cloudwatch.dashboards`),
      alarms: opt(f.cloudwatch?.alarms, `${source}: cloudwatch.alarms`),
    },
  };
}

export const METRICS_FILE = 'metrics.json';

export async function loadRunUsage(runDir: string): Promise<RunUsage> {
  const path = join(runDir, METRICS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(
      `no ${METRICS_FILE} in ${runDir}: record a run with \`npm start\` (it writes reports/<timestamp>/${METRICS_FILE}), or pass --from/--to to read CloudWatch`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not valid JSON`);
  }
  return usageFromMetricsFile(json, path);
}
