/**
 * A run's usage read from CloudWatch for a time range (`npm run cost --
 * --from … --to …`), in the same shape as a recorded metrics.json: the
 * pipeline's own metrics (shards, input, throttles), AWS/Lambda per
 * function, AWS/DynamoDB per table, and the CloudWatch inventory (custom
 * metrics, dashboards, alarms of this pipeline).
 */
import {
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  ListDashboardsCommand,
  ListMetricsCommand,
  type CloudWatchClient,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { resourceNames, type StreamscaleConfig } from '../../functions/config';
import { Metric, PIPELINE_DIMENSION } from '../../functions/core/metric-names';
import { scalerMetricReads } from './cost-report';
import type { RunMetricsFile } from './run-usage';

interface Q {
  id: string;
  namespace: string;
  name: string;
  dims: Record<string, string>;
  stat: string;
}

async function fetchSeries(
  cw: CloudWatchClient,
  qs: Q[],
  fromMs: number,
  toMs: number,
  period: number,
) {
  const out = new Map<string, Map<number, number>>();
  for (let i = 0; i < qs.length; i += 400) {
    const batch = qs.slice(i, i + 400);
    let token: string | undefined;
    do {
      const res = await cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(fromMs),
          EndTime: new Date(toMs),
          NextToken: token,
          MetricDataQueries: batch.map((q): MetricDataQuery => ({
            Id: q.id,
            MetricStat: {
              Metric: {
                Namespace: q.namespace,
                MetricName: q.name,
                Dimensions: Object.entries(q.dims).map(([Name, Value]) => ({ Name, Value })),
              },
              Period: period,
              Stat: q.stat,
            },
          })),
        }),
      );
      for (const r of res.MetricDataResults ?? []) {
        const s = out.get(r.Id!) ?? new Map<number, number>();
        (r.Timestamps ?? []).forEach((t, j) => s.set(new Date(t).getTime(), r.Values?.[j] ?? 0));
        out.set(r.Id!, s);
      }
      token = res.NextToken;
    } while (token);
  }
  return out;
}

const total = (s: Map<number, number> | undefined) =>
  s ? [...s.values()].reduce((a, v) => a + v, 0) : 0;

type Names = ReturnType<typeof resourceNames>;

/** The series a run's usage is built from: the pipeline's own, AWS/Kinesis, AWS/Lambda, AWS/DynamoDB. */
function usageQueries(
  config: StreamscaleConfig,
  names: Names,
  functions: Array<[string, number]>,
  tables: string[],
): Q[] {
  const own = (id: string, name: string, stat: string): Q => ({
    id,
    namespace: config.metricsNamespace,
    name,
    dims: { [PIPELINE_DIMENSION]: config.prefix },
    stat,
  });
  const aws = (id: string, namespace: string, name: string, dims: Record<string, string>): Q => ({
    id,
    namespace,
    name,
    dims,
    stat: 'Sum',
  });
  return [
    own('shards', Metric.ActualShards, 'Average'),
    own('pf', Metric.ActualParallelization, 'Average'),
    own('rec', Metric.IncomingRecords, 'Sum'),
    own('bytes', Metric.IncomingBytes, 'Sum'),
    own('thr', Metric.ThrottledRecords, 'Sum'),
    own('retry', Metric.ProducerRetries, 'Sum'),
    own('proc', Metric.RecordsProcessed, 'Sum'),
    own('age', Metric.ConsumerIteratorAge, 'Maximum'),
    aws('krec', 'AWS/Kinesis', 'IncomingRecords', { StreamName: names.stream }),
    aws('kbytes', 'AWS/Kinesis', 'IncomingBytes', { StreamName: names.stream }),
    ...functions.flatMap(([fn], i): Q[] => [
      aws(`inv${i}`, 'AWS/Lambda', 'Invocations', { FunctionName: fn }),
      aws(`dur${i}`, 'AWS/Lambda', 'Duration', { FunctionName: fn }),
    ]),
    ...tables.flatMap((t, i): Q[] => [
      aws(`wcu${i}`, 'AWS/DynamoDB', 'ConsumedWriteCapacityUnits', { TableName: t }),
      aws(`rcu${i}`, 'AWS/DynamoDB', 'ConsumedReadCapacityUnits', { TableName: t }),
    ]),
  ];
}

