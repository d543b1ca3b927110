/**
 * Contracts between the parts of the embedded local cloud: the edge routes a
 * request to the EdgeService whose SigV4 signing name (from the credential
 * scope of the Authorization header, or X-Amz-Target / path fallbacks) it
 * serves; in-process parts publish service metrics through a MetricSink.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface EdgeService {
  /** SigV4 signing names served: 'kinesis', 'dynamodb', 'monitoring', 'lambda', 'sqs', 'events', ... */
  readonly signingNames: readonly string[];
  /** Answer one request; `body` is the fully read request body. */
  handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void>;
  close(): Promise<void>;
}

export interface MetricDatum {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  value: number;
  unit?: string;
  timestamp: Date;
}

export interface MetricSink {
  putMetric(datum: MetricDatum): void;
}

/** In-process read of an S3 object's bytes (Lambda code from S3, CloudFormation TemplateURL). */
export interface ObjectReader {
  readObject(bucket: string, key: string): Buffer | undefined;
}

/** What every service plane gets from the core cloud. */
export interface CloudContext {
  /** e.g. http://127.0.0.1:4566 */
  endpoint: string;
  region: string;
  metrics: MetricSink;
  /** S3's objects, when the cloud has S3 */
  objects?: ObjectReader;
  /** one line to the cloud's log, prefixed by its source */
  log(source: string, line: string): void;
}
