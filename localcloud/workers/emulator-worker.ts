/**
 * The entry of an emulator's worker thread: builds the emulator named in
 * workerData, reports its port, answers the edge's request messages
 * (emulator-requests.ts), and on 'close' closes it (kinesalite and
 * dynalite close their store with the server, so an on-disk store is
 * flushed) before reporting 'closed'. An error while building is reported,
 * not thrown, so the edge can say what failed.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import {
  requestListener,
  serveRequests,
  type AnswerMessage,
  type RequestMessage,
} from './emulator-requests';
import { listenEmulator, type EmulatorKind, type EmulatorOptions } from './emulator-server';

export type ToHost =
  | { type: 'listening'; port: number; threadId: number }
  | { type: 'start-error'; message: string }
  | { type: 'closed' }
  | AnswerMessage;

export type ToEmulator = { type: 'close' } | RequestMessage;

const { kind, options } = workerData as { kind: EmulatorKind; options: EmulatorOptions };
const port = parentPort!;

try {
  const { server, port: listening } = await listenEmulator(kind, options);
  const requests = serveRequests(requestListener(server), (a) => port.postMessage(a));
  port.postMessage({ type: 'listening', port: listening, threadId } satisfies ToHost);
  port.on('message', async (m: ToEmulator) => {
    if (m.type === 'request') return requests.serve(m);
    await requests.idle();
    server.close(() => {
      port.postMessage({ type: 'closed' } satisfies ToHost);
      // Nothing else holds the thread: it ends once the message is out.
      port.unref();
    });
  });
} catch (err) {
  port.postMessage({ type: 'start-error', message: (err as Error).message } satisfies ToHost);
  port.unref();
}
