/**
 * Kinesis → Lambda the common ways: a plain KinesisEventSource into a table,
 * an enhanced fan-out consumer, filters into a queue, and bisect with
 * partial-batch responses and an SQS on-failure destination.
 */
import { Duration, RemovalPolicy, Stack, type App } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  KinesisConsumerEventSource,
  KinesisEventSource,
  SqsDlq,
} from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CfnOutput } from 'aws-cdk-lib';
import { nodeFunction, type CorpusApp } from './common';

function table(stack: Stack, id = 'Items') {
  return new dynamodb.Table(stack, id, {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

export const kinesisToTable: CorpusApp = {
  name: 'CorpusKinesisToTable',
  build(app: App) {
    const stack = new Stack(app, this.name);
    const stream = new kinesis.Stream(stack, 'Events', { shardCount: 2 });
    const items = table(stack);
    const fn = nodeFunction(stack, 'Writer', 'to-table', { TABLE: items.tableName });
    items.grantWriteData(fn);
    fn.addEventSource(
      new KinesisEventSource(stream, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 50,
        maxBatchingWindow: Duration.seconds(1),
      }),
    );
    new CfnOutput(stack, 'StreamName', { value: stream.streamName });
    new CfnOutput(stack, 'TableName', { value: items.tableName });
    return stack;
  },
};

export const kinesisFanOut: CorpusApp = {
  name: 'CorpusKinesisFanOut',
  build(app: App) {
    const stack = new Stack(app, this.name);
    const stream = new kinesis.Stream(stack, 'Events', { shardCount: 1 });
    const consumer = new kinesis.StreamConsumer(stack, 'Consumer', {
      stream,
      streamConsumerName: 'corpus-efo',
    });
    const items = table(stack);
    const fn = nodeFunction(stack, 'Writer', 'to-table', { TABLE: items.tableName, VIA: 'efo' });
    items.grantWriteData(fn);
    fn.addEventSource(
      new KinesisConsumerEventSource(consumer, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 10,
      }),
    );
    new CfnOutput(stack, 'StreamName', { value: stream.streamName });
    new CfnOutput(stack, 'ConsumerArn', { value: consumer.streamConsumerArn });
    new CfnOutput(stack, 'TableName', { value: items.tableName });
    return stack;
  },
};

export const kinesisFilters: CorpusApp = {
  name: 'CorpusKinesisFilters',
  build(app: App) {
    const stack = new Stack(app, this.name);
    const stream = new kinesis.Stream(stack, 'Events', { shardCount: 1 });
    const out = new sqs.Queue(stack, 'Orders');
    const fn = nodeFunction(stack, 'Forward', 'to-queue', { QUEUE_URL: out.queueUrl });
    out.grantSendMessages(fn);
    fn.addEventSource(
      new KinesisEventSource(stream, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        filters: [
          lambda.FilterCriteria.filter({
            data: {
              kind: lambda.FilterRule.isEqual('order'),
              total: lambda.FilterRule.between(10, 100),
            },
          }),
          lambda.FilterCriteria.filter({ data: { kind: lambda.FilterRule.isEqual('refund') } }),
        ],
      }),
    );
    new CfnOutput(stack, 'StreamName', { value: stream.streamName });
    new CfnOutput(stack, 'QueueUrl', { value: out.queueUrl });
    return stack;
  },
};

export const kinesisBisectDlq: CorpusApp = {
  name: 'CorpusKinesisBisectDlq',
  build(app: App) {
    const stack = new Stack(app, this.name);
    const stream = new kinesis.Stream(stack, 'Events', { shardCount: 1 });
    const items = table(stack);
    const failures = new sqs.Queue(stack, 'Failures');
    const fn = nodeFunction(stack, 'Writer', 'to-table', {
      TABLE: items.tableName,
      REPORT_FAILURES: '1',
    });
    items.grantWriteData(fn);
    fn.addEventSource(
      new KinesisEventSource(stream, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 20,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 2,
        onFailure: new SqsDlq(failures),
      }),
    );
    new CfnOutput(stack, 'StreamName', { value: stream.streamName });
    new CfnOutput(stack, 'TableName', { value: items.tableName });
    new CfnOutput(stack, 'FailuresUrl', { value: failures.queueUrl });
    return stack;
  },
};
