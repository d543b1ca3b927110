/**
 * kinesalite, in-process and in memory on an internal loopback port: the
 * stream storage behind the edge's Kinesis. Requests go to it as the client
 * sent them (kinesalite validates and answers in AWS's shapes) or as the
 * edge rewrote them; internal calls (describe a stream, split a shard) carry
 * the never-verified SigV4 header kinesalite insists on.
 */
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import kinesalite from 'kinesalite';
import { BackendProxy, type BackendResponse } from '../edge/backend-proxy';
import { installKinesaliteFastPaths } from './kinesalite-fast-paths';
import { installMemdownSteps } from './memdown-steps';

export const AMZ_JSON = 'application/x-amz-json-1.1';
const TARGET = 'Kinesis_20131202';
/** kinesalite's simulated state transitions (AWS takes seconds; tests and the demo want them quick). */
const TRANSITION_MS = 5;

export class KinesisBackend {
  private constructor(
    private readonly server: Server,
    private readonly proxy: BackendProxy,
  ) {}

  static async start(shardLimit: number): Promise<KinesisBackend> {
    installKinesaliteFastPaths();
    installMemdownSteps();
    const server = kinesalite({
      createStreamMs: TRANSITION_MS,
      deleteStreamMs: TRANSITION_MS,
      updateStreamMs: TRANSITION_MS,
      shardLimit,
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new KinesisBackend(server, new BackendProxy((server.address() as AddressInfo).port));
  }

  /** The client's request, body as given (raw bytes, or the edge's rewrite of the input). */
  send(headers: IncomingHttpHeaders, body: Buffer | object): Promise<BackendResponse> {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    return this.proxy.send('POST', '/', headers, bytes);
  }

  /** An internal call: `operation` on `input`, answered as parsed JSON. */
  call(
    operation: string,
    input: object,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    return this.proxy.call(`${TARGET}.${operation}`, input, AMZ_JSON);
  }

  async close(): Promise<void> {
    this.proxy.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
