/**
 * Reads the scaler's signals from CloudWatch with one GetMetricData call:
 * the pipeline's own metrics (Pipeline=<prefix>) and the service metrics
 * (AWS/Kinesis by StreamName, AWS/Lambda by FunctionName of the consumer),
 * over the last window in short periods. Turning them into rates is the pure
 * core's job (functions/core/scaling/collect.ts).
 */
import {
  GetMetricDataCommand,
  type CloudWatchClient,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import {
  signalsFromSeries,
  type ReadSignals,
  type Series,
  type SignalSeries,
  type SignalWindow,
} from '../core/scaling/collect';
import { Metric, PIPELINE_DIMENSION } from '../core/metric-names';

export interface SignalReaderOptions {
  namespace: string;
  prefix: string;
  streamName: string;
  consumerFunction: string;
  windowSeconds: number;
  periodSeconds: number;
  /** Read only these series (each metric requested is billed); all when absent. */
  only?: readonly (keyof SignalSeries)[];
}

type Key = keyof SignalSeries;

/** A metric's [namespace, dimension name, dimension value, metric name, statistic]. */
type MetricSpec = [string, string, string, string, string];

/** Where each series comes from: the pipeline's own metrics first, then the service metrics. */
function metricSpecs(o: SignalReaderOptions): Record<Key, MetricSpec> {
  const own = (name: string, stat: string): MetricSpec => [
    o.namespace,
    PIPELINE_DIMENSION,
    o.prefix,
    name,
    stat,
  ];
  const kinesis = (name: string): MetricSpec => [
    'AWS/Kinesis',
    'StreamName',
    o.streamName,
    name,
    'Sum',
  ];
  const lambda = (name: string, stat: string): MetricSpec => [
    'AWS/Lambda',
    'FunctionName',
    o.consumerFunction,
    name,
    stat,
  ];
  return {
    incomingRecords: own(Metric.IncomingRecords, 'Sum'),
    incomingBytes: own(Metric.IncomingBytes, 'Sum'),
    throttledRecords: own(Metric.ThrottledRecords, 'Sum'),
    producerRetries: own(Metric.ProducerRetries, 'Sum'),
    recordsProcessed: own(Metric.RecordsProcessed, 'Sum'),
    consumerIteratorAge: own(Metric.ConsumerIteratorAge, 'Maximum'),
    kinesisIncomingRecords: kinesis('IncomingRecords'),
    kinesisIncomingBytes: kinesis('IncomingBytes'),
    kinesisThrottled: kinesis('WriteProvisionedThroughputExceeded'),
    lambdaIteratorAge: lambda('IteratorAge', 'Maximum'),
    lambdaDuration: lambda('Duration', 'Sum'),
  };
}

function queries(o: SignalReaderOptions): Array<{ key: Key; query: MetricDataQuery }> {
  return Object.entries(metricSpecs(o))
    .filter(([key]) => !o.only || o.only.includes(key as Key))
    .map(([key, [namespace, dim, value, name, stat]]) => ({
      key: key as Key,
      query: {
        Id: key.toLowerCase(),
        MetricStat: {
          Metric: {
            Namespace: namespace,
            MetricName: name,
            Dimensions: [{ Name: dim, Value: value }],
          },
          Period: o.periodSeconds,
          Stat: stat,
        },
        ReturnData: true,
      },
    }));
}

/** The window: whole periods ending at the last period boundary before now. */
export function signalWindow(
  nowMs: number,
  windowSeconds: number,
  periodSeconds: number,
): SignalWindow {
  const p = periodSeconds * 1000;
  const endMs = Math.floor(nowMs / p) * p;
  return { startMs: endMs - Math.ceil(windowSeconds / periodSeconds) * p, endMs, periodSeconds };
}

export async function readSignals(
  cw: CloudWatchClient,
  o: SignalReaderOptions,
  nowMs: number,
): Promise<ReadSignals> {
  const w = signalWindow(nowMs, o.windowSeconds, o.periodSeconds);
  const qs = queries(o);
  const byId = new Map(qs.map((q) => [q.query.Id!, q.key]));
  const series: SignalSeries = {};
  let token: string | undefined;
  do {
    const res = await cw.send(
      new GetMetricDataCommand({
        MetricDataQueries: qs.map((q) => q.query),
        StartTime: new Date(w.startMs),
        EndTime: new Date(w.endMs),
        ScanBy: 'TimestampAscending',
        NextToken: token,
      }),
    );
    for (const r of res.MetricDataResults ?? []) {
      const key = r.Id ? byId.get(r.Id) : undefined;
      if (!key) continue;
      const s: Series = series[key] ?? new Map();
      (r.Timestamps ?? []).forEach((ts, i) => {
        const v = r.Values?.[i];
        if (v !== undefined && Number.isFinite(v)) s.set(new Date(ts).getTime(), v);
      });
      series[key] = s;
    }
    token = res.NextToken;
  } while (token);
  return signalsFromSeries(series, w);
}
