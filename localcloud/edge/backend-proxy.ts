/**
 * Forwards a request to an emulator — over its transport (a message to its
 * thread, or a call on this one), or HTTP on its internal loopback port —
 * and returns its answer buffered, so a service can inspect or rewrite it
 * before the edge replies. Keep-alive sockets: the edge is the emulator's
 * only client.
 */
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import type { EdgeResponse } from '../contracts';

export interface BackendResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'host',
  'date',
]);

/** The emulators insist on a (never verified) SigV4 header. */
const INTERNAL_AUTH = {
  authorization:
    'AWS4-HMAC-SHA256 Credential=streamscale/20200101/us-east-1/internal/aws4_request, SignedHeaders=host, Signature=0',
  'x-amz-date': '20200101T000000Z',
};

/** How a reused socket fails when the server closed it as idle before reading the request. */
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE']);

class StaleSocketError extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
  }
}

/** A way to reach an emulator other than HTTP on its port (localcloud/workers/emulator-requests.ts). */
export interface EmulatorTransport {
  request(
    method: string,
    path: string,
    headers: Record<string, string | string[]>,
    body: Buffer,
  ): Promise<BackendResponse>;
}

export class BackendProxy {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  /** the retry of a request whose kept-alive socket was stale: a connection of its own */
  private readonly freshAgent = new Agent({ keepAlive: false });

  /** `target`: the emulator's loopback port (HTTP), or its transport. */
  constructor(private readonly target: number | EmulatorTransport) {}

  send(
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    body: Buffer,
  ): Promise<BackendResponse> {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(headers)) {
      if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
    }
    out['content-length'] = String(body.length);
    const target = this.target;
    if (typeof target !== 'number') return target.request(method, path, out, body);
    return this.attempt(target, method, path, out, body).catch((err: unknown) => {
      // A kept-alive socket the emulator closed as idle just as the edge reused it: the emulator
      // never read the request (it closes only sockets with none in progress), so it is sent
      // again, once, on a new connection. Under load the two threads' idle timers drift apart
      // and this race answered clients 500 InternalFailure in bursts.
      if (!(err instanceof StaleSocketError)) throw err;
      return this.attempt(target, method, path, out, body, false);
    });
  }

  private attempt(
    port: number,
    method: string,
    path: string,
    headers: Record<string, string | string[]>,
    body: Buffer,
    reuse = true,
  ): Promise<BackendResponse> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          headers,
          agent: reuse ? this.agent : this.freshAgent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 500,
              headers: res.headers,
              body: Buffer.concat(chunks),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) =>
        reject(
          req.reusedSocket && STALE_SOCKET_CODES.has(err.code ?? '')
            ? new StaleSocketError(err)
            : err,
        ),
      );
      req.end(body);
    });
  }

  /** JSON call to the emulator (internal use: describe a stream, split a shard). */
  async call(
    target: string,
    payload: unknown,
    contentType: string,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const headers = { 'content-type': contentType, 'x-amz-target': target, ...INTERNAL_AUTH };
    const r = await this.send('POST', '/', headers, Buffer.from(JSON.stringify(payload)));
    const text = r.body.toString('utf8');
    return { status: r.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  close(): void {
    this.agent.destroy();
    this.freshAgent.destroy();
  }
}

export function writeBackendResponse(
  res: EdgeResponse,
  r: BackendResponse,
  body: Buffer = r.body,
): void {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(r.headers)) {
    if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
  }
  headers['content-length'] = String(body.length);
  res.writeHead(r.status, headers);
  res.end(body);
}