/** One sample per period; shards and parallelization carry forward over gaps. */
function usageSamples(
  s: Map<string, Map<number, number>>,
  config: StreamscaleConfig,
  fromMs: number,
  toMs: number,
  periodSeconds: number,
): RunMetricsFile['samples'] {
  const ownInput = (s.get('rec')?.size ?? 0) > 0;
  const samples: RunMetricsFile['samples'] = [];
  let shards = config.stream.initialShards;
  let pf = config.consumer.parallelizationFactor;
  const p = periodSeconds * 1000;
  for (let t = Math.floor(fromMs / p) * p; t < toMs; t += p) {
    shards = s.get('shards')?.get(t) ?? shards;
    pf = s.get('pf')?.get(t) ?? pf;
    samples.push({
      t,
      shards: Math.round(shards),
      parallelization: Math.round(pf),
      incomingRecords: s.get(ownInput ? 'rec' : 'krec')?.get(t) ?? 0,
      incomingBytes: s.get(ownInput ? 'bytes' : 'kbytes')?.get(t) ?? 0,
      throttledRecords: s.get('thr')?.get(t) ?? 0,
      producerRetries: s.get('retry')?.get(t) ?? 0,
      recordsProcessed: s.get('proc')?.get(t) ?? 0,
      iteratorAgeMs: s.get('age')?.get(t) ?? 0,
    });
  }
  return samples;
}

/** CloudWatch inventory of this pipeline: its custom metrics, dashboards and alarms. */
async function inventory(cw: CloudWatchClient, config: StreamscaleConfig, names: Names) {
  let customMetrics = 0;
  let token: string | undefined;
  do {
    const r = await cw.send(
      new ListMetricsCommand({ Namespace: config.metricsNamespace, NextToken: token }),
    );
    customMetrics += (r.Metrics ?? []).filter((m) =>
      m.Dimensions?.some((d) => d.Name === PIPELINE_DIMENSION && d.Value === config.prefix),
    ).length;
    token = r.NextToken;
  } while (token);
  const dashboards =
    (await cw.send(new ListDashboardsCommand({ DashboardNamePrefix: names.dashboard })))
      .DashboardEntries?.length ?? 0;
  const alarms =
    (await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `${config.prefix}-` })))
      .MetricAlarms?.length ?? 0;
  return { customMetrics, dashboards, alarms };
}

export async function usageFromCloudWatch(
  cw: CloudWatchClient,
  config: StreamscaleConfig,
  fromMs: number,
  toMs: number,
  periodSeconds: number,
): Promise<RunMetricsFile> {
  const names = resourceNames(config.prefix);
  const functions: Array<[string, number]> = [
    [names.consumerFunction, config.consumer.memoryMb],
    [names.closerFunction, config.closer.memoryMb],
    [names.scalerFunction, config.scaler.memoryMb],
  ];
  const tables = [names.windowsTable, names.controlTable, names.rejectsTable];
  const qs = usageQueries(config, names, functions, tables);
  const s = await fetchSeries(cw, qs, fromMs, toMs, periodSeconds);
  const samples = usageSamples(s, config, fromMs, toMs, periodSeconds);
  const { customMetrics, dashboards, alarms } = await inventory(cw, config, names);
  // The scaler reads 11 metrics per tick; that is the pipeline's own GetMetricData use
  // (dashboard viewers' reads are not counted: CloudWatch does not report them).
  const runSeconds = (toMs - fromMs) / 1000;
  const scalerMetricsRequested = scalerMetricReads(runSeconds, config);

  return {
    version: 1,
    prefix: config.prefix,
    startedAt: new Date(fromMs).toISOString(),
    endedAt: new Date(toMs).toISOString(),
    periodSeconds,
    samples,
    lambda: functions.map(([fn, memoryMb], i) => ({
      functionName: fn,
      memoryMb,
      invocations: total(s.get(`inv${i}`)),
      durationMs: total(s.get(`dur${i}`)),
    })),
    dynamodb: {
      writeRequestUnits: tables.reduce((a, _, i) => a + total(s.get(`wcu${i}`)), 0),
      readRequestUnits: tables.reduce((a, _, i) => a + total(s.get(`rcu${i}`)), 0),
    },
    cloudwatch: {
      customMetrics,
      getMetricDataMetricsRequested: scalerMetricsRequested,
      getMetricDataMetricsRequestedByScaler: scalerMetricsRequested,
      dashboards,
      alarms,
    },
  };
}
