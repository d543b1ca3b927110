/**
 * SDK clients for every part of streamscale. HTTP/1.1 with keep-alive
 * (NodeHttpHandler): the Kinesis client would otherwise speak HTTP/2, which
 * plain-http emulators do not. The endpoint is the SDK's own business
 * (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>); nothing here knows which
 * cloud it talks to.
 */
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface ClientOptions {
  /** Explicit endpoint (tests); otherwise the SDK reads AWS_ENDPOINT_URL. */
  endpoint?: string;
  region?: string;
  /** Max sockets per client; producers push many parallel PutRecords. */
  maxSockets?: number;
  /** SDK retry attempts (default SDK standard mode: 3). */
  maxAttempts?: number;
}

function common(opts: ClientOptions) {
  const maxSockets = opts.maxSockets ?? 64;
  return {
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}),
    requestHandler: new NodeHttpHandler({
      httpAgent: new Agent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    }),
  };
}

export const kinesisClient = (o: ClientOptions = {}) => new KinesisClient(common(o));
export const dynamoClient = (o: ClientOptions = {}) => new DynamoDBClient(common(o));
export const cloudWatchClient = (o: ClientOptions = {}) => new CloudWatchClient(common(o));
export const lambdaClient = (o: ClientOptions = {}) => new LambdaClient(common(o));
export const sqsClient = (o: ClientOptions = {}) => new SQSClient(common(o));

/**
 * Defaults for tools run on a laptop: the embedded cloud on loopback with
 * test credentials, unless the user's environment says otherwise.
 */
export const LOCAL_ENDPOINT = 'http://127.0.0.1:4566';
export function applyLocalDefaults(env: NodeJS.ProcessEnv = process.env): void {
  const hasCredentials =
    env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
  if (!env.AWS_ENDPOINT_URL && !hasCredentials) env.AWS_ENDPOINT_URL = LOCAL_ENDPOINT;
  if (!hasCredentials) {
    env.AWS_ACCESS_KEY_ID = 'test';
    env.AWS_SECRET_ACCESS_KEY = 'test';
  }
  if (!env.AWS_REGION && !env.AWS_DEFAULT_REGION) env.AWS_REGION = 'us-east-1';
}
