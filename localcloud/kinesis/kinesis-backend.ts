/**
 * kinesalite, in memory (or on disk with a path) on an internal loopback
 * port, in its own worker thread by default (localcloud/workers/): the
 * stream storage behind the edge's Kinesis. Requests go to it as the client
 * sent them (kinesalite validates and answers in AWS's shapes) or as the
 * edge rewrote them; internal calls (describe a stream, split a shard) carry
 * the never-verified SigV4 header kinesalite insists on.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { EMULATORS, type EmulatorPlacement } from '../config';
import { BackendProxy, type BackendResponse } from '../edge/backend-proxy';
import { startEmulator, type RunningEmulator } from '../workers/emulator-thread';

export const AMZ_JSON = 'application/x-amz-json-1.1';
const TARGET = 'Kinesis_20131202';

export interface KinesisBackendOptions {
  /** Open shards allowed across all streams. */
  shardLimit: number;
  /** kinesalite's LevelDB store on disk (--data-dir); in memory without. */
  path?: string;
  /** Its own worker thread (default) or the edge's event loop. */
  placement?: EmulatorPlacement;
  log?: (line: string) => void;
}

export class KinesisBackend {
  private constructor(
    private readonly emulator: RunningEmulator,
    private readonly proxy: BackendProxy,
  ) {}

  static async start(o: KinesisBackendOptions): Promise<KinesisBackend> {
    const emulator = await startEmulator({
      kind: 'kinesalite',
      options: { transitionMs: EMULATORS.transitionMs, shardLimit: o.shardLimit, path: o.path },
      placement: o.placement,
      log: o.log,
    });
    return new KinesisBackend(emulator, new BackendProxy(emulator));
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

  /** The emulator first: it answers the requests it is working on before its store closes. */
  async close(): Promise<void> {
    await this.emulator.close();
    this.proxy.close();
  }
}
