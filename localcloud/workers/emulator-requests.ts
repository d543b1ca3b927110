/**
 * The edge's requests to an emulator without a socket. kinesalite and
 * dynalite are `http.createServer(listener)` servers; their listener reads
 * only a request's method, url, headers and body events and answers with
 * setHeader, statusCode and end — so it is handed the same method, path,
 * headers and body bytes the loopback HTTP hop carried, and its answer is
 * taken from those calls. Across a worker thread the request and the answer
 * travel as messages. What the emulator sees is unchanged; the HTTP client
 * on the edge's loop and the HTTP server on the emulator's (parsing,
 * framing, socket writes: most of the hop's cost, profiled in
 * docs/benchmarks.md) are gone.
 */
import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders, RequestListener, Server } from 'node:http';
import type { Worker } from 'node:worker_threads';
import type { BackendResponse, EmulatorTransport } from '../edge/backend-proxy';

export interface EmulatorRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body: Uint8Array;
}

export type RequestMessage = EmulatorRequest & { type: 'request'; id: number };
export type AnswerMessage = {
  type: 'answer';
  id: number;
  status: number;
  headers: IncomingHttpHeaders;
  body: Uint8Array;
};

const EMPTY = Buffer.alloc(0);

const asBuffer = (u: Uint8Array): Buffer =>
  Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** The server's request listener (the emulator's whole HTTP front). */
export function requestListener(server: Server): RequestListener {
  const [listener] = server.listeners('request') as RequestListener[];
  if (!listener) throw new Error('the emulator server has no request listener');
  return listener;
}

/** One request through the listener, in this thread; resolves with its answer. */
export function answerInProcess(
  listener: RequestListener,
  r: EmulatorRequest,
): Promise<BackendResponse> {
  return new Promise((resolve) => {
    const req = Object.assign(new EventEmitter(), {
      method: r.method,
      url: r.path,
      headers: r.headers,
    });
    const headers: IncomingHttpHeaders = {};
    const res = {
      statusCode: 200,
      setHeader(name: string, value: number | string | readonly string[]) {
        headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
        return res;
      },
      getHeader: (name: string) => headers[name.toLowerCase()],
      removeHeader(name: string) {
        delete headers[name.toLowerCase()];
      },
      end(body?: string | Uint8Array | null) {
        const bytes =
          body == null ? EMPTY : typeof body === 'string' ? Buffer.from(body) : asBuffer(body);
        resolve({ status: res.statusCode, headers, body: bytes });
        return res;
      },
    };
    listener(req as never, res as never);
    // The listeners read the body through 'data' and 'end', registered synchronously above.
    if (r.body.length > 0) req.emit('data', asBuffer(r.body));
    req.emit('end');
  });
}

/**
 * Counts the answers still being made: `idle()` resolves once none is. An
 * emulator's close waits for it, so the requests in progress are answered
 * before the store closes (as the HTTP server's close waited for its requests).
 */
function answersInProgress() {
  let inProgress = 0;
  let waiters: Array<() => void> = [];
  return {
    track(answer: Promise<BackendResponse>): Promise<BackendResponse> {
      inProgress++;
      return answer.finally(() => {
        if (--inProgress > 0) return;
        for (const w of waiters) w();
        waiters = [];
      });
    },
    idle: (): Promise<void> =>
      inProgress === 0 ? Promise.resolve() : new Promise<void>((r) => waiters.push(r)),
  };
}

/** The emulator thread's side: answers each request message with an answer message. */
export function serveRequests(
  listener: RequestListener,
  post: (m: AnswerMessage) => void,
): { serve: (m: RequestMessage) => void; idle: () => Promise<void> } {
  const answers = answersInProgress();
  const serve = (m: RequestMessage) =>
    void answers
      .track(answerInProcess(listener, m))
      .then((a) =>
        post({ type: 'answer', id: m.id, status: a.status, headers: a.headers, body: a.body }),
      );
  return { serve, idle: answers.idle };
}

/** The edge's side of a worker thread's emulator: requests out, answers matched back by id. */
export class ThreadTransport implements EmulatorTransport {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (r: BackendResponse) => void; reject: (e: Error) => void }
  >();
  private ended: Error | undefined;

  constructor(
    private readonly worker: Worker,
    kind: string,
  ) {
    worker.on('message', (m: { type?: string }) => {
      if (m.type !== 'answer') return;
      const a = m as AnswerMessage;
      const p = this.pending.get(a.id);
      this.pending.delete(a.id);
      p?.resolve({ status: a.status, headers: a.headers, body: asBuffer(a.body) });
    });
    worker.once('exit', () => {
      this.ended = new Error(`the ${kind} thread has ended`);
      for (const p of this.pending.values()) p.reject(this.ended);
      this.pending.clear();
    });
  }

  request(
    method: string,
    path: string,
    headers: Record<string, string | string[]>,
    body: Buffer,
  ): Promise<BackendResponse> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({
        type: 'request',
        id,
        method,
        path,
        headers,
        body,
      } satisfies RequestMessage);
    });
  }
}

/** An inline emulator: the listener is called on this thread; `idle` as serveRequests'. */
export function inlineTransport(server: Server): EmulatorTransport & { idle(): Promise<void> } {
  const listener = requestListener(server);
  const answers = answersInProgress();
  return {
    request: (method, path, headers, body) =>
      answers.track(answerInProcess(listener, { method, path, headers, body })),
    idle: answers.idle,
  };
}
