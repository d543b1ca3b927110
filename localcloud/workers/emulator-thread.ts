/**
 * Runs an emulator where the cloud's configuration places it: in its own
 * worker thread (the default), so that kinesalite's and dynalite's work —
 * request parsing, validation, their stores — runs on another core than the
 * edge, the event-source runtime and CloudWatch; or inline, on the edge's
 * event loop (the bench's before/after, and a debugging aid). Either way
 * the emulator listens on an internal loopback port, and the edge's
 * BackendProxy hands it requests without a socket (emulator-requests.ts):
 * the method, headers and body bytes it sees are the same as over HTTP, so
 * its answers (sequence numbers, per-shard order, conditional writes) are too.
 */
import type { Server } from 'node:http';
import { threadId, Worker } from 'node:worker_threads';
import { EMULATORS, type EmulatorPlacement } from '../config';
import type { EmulatorTransport } from '../edge/backend-proxy';
import { inlineTransport, ThreadTransport } from './emulator-requests';
import { listenEmulator, type EmulatorKind, type EmulatorOptions } from './emulator-server';
import type { ToEmulator, ToHost } from './emulator-worker';

export type { EmulatorKind, EmulatorOptions } from './emulator-server';

export interface RunningEmulator extends EmulatorTransport {
  /** Its internal loopback port (HTTP; the edge uses request(), without a socket). */
  readonly port: number;
  readonly placement: EmulatorPlacement;
  /** The thread it runs on (node:worker_threads threadId; the edge's is 0 in a main thread). */
  readonly threadId: number;
  /** Closes the emulator (and its store); the thread, if any, ends. */
  close(): Promise<void>;
}

export interface EmulatorSpec {
  kind: EmulatorKind;
  options: EmulatorOptions;
  placement?: EmulatorPlacement;
  /** A line about the emulator's thread (it died, it would not close). */
  log?: (line: string) => void;
}

const BOOTSTRAP = new URL('./emulator-bootstrap.mjs', import.meta.url);

export async function startEmulator(spec: EmulatorSpec): Promise<RunningEmulator> {
  const placement = spec.placement ?? EMULATORS.placement;
  if (placement === 'inline') {
    const { server, port } = await listenEmulator(spec.kind, spec.options);
    const { request, idle } = inlineTransport(server);
    const close = async () => {
      await idle(); // the requests in progress are answered before the store closes
      await closeServer(server);
    };
    return { port, placement, threadId, request, close };
  }
  return startThread(spec);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

async function startThread(spec: EmulatorSpec): Promise<RunningEmulator> {
  const log = spec.log ?? (() => {});
  const worker = new Worker(BOOTSTRAP, { workerData: { kind: spec.kind, options: spec.options } });
  let closing = false;
  let failure: Error | undefined;
  worker.on('error', (err) => {
    failure = err;
    if (!closing) log(`${spec.kind} thread failed: ${err.message}`);
  });
  const started = await new Promise<{ port: number; threadId: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`${spec.kind} did not start within ${EMULATORS.startTimeoutMs} ms`));
    }, EMULATORS.startTimeoutMs);
    const settle = (f: () => void) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      f();
    };
    const onMessage = (m: ToHost) => {
      if (m.type === 'listening') settle(() => resolve(m));
      else if (m.type === 'start-error')
        settle(() => reject(new Error(`${spec.kind} did not start: ${m.message}`)));
    };
    const onExit = (code: number) =>
      settle(() =>
        reject(
          new Error(
            `${spec.kind} thread exited (${code}) before it listened${failure ? `: ${failure.message}` : ''}`,
          ),
        ),
      );
    worker.on('message', onMessage);
    worker.once('exit', onExit);
  });
  worker.once('exit', (code) => {
    if (!closing) log(`${spec.kind} thread ended unexpectedly (exit ${code})`);
  });
  const transport = new ThreadTransport(worker, spec.kind);
  return {
    port: started.port,
    threadId: started.threadId,
    placement: 'threads',
    request: (method, path, headers, body) => transport.request(method, path, headers, body),
    close: () => {
      closing = true;
      return closeThread(worker, spec.kind, log);
    },
  };
}

/** Asks the thread to close its emulator; ends it at once if it does not answer in time. */
async function closeThread(worker: Worker, kind: EmulatorKind, log: (l: string) => void) {
  const closed = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), EMULATORS.closeTimeoutMs);
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    worker.on('message', (m: ToHost) => m.type === 'closed' && done());
    worker.once('exit', done);
  });
  worker.postMessage({ type: 'close' } satisfies ToEmulator);
  if (!(await closed)) log(`${kind} did not close within ${EMULATORS.closeTimeoutMs} ms; ended`);
  await worker.terminate();
}
