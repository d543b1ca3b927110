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
}

type Key = keyof SignalSeries;

function queries(o: SignalReaderOptions): Array<{ key: Key; query: MetricDataQuery }> {
  const own = (key: Key, name: string, stat: string) => ({
    key,
    query: {
      Id: key.toLowerCase(),
      MetricStat: {
        Metric: {
          Namespace: o.namespace,
          MetricName: name,
          Dimensions: [{ Name: PIPELINE_DIMENSION, Value: o.prefix }],
        },
        Period: o.periodSeconds,
        Stat: stat,
      },
      ReturnData: true,
    },
  });
  const service = (
    key: Key,
    namespace: string,
    dim: string,
    value: string,
    name: string,
    stat: string,
  ) => ({
    key,
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
  });
  return [
    own('incomingRecords', Metric.IncomingRecords, 'Sum'),
    own('incomingBytes', Metric.IncomingBytes, 'Sum'),
    own('throttledRecords', Metric.ThrottledRecords, 'Sum'),
    own('producerRetries', Metric.ProducerRetries, 'Sum'),
    own('recordsProcessed', Metric.RecordsProcessed, 'Sum'),
    own('consumerIteratorAge', Metric.ConsumerIteratorAge, 'Maximum'),
    service(
      'kinesisIncomingRecords',
      'AWS/Kinesis',
      'StreamName',
      o.streamName,
      'IncomingRecords',
      'Sum',
    ),
    service(
      'kinesisIncomingBytes',
      'AWS/Kinesis',
      'StreamName',
      o.streamName,
      'IncomingBytes',
      'Sum',
    ),
    service(
      'kinesisThrottled',
      'AWS/Kinesis',
      'StreamName',
      o.streamName,
      'WriteProvisionedThroughputExceeded',
      'Sum',
    ),
    service(
      'lambdaIteratorAge',
      'AWS/Lambda',
      'FunctionName',
      o.consumerFunction,
      'IteratorAge',
      'Maximum',
    ),
    service('lambdaDuration', 'AWS/Lambda', 'FunctionName', o.consumerFunction, 'Duration', 'Sum'),
  ];
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
