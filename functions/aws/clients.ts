/**
 * SDK clients for every part of streamscale, with the SDK's own defaults:
 * Kinesis speaks HTTP/2 (the SDK's default handler for it; the embedded
 * cloud's edge speaks it too), the others HTTP/1.1 with keep-alive (the
 * SDK's default agent keeps up to 50 sockets). Measured on the edge: HTTP/2
 * puts as many records per CPU-second as an HTTP/1.1 keep-alive pool
 * (docs/local-cloud.md). The endpoint is the SDK's own business
 * (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>); nothing here knows which
 * cloud it talks to.
 *
 * What the SDK lacks by default are timeouts: a client of an endpoint that
 * accepts connections and never answers waits forever. Every client here
 * gives up on a connect after `connectTimeoutMs` and on an attempt after
 * `requestTimeoutMs` (config.clients, docs/robustness.md) with an error
 * naming the endpoint.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';
import { fromEnv, type ClientsConfig } from '../config';
import { DeadlineHandler } from './deadline-handler';

export interface ClientOptions {
  /** Explicit endpoint (tests); otherwise the SDK reads AWS_ENDPOINT_URL. */
  endpoint?: string;
  region?: string;
  /**
   * Sockets per HTTP/1.1 client when more parallel calls are wanted than the
   * SDK's default 50. The Kinesis client multiplexes every call over one
   * HTTP/2 session and ignores it.
   */
  maxSockets?: number;
  /** SDK retry attempts (default SDK standard mode: 3). */
  maxAttempts?: number;
  /** Connect and per-attempt timeouts; default: config.clients (STREAMSCALE_CONFIG). */
  timeouts?: ClientsConfig;
}

function common(opts: ClientOptions) {
  return {
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}),
  };
}

const timeoutsOf = (opts: ClientOptions): ClientsConfig => opts.timeouts ?? fromEnv().clients;

/** The SDK's default Kinesis handler (HTTP/2, a session per call), with a deadline per attempt. */
function http2(opts: ClientOptions) {
  const t = timeoutsOf(opts);
  const inner = new NodeHttp2Handler({ disableConcurrentStreams: true });
  return {
    ...common(opts),
    requestHandler: new DeadlineHandler(inner, { requestTimeoutMs: t.requestTimeoutMs }),
  };
}

/** The SDK's default keep-alive HTTP/1.1 handler, with both timeouts. */
function http1(opts: ClientOptions) {
  const t = timeoutsOf(opts);
  const agent = opts.maxSockets ? { keepAlive: true, maxSockets: opts.maxSockets } : undefined;
  const inner = new NodeHttpHandler({
    connectionTimeout: t.connectTimeoutMs,
    requestTimeout: t.requestTimeoutMs,
    throwOnRequestTimeout: true,
    ...(agent ? { httpAgent: agent, httpsAgent: agent } : {}),
  });
  return {
    ...common(opts),
    requestHandler: new DeadlineHandler(inner, t),
  };
}

export const kinesisClient = (o: ClientOptions = {}) => new KinesisClient(http2(o));
export const dynamoClient = (o: ClientOptions = {}) => new DynamoDBClient(http1(o));
export const cloudWatchClient = (o: ClientOptions = {}) => new CloudWatchClient(http1(o));
export const lambdaClient = (o: ClientOptions = {}) => new LambdaClient(http1(o));
export const sqsClient = (o: ClientOptions = {}) => new SQSClient(http1(o));
