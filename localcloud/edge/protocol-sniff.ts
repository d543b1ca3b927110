/**
 * HTTP/1.1 and cleartext HTTP/2 on one port: a client speaking HTTP/2 with
 * prior knowledge (the AWS SDK v3 Kinesis client on an http:// endpoint)
 * opens with the fixed connection preface; anything else is HTTP/1.1. The
 * first bytes decide, then the socket goes, those bytes included, to the
 * server for its protocol.
 */
import type { Socket } from 'node:net';

/** RFC 9113 §3.4: the client connection preface. */
export const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export type WireVersion = 'http1' | 'h2';

/** What the first bytes of a connection say (pure): a protocol, or 'pending' when too few to tell. */
export function classifyPrefix(bytes: Buffer): WireVersion | 'pending' {
  const n = Math.min(bytes.length, HTTP2_PREFACE.length);
  if (!bytes.subarray(0, n).equals(HTTP2_PREFACE.subarray(0, n))) return 'http1';
  return n === HTTP2_PREFACE.length ? 'h2' : 'pending';
}

/**
 * Reads a new connection's first bytes and calls `decided` once with its
 * protocol, the bytes pushed back into the socket; a connection that says
 * nothing for `timeoutMs` is closed (the HTTP servers' own timeouts start
 * only after the hand-over).
 */
export function sniffConnection(
  socket: Socket,
  timeoutMs: number,
  decided: (version: WireVersion) => void,
): void {
  let seen: Buffer = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  timer.unref();
  const onData = (chunk: Buffer) => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const version = classifyPrefix(seen);
    if (version === 'pending') return;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('close', onClose);
    socket.pause();
    socket.unshift(seen);
    decided(version);
  };
  const onClose = () => clearTimeout(timer);
  socket.on('data', onData);
  socket.on('close', onClose);
}
