/**
 * Watches a running pipeline the way any client would: CloudWatch
 * GetMetricData (the pipeline's own namespace and the AWS/* service
 * metrics), Kinesis DescribeStreamSummary, Lambda ListEventSourceMappings and
 * the control table (watermark, scaler state). Used by the demo, the
 * end-to-end test and the bench. Adapter only: no formatting here.
 */
import {
  GetMetricDataCommand,
  type CloudWatchClient,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { ListEventSourceMappingsCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { resourceNames, type ResourceNames, type StreamscaleConfig } from '../../functions/config';
import type { LastDecision } from '../../functions/store/scaler-state-store';
import {
  GLOBAL_SK,
  SCALER_PK,
  SCALER_SK,
  WATERMARK_PK,
  type GlobalWatermarkItem,
} from '../../functions/core/table-layout';
import { Metric, PIPELINE_DIMENSION } from '../../functions/core/metric-names';

export interface PipelineClients {
  cloudwatch: CloudWatchClient;
  dynamo: DynamoDBClient;
  kinesis: KinesisClient;
  lambda: LambdaClient;
}

/** Point-in-time state read from the APIs (not metrics). */
export interface StateSample {
  t: number;
  shards?: number;
  parallelization?: number;
  watermark?: number;
  closedThrough?: number;
  lastDecision?: LastDecision;
}

/** A named time series: [epoch ms, value]. */
export type Series = Array<[number, number]>;

/** The series the demo shows and records; key → what to ask CloudWatch. */
export interface SeriesSpec {
  key: string;
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  stat: string;
}

export function seriesSpecs(config: StreamscaleConfig): SeriesSpec[] {
  const ns = config.metricsNamespace;
  const names = resourceNames(config.prefix);
  const own = (key: string, metric: string, stat: string): SeriesSpec => ({
    key,
    namespace: ns,
    metric,
    dimensions: { [PIPELINE_DIMENSION]: config.prefix },
    stat,
  });
  const fn = (key: string, metric: string, functionName: string, stat: string): SeriesSpec => ({
    key,
    namespace: 'AWS/Lambda',
    metric,
    dimensions: { FunctionName: functionName },
    stat,
  });
  return [
    own('incomingRecords', Metric.IncomingRecords, 'Sum'),
    own('incomingBytes', Metric.IncomingBytes, 'Sum'),
    own('throttledRecords', Metric.ThrottledRecords, 'Sum'),
    own('producerRetries', Metric.ProducerRetries, 'Sum'),
    own('recordsProcessed', Metric.RecordsProcessed, 'Sum'),
    own('recordsRejected', Metric.RecordsRejected, 'Sum'),
    own('lateRecords', Metric.LateRecords, 'Sum'),
    own('windowsClosed', Metric.WindowsClosed, 'Sum'),
    own('iteratorAgeMs', Metric.ConsumerIteratorAge, 'Maximum'),
    own('provisionalLatencyP95', Metric.ProvisionalLatency, 'p95'),
    own('finalLatencyP95', Metric.FinalLatency, 'p95'),
    own('actualShards', Metric.ActualShards, 'Maximum'),
    own('desiredShards', Metric.DesiredShards, 'Maximum'),
    own('actualParallelization', Metric.ActualParallelization, 'Maximum'),
    own('consumerConcurrency', Metric.ConsumerConcurrency, 'Maximum'),
    own('scalingActions', Metric.ScalingActions, 'Sum'),
    {
      key: 'kinesisIteratorAgeMs',
      namespace: 'AWS/Kinesis',
      metric: 'GetRecords.IteratorAgeMilliseconds',
      dimensions: { StreamName: names.stream },
      stat: 'Maximum',
    },
    {
      key: 'kinesisThrottled',
      namespace: 'AWS/Kinesis',
      metric: 'WriteProvisionedThroughputExceeded',
      dimensions: { StreamName: names.stream },
      stat: 'Sum',
    },
    fn('consumerConcurrentExecutions', 'ConcurrentExecutions', names.consumerFunction, 'Maximum'),
    fn('consumerInvocations', 'Invocations', names.consumerFunction, 'Sum'),
    fn('consumerDurationMs', 'Duration', names.consumerFunction, 'Sum'),
    fn('closerInvocations', 'Invocations', names.closerFunction, 'Sum'),
    fn('closerDurationMs', 'Duration', names.closerFunction, 'Sum'),
    fn('scalerInvocations', 'Invocations', names.scalerFunction, 'Sum'),
    fn('scalerDurationMs', 'Duration', names.scalerFunction, 'Sum'),
    ...[names.windowsTable, names.controlTable, names.rejectsTable].flatMap((t) => [
      {
        key: `ddbWrite:${t}`,
        namespace: 'AWS/DynamoDB',
        metric: 'ConsumedWriteCapacityUnits',
        dimensions: { TableName: t },
        stat: 'Sum',
      },
      {
        key: `ddbRead:${t}`,
        namespace: 'AWS/DynamoDB',
        metric: 'ConsumedReadCapacityUnits',
        dimensions: { TableName: t },
        stat: 'Sum',
      },
    ]),
  ];
}

export class PipelineObserver {
  readonly names: ResourceNames;
  private readonly specs: SeriesSpec[];
  private mappingUuid?: string;
  /** GetMetricData metric queries made (for the cost analysis' CloudWatch figure). */
  metricsRequested = 0;

  constructor(
    private readonly clients: PipelineClients,
    private readonly config: StreamscaleConfig,
  ) {
    this.names = resourceNames(config.prefix);
    this.specs = seriesSpecs(config);
  }

  /** Every series over [startMs, endMs) in `periodS` buckets. Missing metrics give empty series. */
  async series(startMs: number, endMs: number, periodS: number): Promise<Record<string, Series>> {
    const out: Record<string, Series> = {};
    for (let i = 0; i < this.specs.length; i += 100) {
      const chunk = this.specs.slice(i, i + 100);
      const queries: MetricDataQuery[] = chunk.map((s, k) => ({
        Id: `q${i + k}`,
        MetricStat: {
          Metric: {
            Namespace: s.namespace,
            MetricName: s.metric,
            Dimensions: Object.entries(s.dimensions).map(([Name, Value]) => ({ Name, Value })),
          },
          Period: periodS,
          Stat: s.stat,
        },
      }));
      let next: string | undefined;
      do {
        const res = await this.clients.cloudwatch.send(
          new GetMetricDataCommand({
            StartTime: new Date(startMs),
            EndTime: new Date(endMs),
            MetricDataQueries: queries,
            ScanBy: 'TimestampAscending',
            NextToken: next,
          }),
        );
        this.metricsRequested += queries.length;
        for (const r of res.MetricDataResults ?? []) {
          const spec = chunk[Number(r.Id!.slice(1)) - i]!;
          const pts = (r.Timestamps ?? []).map((t, k): [number, number] => [
            new Date(t).getTime(),
            r.Values?.[k] ?? 0,
          ]);
          out[spec.key] = [...(out[spec.key] ?? []), ...pts].sort((a, b) => a[0] - b[0]);
        }
        next = res.NextToken;
      } while (next);
    }
    for (const s of this.specs) out[s.key] ??= [];
    return out;
  }

  /** Shards, parallelization, watermark and the scaler's last decision, now. */
  async state(): Promise<StateSample> {
    const sample: StateSample = { t: Date.now() };
    const [stream, mapping, wm, scaler] = await Promise.allSettled([
      this.clients.kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: this.names.stream }),
      ),
      this.clients.lambda.send(
        new ListEventSourceMappingsCommand({ FunctionName: this.names.consumerFunction }),
      ),
      this.getItem(this.names.controlTable, WATERMARK_PK, GLOBAL_SK),
      this.getItem(this.names.controlTable, SCALER_PK, SCALER_SK),
    ]);
    if (stream.status === 'fulfilled')
      sample.shards = stream.value.StreamDescriptionSummary?.OpenShardCount;
    if (mapping.status === 'fulfilled') {
      const m =
        mapping.value.EventSourceMappings?.find((x) =>
          (x.EventSourceArn ?? '').endsWith(`/${this.names.stream}`),
        ) ?? mapping.value.EventSourceMappings?.[0];
      this.mappingUuid = m?.UUID ?? this.mappingUuid;
      sample.parallelization = m?.ParallelizationFactor;
    }
    if (wm.status === 'fulfilled' && wm.value) {
      const g = wm.value as unknown as GlobalWatermarkItem;
      sample.watermark = g.watermark;
      sample.closedThrough = g.closedThrough;
    }
    if (scaler.status === 'fulfilled' && scaler.value)
      sample.lastDecision = (scaler.value as { lastDecision?: LastDecision }).lastDecision;
    return sample;
  }

  private async getItem(
    table: string,
    pk: string,
    sk: string,
  ): Promise<Record<string, unknown> | undefined> {
    const out = await this.clients.dynamo.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: pk }, sk: { S: sk } },
        ConsistentRead: true,
      }),
    );
    return out.Item ? unmarshall(out.Item) : undefined;
  }
}

/** Sum of a series' values. */
export const seriesSum = (s: Series | undefined): number =>
  (s ?? []).reduce((a, [, v]) => a + v, 0);
/** Value of the bucket that starts at or before `t`, latest first. */
export function latestAtOrBefore(s: Series | undefined, t: number): number | undefined {
  let v: number | undefined;
  for (const [x, y] of s ?? []) if (x <= t) v = y;
  return v;
}
