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
import { Metric, PIPELINE_DIMENSION } from '../functions/core/metric-names';
import { DashboardParts } from './dashboard-parts';

/**
 * One minute: CloudWatch's standard resolution and what AWS service metrics
 * have. The viewer (console or `npm run dashboard`) can pick a finer period
 * for a short local demo.
 */
export const DASHBOARD_PERIOD = Duration.minutes(1);

export interface PipelineDashboardProps {
  config: StreamscaleConfig;
}

type Names = ReturnType<typeof resourceNames>;

export class PipelineDashboard extends Construct {
  readonly dashboard: cw.Dashboard;

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    const { config } = props;
    const names = resourceNames(config.prefix);
    const parts = new DashboardParts(config, DASHBOARD_PERIOD, names.stream);

    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      dashboardName: names.dashboard,
      defaultInterval: Duration.minutes(30),
      periodOverride: cw.PeriodOverride.AUTO,
    });
    // One addWidgets call per row: each row starts below the one before.
    this.dashboard.addWidgets(introduction(config, names));
    this.dashboard.addWidgets(nowRow(parts));
    for (const row of [...flowRows(parts, names), ...outcomeRows(parts, names)])
      this.dashboard.addWidgets(...row);
  }
}

function introduction(config: StreamscaleConfig, names: Names): cw.TextWidget {
  return new cw.TextWidget({
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
  });
}

function nowRow(p: DashboardParts): cw.SingleValueWidget {
  return new cw.SingleValueWidget({
    title: 'Now',
    width: 24,
    height: 4,
    metrics: [
      p.own(Metric.IncomingRecords, 'Sum', 'Records in / period'),
      p.own(Metric.RecordsProcessed, 'Sum', 'Records processed / period'),
      p.own(Metric.ActualShards, 'Maximum', 'Shards'),
      p.own(Metric.ConsumerConcurrency, 'Maximum', 'Consumer concurrency'),
      p.own(Metric.ConsumerIteratorAge, 'Maximum', 'Iterator age (ms)'),
      p.own(Metric.WindowsClosed, 'Sum', 'Windows closed / period'),
      p.own(Metric.EstimatedCostPerHour, 'Average', 'Est. cost (USD/h)'),
    ],
    period: p.period,
  });
}

/** Rows of the records' way through: rates, throttling, shards, concurrency, iterator age. */
function flowRows(p: DashboardParts, names: Names): cw.IWidget[][] {
  return [
    [
      p.graph('Input rate (records / period)', [
        p.own(Metric.IncomingRecords, 'Sum', 'IncomingRecords (pipeline)'),
        p.kinesis('IncomingRecords', 'Sum', 'IncomingRecords (AWS/Kinesis)'),
      ]),
      p.graph('Processed rate (records / period)', [
        p.own(Metric.RecordsProcessed, 'Sum', 'RecordsProcessed'),
        p.own(Metric.IncomingRecords, 'Sum', 'IncomingRecords'),
      ]),
    ],
    [
      p.graph('Throttled writes (records / period)', [
        p.own(Metric.ThrottledRecords, 'Sum', 'ThrottledRecords (pipeline)'),
        p.kinesis(
          'WriteProvisionedThroughputExceeded',
          'Sum',
          'WriteProvisionedThroughputExceeded (AWS/Kinesis)',
        ),
      ]),
      p.graph('Shards', [
        p.own(Metric.ActualShards, 'Maximum', 'ActualShards'),
        p.own(Metric.DesiredShards, 'Maximum', 'DesiredShards'),
      ]),
    ],
    [
      p.graph(
        'Consumer concurrency and parallelization',
        [
          p.own(Metric.ConsumerConcurrency, 'Maximum', 'ConsumerConcurrency (shards × PF)'),
          p.lambda(
            names.consumerFunction,
            'ConcurrentExecutions',
            'Maximum',
            'ConcurrentExecutions (AWS/Lambda)',
          ),
        ],
        [
          p.own(Metric.ActualParallelization, 'Maximum', 'ActualParallelization'),
          p.own(Metric.DesiredParallelization, 'Maximum', 'DesiredParallelization'),
        ],
        'invocations',
        'ParallelizationFactor',
      ),
      p.graph(
        'Iterator age (ms)',
        [
          p.own(Metric.ConsumerIteratorAge, 'Maximum', 'ConsumerIteratorAge (pipeline)'),
          p.lambda(names.consumerFunction, 'IteratorAge', 'Maximum', 'IteratorAge (AWS/Lambda)'),
          p.kinesis(
            'GetRecords.IteratorAgeMilliseconds',
            'Maximum',
            'GetRecords.IteratorAgeMilliseconds (AWS/Kinesis)',
          ),
        ],
        [],
        'ms',
      ),
    ],
  ];
}

/** Rows of what comes out: windows, late and rejected records, capacity, scaling, cost, errors. */
function outcomeRows(p: DashboardParts, names: Names): cw.IWidget[][] {
  return [
    [
      p.graph(
        'Windows closed',
        [p.own(Metric.WindowsClosed, 'Sum', 'WindowsClosed')],
        [
          p.own(Metric.FinalLatency, 'Maximum', 'FinalLatency (ms)'),
          p.own(Metric.WatermarkLag, 'Maximum', 'WatermarkLag (ms)'),
        ],
        'windows',
        'ms',
      ),
      p.graph('Late and rejected records (records / period)', [
        p.own(Metric.LateRecords, 'Sum', 'LateRecords'),
        p.own(Metric.RecordsRejected, 'Sum', 'RecordsRejected'),
      ]),
    ],
    [
      p.graph(
        'DynamoDB consumed write capacity (WCU / period)',
        [names.windowsTable, names.controlTable, names.rejectsTable].map((t) =>
          p.dynamo(t, 'ConsumedWriteCapacityUnits', 'Sum', t),
        ),
      ),
      p.graph(
        'Scaling decisions',
        [p.own(Metric.ScalingActions, 'Sum', 'ScalingActions')],
        [
          p.own(Metric.DesiredShards, 'Maximum', 'DesiredShards'),
          p.own(Metric.DesiredParallelization, 'Maximum', 'DesiredParallelization'),
        ],
        'actions',
        'desired',
      ),
    ],
    [
      p.graph('Estimated cost per hour (USD, list prices)', [
        p.own(Metric.EstimatedCostPerHour, 'Average', 'EstimatedCostPerHour'),
      ]),
      p.graph(
        'Errors and failed batches',
        [
          p.lambda(names.consumerFunction, 'Errors', 'Sum', `Errors ${names.consumerFunction}`),
          p.lambda(names.closerFunction, 'Errors', 'Sum', `Errors ${names.closerFunction}`),
          p.lambda(names.scalerFunction, 'Errors', 'Sum', `Errors ${names.scalerFunction}`),
        ],
        [
          p.sqs(
            names.failureQueue,
            'ApproximateNumberOfMessagesVisible',
            'Maximum',
            'Failed batches queued',
          ),
        ],
        'errors',
        'messages',
      ),
    ],
  ];
}
