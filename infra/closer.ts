/**
 * The closer: closes windows the global watermark has passed, on a schedule,
 * so windows close even when no records (and so no consumer runs) arrive.
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { Construct } from 'constructs';
import { resourceNames, type StreamscaleConfig } from '../functions/config';
import { tableItemAccess } from './table-access';
import { PipelineFunction } from './pipeline-function';
import type { PipelineTables } from './pipeline-tables';
import { EverySchedule } from './schedule';

export interface CloserProps {
  config: StreamscaleConfig;
  stream: kinesis.Stream;
  tables: PipelineTables;
}

export class Closer extends Construct {
  readonly function: PipelineFunction;
  readonly schedule: EverySchedule;

  constructor(scope: Construct, id: string, props: CloserProps) {
    super(scope, id);
    const { config, stream, tables } = props;
    const names = resourceNames(config.prefix);

    this.function = new PipelineFunction(this, 'Closer', {
      config,
      functionName: names.closerFunction,
      handlerFile: 'closer',
      description:
        'streamscale closer: advances the global watermark and writes final window results',
      memoryMb: config.closer.memoryMb,
      timeout: Duration.seconds(config.closer.timeoutSeconds),
    });
    this.schedule = new EverySchedule(this, 'Schedule', {
      ruleName: `${config.prefix}-closer-schedule`,
      description: `Runs ${names.closerFunction}, which ticks every closer.tickSeconds for one period`,
      target: this.function.fn,
      seconds: config.closer.scheduleSeconds,
    });

    const role = this.function.role;
    // Which shards are live (parents, children) for the watermark's minimum.
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadShardList',
        actions: ['kinesis:ListShards', 'kinesis:DescribeStreamSummary'],
        resources: [stream.streamArn],
      }),
    );
    // Reads partials and progress, writes finals (put if absent), advances the
    // watermark and flags late partials (conditional updates). It reads windows by
    // their partition key, so no access to the byKind index (the query tool's).
    role.addToPolicy(
      tableItemAccess(
        'WindowAndControlItems',
        ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        [tables.windows, tables.control],
      ),
    );
  }
}
