/**
 * Contracts between the parts of the embedded local cloud: the edge routes a
 * request to the EdgeService whose SigV4 signing name (from the credential
 * scope of the Authorization header, or X-Amz-Target / path fallbacks) it
 * serves; in-process parts publish service metrics through a MetricSink.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/**
 * One request as the edge hands it to a service, the same for HTTP/1.1 and
 * HTTP/2: lower-case header names, no HTTP/2 pseudo-headers (`host` carries
 * the :authority). Node's IncomingMessage fits this shape too.
 */
export interface EdgeRequest {
  readonly method?: string;
  readonly url?: string;
  readonly headers: IncomingHttpHeaders;
}

/**
 * The answer channel, the same for HTTP/1.1 (ServerResponse) and HTTP/2
 * (Http2ServerResponse). HTTP/2 forbids connection-specific headers
 * (Connection, Keep-Alive, Transfer-Encoding): never set them.
 */
export interface EdgeResponse {
  readonly headersSent: boolean;
  readonly writableEnded: boolean;
  setHeader(name: string, value: number | string | readonly string[]): unknown;
  writeHead(statusCode: number, headers?: OutgoingHttpHeaders): unknown;
  write(chunk: Uint8Array | string): boolean;
  end(chunk?: Uint8Array | string): unknown;
  once(event: 'close' | 'drain', listener: () => void): unknown;
}

export interface EdgeService {
  /** SigV4 signing names served: 'kinesis', 'dynamodb', 'monitoring', 'lambda', 'sqs', 'events', ... */
  readonly signingNames: readonly string[];
  /** Answer one request; `body` is the fully read (and decompressed) request body. */
  handle(req: EdgeRequest, body: Buffer, res: EdgeResponse): Promise<void>;
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

/** Where a function's output lines go (CloudWatch Logs), by log group and stream. */
export interface LogSink {
  putLogLine(group: string, stream: string, message: string, timestamp?: number): void;
}

/**
 * A part of the cloud whose state survives a restart (`--data-dir`): its
 * state as plain JSON data, saved periodically and when the cloud stops.
 */
export interface StatePart {
  /** unique, a file name: [a-z0-9-] */
  readonly name: string;
  /** the part's state now, as JSON-serialisable data (read synchronously, so it is consistent) */
  snapshot(): unknown;
  /**
   * Called once, at register(), with what the data dir holds (undefined for a new dir): the last
   * snapshot and the journal events appended after it, oldest first.
   */
  restore(state: unknown, journal: readonly unknown[]): void;
  /** save at most this often (large parts such as metrics); default: the persister's interval */
  readonly intervalMs?: number;
}

/** A part's write-ahead journal: an event appended here survives a crash of the process at once. */
export interface StateJournal {
  append(event: object): void;
}

/** The cloud's data dir, when it has one (`--data-dir`); absent, every part lives in memory. */
export interface Persistence {
  /** A directory of the data dir for a part's own files (an emulator's LevelDB, object bytes), created. */
  dir(name: string): string;
  /** Restore the part from the data dir now, then save it with every snapshot; returns its journal. */
  register(part: StatePart): StateJournal;
}

/** What every service plane gets from the core cloud. */
export interface CloudContext {
  /** e.g. http://127.0.0.1:4566 */
  endpoint: string;
  region: string;
  metrics: MetricSink;
  /** S3's objects, when the cloud has S3 */
  objects?: ObjectReader;
  /** CloudWatch Logs, when the cloud has it */
  logs?: LogSink;
  /** the data dir, when state survives a restart */
  persistence?: Persistence;
  /** one line to the cloud's log, prefixed by its source */
  log(source: string, line: string): void;
}
