/**
 * The consumer: its function, its Kinesis event source mapping and the SQS
 * queue that receives batches it could not process.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { resourceNames, type StreamscaleConfig } from '../functions/config';
import { tableItemAccess } from './table-access';
import { PipelineFunction } from './pipeline-function';
import type { PipelineTables } from './pipeline-tables';

export interface ConsumerProps {
  config: StreamscaleConfig;
  stream: kinesis.Stream;
  tables: PipelineTables;
}

export class Consumer extends Construct {
  readonly function: PipelineFunction;
  readonly failureQueue: sqs.Queue;
  readonly eventSource: KinesisEventSource;

  constructor(scope: Construct, id: string, props: ConsumerProps) {
    super(scope, id);
    const { config, stream, tables } = props;
    const names = resourceNames(config.prefix);
    const c = config.consumer;

    this.failureQueue = new sqs.Queue(this, 'FailureQueue', {
      queueName: names.failureQueue,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The longest SQS allows: an operator has two weeks to look at a failed batch.
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the terminal on-failure destination of the Kinesis event source mapping (it holds failed-batch metadata for an operator); nothing consumes it automatically, so a dead-letter queue behind it would never receive anything.',
    });

    this.function = new PipelineFunction(this, 'Consumer', {
      config,
      functionName: names.consumerFunction,
      handlerFile: 'consumer',
      description:
        'streamscale consumer: Kinesis batch -> per-(batch, window) partials, watermark progress, rejects',
      memoryMb: c.memoryMb,
      timeout: Duration.seconds(c.timeoutSeconds),
    });

    this.eventSource = new KinesisEventSource(stream, {
      // TRIM_HORIZON: records written before the mapping existed are counted too.
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: c.batchSize,
      maxBatchingWindow: Duration.seconds(c.batchingWindowSeconds),
      parallelizationFactor: c.parallelizationFactor,
      retryAttempts: c.retryAttempts,
      maxRecordAge: Duration.seconds(c.maxRecordAgeSeconds),
      // Exactly-once rests on retries repeating the SAME batch (docs/architecture.md,
      // docs/correctness.md): a partial item is keyed by the batch's shard and first
      // sequence number and written only if absent. Bisecting a failed batch or
      // partial-batch responses would re-deliver records under different batch
      // boundaries, i.e. new keys, and count them twice. Both stay off.
      bisectBatchOnError: false,
      reportBatchItemFailures: false,
      onFailure: new SqsDlq(this.failureQueue),
    });
    // Grants the function read on its stream (grantRead: stream ARN only) and
    // SendMessage on the failure queue.
    this.function.fn.addEventSource(this.eventSource);

    const role = this.function.role;
    // The consumer writes partials (put if absent), watermark progress (conditional
    // update) and rejects, and reads windows/progress. No Scan, no Delete.
    role.addToPolicy(
      tableItemAccess(
        'PipelineItems',
        ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:Query'],
        tables.all,
      ),
    );
    // Rejects are written in batches (functions/store/rejects-store.ts). BatchWriteItem
    // cannot be narrowed to puts, so it is granted on the rejects table alone, whose
    // items are diagnostics, never on the windows or control tables.
    role.addToPolicy(
      tableItemAccess('RejectsBatchWrite', ['dynamodb:BatchWriteItem'], [tables.rejects]),
    );
  }

  get mappingId(): string {
    return this.eventSource.eventSourceMappingId;
  }

  get mappingArn(): string {
    return this.eventSource.eventSourceMappingArn;
  }
}
