/**
 * The SDK clients the cloud uses to talk to its own edge (the event-source
 * pollers read Kinesis, failures go to SQS, the deploy engine creates
 * resources). Always an explicit loopback endpoint and test credentials, so
 * the caller's AWS environment can never send them elsewhere.
 */
import { Agent } from 'node:http';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface InternalClientOptions {
  endpoint: string;
  region: string;
  maxSockets?: number;
}

function common(opts: InternalClientOptions) {
  return {
    endpoint: opts.endpoint,
    region: opts.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: new NodeHttpHandler({
      httpAgent: new Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64 }),
    }),
  };
}

export const internalKinesisClient = (o: InternalClientOptions) => new KinesisClient(common(o));
export const internalDynamoClient = (o: InternalClientOptions) => new DynamoDBClient(common(o));
export const internalCloudWatchClient = (o: InternalClientOptions) =>
  new CloudWatchClient(common(o));
export const internalLambdaClient = (o: InternalClientOptions) => new LambdaClient(common(o));
export const internalSqsClient = (o: InternalClientOptions) => new SQSClient(common(o));
export const internalDynamoStreamsClient = (o: InternalClientOptions) =>
  new DynamoDBStreamsClient(common(o));
