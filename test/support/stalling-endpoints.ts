/**
 * Loopback endpoints that accept connections and never give a usable answer,
 * for the client timeout tests:
 * - `silent`: accepts, reads, never writes a byte;
 * - `slow-headers`: answers HTTP/1.1 one header byte every `dripMs`, so the
 *   headers never end;
 * - `slow-body`: complete headers at once (Content-Length 1 MiB), then one
 *   body byte every `dripMs`.
 * The drips keep the socket busy, so no idle timer fires: only a deadline
 * on the whole answer ends the call.
 */
import { createServer, type Socket } from 'node:net';

export type StallKind = 'silent' | 'slow-headers' | 'slow-body';

export interface StallingEndpoint {
  url: string;
  /** connections accepted so far */
  readonly connections: number;
  close(): Promise<void>;
}

const HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n';

function drip(socket: Socket, text: string, dripMs: number, from = 0): void {
  let i = from;
  const timer = setInterval(() => {
    if (socket.destroyed) return clearInterval(timer);
    socket.write(text[i++ % text.length]!);
  }, dripMs);
  socket.once('close', () => clearInterval(timer));
}

export async function stallingEndpoint(kind: StallKind, dripMs = 100): Promise<StallingEndpoint> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
    socket.once('data', () => {
      if (kind === 'slow-headers') drip(socket, HEAD, dripMs);
      if (kind === 'slow-body') {
        socket.write(`${HEAD}Content-Length: ${1024 * 1024}\r\n\r\n{`);
        drip(socket, ' ', dripMs);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
