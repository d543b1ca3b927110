/**
 * What the Kinesis operations share: the call they answer, the forms an
 * answer takes, and the parts they work with (kinesalite, the edge's stream
 * state, the AWS/Kinesis metrics).
 */
import type { CloudContext, EdgeRequest, EdgeResponse } from '../contracts';
import type { BackendResponse } from '../edge/backend-proxy';
import type { Operation } from '../edge/operation-table';
import type { KinesisBackend } from './kinesis-backend';
import type { StreamRegistry } from './stream-registry';

export interface KinesisCall {
  req: EdgeRequest;
  res: EdgeResponse;
  /** The body as received, when the input was not rewritten (forwarded as is: no re-encoding). */
  rawBody?: Buffer;
}

export type KinesisAnswer =
  /** An answer the edge made. */
  | { json: unknown }
  /** kinesalite's answer, its body optionally patched. */
  | { backend: BackendResponse; body?: Buffer }
  /** The operation wrote the response itself (an event stream). */
  | { streamed: true };

export type KinesisOperation = Operation<KinesisCall, KinesisAnswer>;

export interface KinesisParts {
  ctx: CloudContext;
  backend: KinesisBackend;
  streams: StreamRegistry;
  metric(stream: string, name: string, value: number, unit: string): void;
}

/** The input as the client sent it when it was not rewritten, else re-encoded. */
export function forwardBody(call: KinesisCall, input: object): Buffer | object {
  return call.rawBody ?? input;
}
