/**
 * The SDK clients the deploy engine creates resources with, all against one
 * edge endpoint with test credentials (the cloud's own, never the caller's
 * AWS environment).
 */
import { Agent } from 'node:http';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  internalCloudWatchClient,
  internalDynamoClient,
  internalKinesisClient,
  internalLambdaClient,
  internalSqsClient,
} from '../internal-clients';
import type { DeployClients } from './appliers/types';
import { EventsApi } from './events-api';

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export function deployClients(endpoint: string, region: string): DeployClients {
  const opts = { endpoint, region };
  const plain = {
    endpoint,
    region,
    credentials: CREDENTIALS,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true }) }),
  };
  return {
    kinesis: internalKinesisClient(opts),
    dynamodb: internalDynamoClient(opts),
    sqs: internalSqsClient(opts),
    lambda: internalLambdaClient(opts),
    cloudwatch: internalCloudWatchClient(opts),
    events: new EventsApi({ endpoint, region, ...CREDENTIALS }),
    s3: new S3Client({ ...plain, forcePathStyle: true }),
    ssm: new SSMClient(plain),
    logs: new CloudWatchLogsClient(plain),
  };
}

export function destroyClients(c: DeployClients): void {
  for (const client of [c.kinesis, c.dynamodb, c.sqs, c.lambda, c.cloudwatch, c.s3, c.ssm, c.logs])
    client.destroy();
}
