/**
 * The one streamscale stack: stream, tables, consumer (+ mapping, failure
 * queue), closer, scaler, dashboard, alarms and the outputs clients need.
 * Names come from the config's prefix, so clients can also derive them.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type { Construct } from 'constructs';
import { resourceNames, type StreamscaleConfig } from '../functions/config';
import { PipelineAlarms } from './alarms';
import { assertDeployable } from './deployable-config';
import { Closer } from './closer';
import { Consumer } from './consumer';
import { PipelineDashboard } from './dashboard';
import { PipelineTables } from './pipeline-tables';
import { Scaler } from './scaler';

export interface StreamscaleStackProps extends StackProps {
  config: StreamscaleConfig;
}

/** Output keys: stable, for `cdk deploy --outputs-file`, the local deployer and docs. */
export const OUTPUT_KEYS = [
  'StreamName',
  'StreamArn',
  'WindowsTable',
  'ControlTable',
  'RejectsTable',
  'ConsumerFunction',
  'CloserFunction',
  'ScalerFunction',
  'EventSourceMappingId',
  'FailureQueueUrl',
  'DashboardName',
  'Region',
] as const;
export type OutputKey = (typeof OUTPUT_KEYS)[number];

export class StreamscaleStack extends Stack {
  readonly stream: kinesis.Stream;
  readonly tables: PipelineTables;
  readonly consumer: Consumer;
  readonly closer: Closer;
  readonly scaler: Scaler;
  readonly dashboard: PipelineDashboard;
  readonly alarms: PipelineAlarms;

  constructor(scope: Construct, id: string, props: StreamscaleStackProps) {
    // Before anything is built: one message with every problem.
    assertDeployable(props.config);
    super(scope, id, {
      description: `streamscale pipeline "${props.config.prefix}": Kinesis -> Lambda -> DynamoDB event-time windows, autoscaled`,
      ...props,
    });
    const { config } = props;
    const names = resourceNames(config.prefix);

    this.stream = new kinesis.Stream(this, 'Events', {
      streamName: names.stream,
      // Provisioned: the scaler owns the shard count (that is the point of the project).
      streamMode: kinesis.StreamMode.PROVISIONED,
      shardCount: config.stream.initialShards,
      retentionPeriod: Duration.hours(config.stream.retentionHours),
      // Server-side encryption with the AWS-managed key (alias/aws/kinesis): no key to
      // administer and no kms:Decrypt grants for the consumer.
      encryption: kinesis.StreamEncryption.MANAGED,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.tables = new PipelineTables(this, 'Tables', { prefix: config.prefix });
    this.consumer = new Consumer(this, 'Consumer', {
      config,
      stream: this.stream,
      tables: this.tables,
    });
    this.closer = new Closer(this, 'Closer', { config, stream: this.stream, tables: this.tables });
    this.scaler = new Scaler(this, 'Scaler', {
      config,
      stream: this.stream,
      tables: this.tables,
      mappingId: this.consumer.mappingId,
    });
    this.dashboard = new PipelineDashboard(this, 'Dashboard', { config });
    this.alarms = new PipelineAlarms(this, 'Alarms', {
      config,
      consumer: this.consumer.function.fn,
      failureQueue: this.consumer.failureQueue,
    });

    const outputs: Record<OutputKey, [string, string]> = {
      StreamName: [this.stream.streamName, 'Kinesis stream producers write to'],
      StreamArn: [this.stream.streamArn, 'Kinesis stream ARN'],
      WindowsTable: [this.tables.windows.tableName, 'Window partials, finals and late partials'],
      ControlTable: [this.tables.control.tableName, 'Watermark, shard progress, scaler state'],
      RejectsTable: [this.tables.rejects.tableName, 'Rejected records with their reason'],
      ConsumerFunction: [this.consumer.function.fn.functionName, 'Kinesis consumer function'],
      CloserFunction: [this.closer.function.fn.functionName, 'Scheduled window closer'],
      ScalerFunction: [this.scaler.function.fn.functionName, 'Scheduled autoscaler'],
      EventSourceMappingId: [
        this.consumer.mappingId,
        "UUID of the consumer's Kinesis event source mapping",
      ],
      FailureQueueUrl: [
        this.consumer.failureQueue.queueUrl,
        'SQS queue with batches that ran out of retries',
      ],
      DashboardName: [this.dashboard.dashboard.dashboardName, 'CloudWatch dashboard'],
      Region: [this.region, 'Region of every resource above'],
    };
    for (const [key, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, key, { value, description });
    }
  }
}
