/**
 * The scaler: a scheduled controller that moves the stream's shard count and
 * the consumer mapping's ParallelizationFactor, touching only those two.
 */
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { Construct } from 'constructs';
import { ENV_KEYS, resourceNames, type StreamscaleConfig } from '../functions/config';
import { tableItemAccess } from './table-access';
import { PipelineFunction } from './pipeline-function';
import type { PipelineTables } from './pipeline-tables';
import { EverySchedule } from './schedule';

export interface ScalerProps {
  config: StreamscaleConfig;
  stream: kinesis.Stream;
  tables: PipelineTables;
  /** UUID of the consumer's Kinesis event source mapping. */
  mappingId: string;
}

export class Scaler extends Construct {
  readonly function: PipelineFunction;
  readonly schedule: EverySchedule;
  /** arn:<partition>:lambda:<region>:<account>:event-source-mapping:<uuid> */
  readonly mappingArn: string;

  constructor(scope: Construct, id: string, props: ScalerProps) {
    super(scope, id);
    const { config, stream, tables, mappingId } = props;
    const names = resourceNames(config.prefix);

    this.function = new PipelineFunction(this, 'Scaler', {
      config,
      functionName: names.scalerFunction,
      handlerFile: 'scaler',
      description:
        'streamscale scaler: shard count and consumer parallelization from measured load',
      memoryMb: config.scaler.memoryMb,
      timeout: Duration.seconds(config.scaler.timeoutSeconds),
      environment: {
        [ENV_KEYS.scalerMappingUuid]: mappingId,
        [ENV_KEYS.scalerStreamName]: stream.streamName,
      },
    });
    this.schedule = new EverySchedule(this, 'Schedule', {
      ruleName: `${config.prefix}-scaler-schedule`,
      description: `Runs ${names.scalerFunction}, which decides every scaler.tickSeconds for one period`,
      target: this.function.fn,
      seconds: config.scaler.scheduleSeconds,
    });

    this.mappingArn = Stack.of(this).formatArn({
      service: 'lambda',
      resource: 'event-source-mapping',
      resourceName: mappingId,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    const role = this.function.role;
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReshardOwnStream',
        actions: [
          'kinesis:UpdateShardCount',
          'kinesis:DescribeStreamSummary',
          'kinesis:ListShards',
        ],
        resources: [stream.streamArn],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'TuneOwnMapping',
        actions: ['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping'],
        resources: [this.mappingArn],
      }),
    );
    // Scaler memory (last actions, cooldowns, daily UpdateShardCount budget), and its cheap
    // signals: the consumers' shard items and the producers' demand items (two Queries a decision).
    role.addToPolicy(
      tableItemAccess(
        'ScalerState',
        ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
        [tables.control],
      ),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadLoadMetrics',
        actions: ['cloudwatch:GetMetricData'],
        resources: ['*'],
      }),
    );
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudwatch:GetMetricData has no resource-level permissions and no condition keys (AWS service authorization reference), so "*" is the only possible resource; it is read-only.',
    });
  }
}
