/**
 * The edge's connection to an emulator: a kept-alive socket the emulator
 * closes as idle at the moment the edge reuses it. The server here plays
 * that race deterministically — every second request on a connection finds
 * the socket reset before a byte of it is read — and counts what it served.
 */
import { createServer, type Server } from 'node:http';
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
} from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendProxy } from '../../../../localcloud/edge/backend-proxy';

let server: Server | undefined;
let raw: NetServer | undefined;
let proxy: BackendProxy | undefined;

afterEach(async () => {
  proxy?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await new Promise((resolve) => (raw ? raw.close(resolve) : resolve(undefined)));
  server = raw = undefined;
});

/**
 * A bare HTTP/1.1 server on a socket of its own (Node's own server reads sockets out of sight):
 * it answers the first request of each connection, kept alive, and resets the connection at the
 * first byte of the next one — the idle close that raced the edge's reuse — without reading it.
 */
async function racingServer(): Promise<{ port: number; served: string[] }> {
  const served: string[] = [];
  raw = createNetServer((socket) => {
    let buffered = Buffer.alloc(0);
    let answered = false;
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      if (answered) return socket.resetAndDestroy();
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(
        /content-length: *(\d+)/i.exec(buffered.toString('latin1', 0, end))?.[1],
      );
      if (buffered.length < end + 4 + length) return;
      served.push(buffered.toString('utf8', end + 4, end + 4 + length));
      answered = true;
      const body = '{"ok":true}';
      socket.write(
        `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body}`,
      );
    });
  });
  await new Promise<void>((resolve) => raw!.listen(0, '127.0.0.1', resolve));
  return { port: (raw!.address() as AddressInfo).port, served };
}

describe('BackendProxy over kept-alive sockets', () => {
  it('sends a request again on a new connection when its reused socket was reset unread', async () => {
    const { port, served } = await racingServer();
    proxy = new BackendProxy(port);
    const first = await proxy.call('T.One', { n: 1 }, 'application/json');
    const second = await proxy.call('T.Two', { n: 2 }, 'application/json');
    expect(first).toEqual({ status: 200, json: { ok: true } });
    expect(second).toEqual({ status: 200, json: { ok: true } });
    // Each request served once: the reset one was never read, its retry was.
    expect(served).toEqual(['{"n":1}', '{"n":2}']);
  });

  it('does not send again a request whose connection was new', async () => {
    let served = 0;
    server = createServer((req) => {
      served++;
      req.socket.resetAndDestroy();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    proxy = new BackendProxy((server.address() as AddressInfo).port);
    await expect(proxy.call('T.One', {}, 'application/json')).rejects.toThrow();
    expect(served).toBe(1);
  });
});
