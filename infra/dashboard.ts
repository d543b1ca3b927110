/**
 * The CloudWatch dashboard `<prefix>`: the pipeline's own metrics
 * (namespace config.metricsNamespace, dimension Pipeline=<prefix>, names from
 * functions/core/metric-names.ts) next to the AWS service metrics where
 * AWS has them. `npm run dashboard` renders this very body locally, so it uses
 * plain metrics only (no math or search expressions).
 */
import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { resourceNames, type StreamscaleConfig } from '../functions/config';
import { Metric, PIPELINE_DIMENSION, type MetricName } from '../functions/core/metric-names';

/**
 * One minute: CloudWatch's standard resolution and what AWS service metrics
 * have. The viewer (console or `npm run dashboard`) can pick a finer period
 * for a short local demo.
 */
export const DASHBOARD_PERIOD = Duration.minutes(1);

export interface PipelineDashboardProps {
  config: StreamscaleConfig;
}

export class PipelineDashboard extends Construct {
  readonly dashboard: cw.Dashboard;

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    const { config } = props;
    const names = resourceNames(config.prefix);
    const period = DASHBOARD_PERIOD;

    const own = (metricName: MetricName, statistic: string, label: string) =>
      new cw.Metric({
        namespace: config.metricsNamespace,
        metricName,
        dimensionsMap: { [PIPELINE_DIMENSION]: config.prefix },
        statistic,
        period,
        label,
      });
    const kinesis = (metricName: string, statistic: string, label: string) =>
      new cw.Metric({
        namespace: 'AWS/Kinesis',
        metricName,
        dimensionsMap: { StreamName: names.stream },
        statistic,
        period,
        label,
      });
    const lambda = (functionName: string, metricName: string, statistic: string, label: string) =>
      new cw.Metric({
        namespace: 'AWS/Lambda',
        metricName,
        dimensionsMap: { FunctionName: functionName },
        statistic,
        period,
        label,
      });
    const dynamo = (tableName: string, metricName: string, statistic: string, label: string) =>
      new cw.Metric({
        namespace: 'AWS/DynamoDB',
        metricName,
        dimensionsMap: { TableName: tableName },
        statistic,
        period,
        label,
      });
    const graph = (
      title: string,
      left: cw.IMetric[],
      right: cw.IMetric[] = [],
      leftLabel?: string,
      rightLabel?: string,
    ) =>
      new cw.GraphWidget({
        title,
        left,
        right,
        width: 12,
        height: 6,
        period,
        leftYAxis: { min: 0, ...(leftLabel ? { label: leftLabel, showUnits: false } : {}) },
        rightYAxis: { min: 0, ...(rightLabel ? { label: rightLabel, showUnits: false } : {}) },
        legendPosition: cw.LegendPosition.BOTTOM,
      });

    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      dashboardName: names.dashboard,
      defaultInterval: Duration.minutes(30),
      periodOverride: cw.PeriodOverride.AUTO,
    });

    this.dashboard.addWidgets(
      new cw.TextWidget({
        width: 24,
        height: 4,
        markdown: [
          `# streamscale pipeline \`${config.prefix}\``,
          `Producers write to Kinesis stream \`${names.stream}\`; the consumer \`${names.consumerFunction}\` turns each batch into ` +
            `${config.windowing.windowSizeMs / 1000} s event-time window partials in \`${names.windowsTable}\`; the closer finalises windows ` +
            `once the watermark (max event time − ${config.windowing.allowedLatenessMs / 1000} s) passes them; the scaler moves shards and ` +
            'ParallelizationFactor from the measured load.',
          `Pipeline metrics: namespace \`${config.metricsNamespace}\`, dimension \`${PIPELINE_DIMENSION}=${config.prefix}\` (they exist on every cloud); ` +
            '`AWS/*` service metrics are shown next to them where the cloud publishes them. Counts are sums per period (1 min unless the viewer overrides it).',
        ].join('\n\n'),
      }),
    );

    this.dashboard.addWidgets(
      new cw.SingleValueWidget({
        title: 'Now',
        width: 24,
        height: 4,
        metrics: [
          own(Metric.IncomingRecords, 'Sum', 'Records in / period'),
          own(Metric.RecordsProcessed, 'Sum', 'Records processed / period'),
          own(Metric.ActualShards, 'Maximum', 'Shards'),
          own(Metric.ConsumerConcurrency, 'Maximum', 'Consumer concurrency'),
          own(Metric.ConsumerIteratorAge, 'Maximum', 'Iterator age (ms)'),
          own(Metric.WindowsClosed, 'Sum', 'Windows closed / period'),
          own(Metric.EstimatedCostPerHour, 'Average', 'Est. cost (USD/h)'),
        ],
        period,
      }),
    );

    this.dashboard.addWidgets(
      graph('Input rate (records / period)', [
        own(Metric.IncomingRecords, 'Sum', 'IncomingRecords (pipeline)'),
        kinesis('IncomingRecords', 'Sum', 'IncomingRecords (AWS/Kinesis)'),
      ]),
      graph('Processed rate (records / period)', [
        own(Metric.RecordsProcessed, 'Sum', 'RecordsProcessed'),
        own(Metric.IncomingRecords, 'Sum', 'IncomingRecords'),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Throttled writes (records / period)', [
        own(Metric.ThrottledRecords, 'Sum', 'ThrottledRecords (pipeline)'),
        kinesis(
          'WriteProvisionedThroughputExceeded',
          'Sum',
          'WriteProvisionedThroughputExceeded (AWS/Kinesis)',
        ),
      ]),
      graph('Shards', [
        own(Metric.ActualShards, 'Maximum', 'ActualShards'),
        own(Metric.DesiredShards, 'Maximum', 'DesiredShards'),
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        'Consumer concurrency and parallelization',
        [
          own(Metric.ConsumerConcurrency, 'Maximum', 'ConsumerConcurrency (shards × PF)'),
          lambda(
            names.consumerFunction,
            'ConcurrentExecutions',
            'Maximum',
            'ConcurrentExecutions (AWS/Lambda)',
          ),
        ],
        [
          own(Metric.ActualParallelization, 'Maximum', 'ActualParallelization'),
          own(Metric.DesiredParallelization, 'Maximum', 'DesiredParallelization'),
        ],
        'invocations',
        'ParallelizationFactor',
      ),
      graph(
        'Iterator age (ms)',
        [
          own(Metric.ConsumerIteratorAge, 'Maximum', 'ConsumerIteratorAge (pipeline)'),
          lambda(names.consumerFunction, 'IteratorAge', 'Maximum', 'IteratorAge (AWS/Lambda)'),
          kinesis(
            'GetRecords.IteratorAgeMilliseconds',
            'Maximum',
            'GetRecords.IteratorAgeMilliseconds (AWS/Kinesis)',
          ),
        ],
        [],
        'ms',
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Windows closed',
        [own(Metric.WindowsClosed, 'Sum', 'WindowsClosed')],
        [
          own(Metric.FinalLatency, 'Maximum', 'FinalLatency (ms)'),
          own(Metric.WatermarkLag, 'Maximum', 'WatermarkLag (ms)'),
        ],
        'windows',
        'ms',
      ),
      graph('Late and rejected records (records / period)', [
        own(Metric.LateRecords, 'Sum', 'LateRecords'),
        own(Metric.RecordsRejected, 'Sum', 'RecordsRejected'),
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        'DynamoDB consumed write capacity (WCU / period)',
        [names.windowsTable, names.controlTable, names.rejectsTable].map((t) =>
          dynamo(t, 'ConsumedWriteCapacityUnits', 'Sum', t),
        ),
      ),
      graph(
        'Scaling decisions',
        [own(Metric.ScalingActions, 'Sum', 'ScalingActions')],
        [
          own(Metric.DesiredShards, 'Maximum', 'DesiredShards'),
          own(Metric.DesiredParallelization, 'Maximum', 'DesiredParallelization'),
        ],
        'actions',
        'desired',
      ),
    );
    this.dashboard.addWidgets(
      graph('Estimated cost per hour (USD, list prices)', [
        own(Metric.EstimatedCostPerHour, 'Average', 'EstimatedCostPerHour'),
      ]),
      graph(
        'Errors and failed batches',
        [
          lambda(names.consumerFunction, 'Errors', 'Sum', `Errors ${names.consumerFunction}`),
          lambda(names.closerFunction, 'Errors', 'Sum', `Errors ${names.closerFunction}`),
          lambda(names.scalerFunction, 'Errors', 'Sum', `Errors ${names.scalerFunction}`),
        ],
        [
          new cw.Metric({
            namespace: 'AWS/SQS',
            metricName: 'ApproximateNumberOfMessagesVisible',
            dimensionsMap: { QueueName: names.failureQueue },
            statistic: 'Maximum',
            period,
            label: 'Failed batches queued',
          }),
        ],
        'errors',
        'messages',
      ),
    );
  }
}
