/**
 * What else such stacks carry: log groups with retention (the logRetention
 * custom resource and an explicit LogGroup with Active tracing), a stack
 * output naming a resource the cloud does not emulate (an HTTP API's
 * endpoint), a function written against SDK v2, and a Python function
 * (refused up front).
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type App } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { nodeFunction, type CorpusApp } from './common';

export const logGroups: CorpusApp = {
  name: 'CorpusLogGroups',
  build(app: App) {
    const stack = new Stack(app, this.name);
    const group = new logs.LogGroup(stack, 'Logs', {
      retention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const withGroup = nodeFunction(
      stack,
      'WithGroup',
      'hello',
      {},
      {
        logGroup: group,
        tracing: lambda.Tracing.ACTIVE,
      },
    );
    const withRetention = nodeFunction(
      stack,
      'WithRetention',
      'hello',
      {},
      {
        logRetention: logs.RetentionDays.ONE_DAY,
      },
    );
    new CfnOutput(stack, 'WithGroupName', { value: withGroup.functionName });
    new CfnOutput(stack, 'WithRetentionName', { value: withRetention.functionName });
    new CfnOutput(stack, 'LogGroupName', { value: group.logGroupName });
    return stack;
  },
};

export const unsupportedOutput: CorpusApp = {
  name: 'CorpusUnsupportedOutput',
  build(app: App) {
    const stack = new Stack(app, this.name);
    const fn = nodeFunction(stack, 'Api', 'hello');
    const api = new apigwv2.HttpApi(stack, 'Http', {
      defaultIntegration: new HttpLambdaIntegration('Hello', fn),
    });
    new CfnOutput(stack, 'ApiUrl', { value: api.apiEndpoint });
    new CfnOutput(stack, 'FunctionName', { value: fn.functionName });
    return stack;
  },
};

export const sdkV2Function: CorpusApp = {
  name: 'CorpusSdkV2',
  build(app: App) {
    const stack = new Stack(app, this.name);
    const items = new dynamodb.Table(stack, 'Items', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const fn = nodeFunction(
      stack,
      'LegacySdk',
      'sdk-v2',
      { TABLE: items.tableName },
      {
        timeout: Duration.seconds(15),
      },
    );
    items.grantReadWriteData(fn);
    new CfnOutput(stack, 'FunctionName', { value: fn.functionName });
    new CfnOutput(stack, 'TableName', { value: items.tableName });
    return stack;
  },
};

export const pythonFunction: CorpusApp = {
  name: 'CorpusPython',
  build(app: App) {
    const stack = new Stack(app, this.name);
    const queue = new sqs.Queue(stack, 'Inbox', { queueName: 'corpus-python-inbox' });
    const fn = new lambda.Function(stack, 'Py', {
      runtime: lambda.Runtime.PYTHON_3_12,
      handler: 'index.handler',
      code: lambda.Code.fromInline('def handler(event, context):\n    return event\n'),
    });
    queue.grantConsumeMessages(fn);
    new CfnOutput(stack, 'QueueUrl', { value: queue.queueUrl });
    return stack;
  },
};
