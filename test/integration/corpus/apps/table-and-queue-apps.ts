/** DynamoDB Streams → Lambda with a filter, and SQS → Lambda with partial-batch responses and a DLQ. */
import { CfnOutput, Duration, RemovalPolicy, Stack, type App } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { nodeFunction, type CorpusApp } from './common';

export const dynamoStream: CorpusApp = {
  name: 'CorpusDynamoStream',
  build(app: App) {
    const stack = new Stack(app, this.name);
    const orders = new dynamodb.Table(stack, 'Orders', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const changes = new sqs.Queue(stack, 'Changes');
    const fn = nodeFunction(stack, 'Audit', 'to-queue', { QUEUE_URL: changes.queueUrl });
    changes.grantSendMessages(fn);
    fn.addEventSource(
      new DynamoEventSource(orders, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        filters: [
          lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.or('INSERT', 'MODIFY') }),
        ],
      }),
    );
    new CfnOutput(stack, 'TableName', { value: orders.tableName });
    new CfnOutput(stack, 'QueueUrl', { value: changes.queueUrl });
    return stack;
  },
};

export const sqsSource: CorpusApp = {
  name: 'CorpusSqsSource',
  build(app: App) {
    const stack = new Stack(app, this.name);
    const dlq = new sqs.Queue(stack, 'Dead');
    const jobs = new sqs.Queue(stack, 'Jobs', {
      visibilityTimeout: Duration.seconds(2),
      deadLetterQueue: { queue: dlq, maxReceiveCount: 2 },
    });
    const done = new dynamodb.Table(stack, 'Done', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const fn = nodeFunction(
      stack,
      'Worker',
      'from-queue',
      { TABLE: done.tableName },
      {
        timeout: Duration.seconds(2),
      },
    );
    done.grantWriteData(fn);
    fn.addEventSource(
      new SqsEventSource(jobs, { batchSize: 5, reportBatchItemFailures: true, maxConcurrency: 2 }),
    );
    new CfnOutput(stack, 'QueueUrl', { value: jobs.queueUrl });
    new CfnOutput(stack, 'DeadUrl', { value: dlq.queueUrl });
    new CfnOutput(stack, 'TableName', { value: done.tableName });
    return stack;
  },
};
