/**
 * The two JavaScript emulators the cloud stores its data in — kinesalite
 * (Kinesis) and dynalite (DynamoDB) — each an HTTP server on an internal
 * loopback port. Started here in whichever thread runs them (their own
 * worker thread by default, see emulator-thread.ts); the edge talks to them
 * over that port either way, so where they run changes no byte they see.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EMULATORS } from '../config';

export type EmulatorKind = 'kinesalite' | 'dynalite';

/** What an emulator is built with (plain data: it crosses to a worker thread). */
export interface EmulatorOptions {
  /** Simulated create/delete/update transition of a stream or table (AWS takes seconds). */
  transitionMs: number;
  /** kinesalite: open shards allowed across all streams. */
  shardLimit?: number;
  /** On-disk LevelDB store (--data-dir); in memory without. */
  path?: string;
}

/** Builds the emulator, listening on a free loopback port; resolves with the server and the port. */
export async function listenEmulator(
  kind: EmulatorKind,
  o: EmulatorOptions,
): Promise<{ server: Server; port: number }> {
  const server = kind === 'kinesalite' ? await kinesaliteServer(o) : await dynaliteServer(o);
  server.keepAliveTimeout = EMULATORS.keepAliveMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

async function kinesaliteServer(o: EmulatorOptions): Promise<Server> {
  // The fast paths patch the modules of the thread that loads kinesalite: installed where it runs.
  const [{ default: kinesalite }, { installKinesaliteFastPaths }, { installMemdownSteps }] =
    await Promise.all([
      import('kinesalite'),
      import('../kinesis/kinesalite-fast-paths'),
      import('../kinesis/memdown-steps'),
    ]);
  installKinesaliteFastPaths();
  installMemdownSteps();
  return kinesalite({
    createStreamMs: o.transitionMs,
    deleteStreamMs: o.transitionMs,
    updateStreamMs: o.transitionMs,
    ...(o.shardLimit !== undefined ? { shardLimit: o.shardLimit } : {}),
    ...(o.path ? { path: o.path } : {}),
  });
}

async function dynaliteServer(o: EmulatorOptions): Promise<Server> {
  const { default: dynalite } = await import('dynalite');
  return dynalite({
    createTableMs: o.transitionMs,
    deleteTableMs: o.transitionMs,
    updateTableMs: o.transitionMs,
    ...(o.path ? { path: o.path } : {}),
  });
}
