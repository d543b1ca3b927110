/**
 * AWS's event-stream framing (application/vnd.amazon.eventstream), as the
 * SDK reads SubscribeToShard (pure): each message is a prelude (total
 * length, headers length, CRC32 of both), string headers, the payload and a
 * CRC32 of everything before it.
 */
import { crc32 } from 'node:zlib';

/** Header value type 7: a UTF-8 string with a 2-byte length. */
const STRING = 7;
const PRELUDE = 12;
const CRC = 4;

export function encodeMessage(headers: Record<string, string>, payload: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name, 'utf8');
    const v = Buffer.from(value, 'utf8');
    const h = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
    h.writeUInt8(n.length, 0);
    n.copy(h, 1);
    h.writeUInt8(STRING, 1 + n.length);
    h.writeUInt16BE(v.length, 2 + n.length);
    v.copy(h, 4 + n.length);
    parts.push(h);
  }
  const head = Buffer.concat(parts);
  const total = PRELUDE + head.length + payload.length + CRC;
  const out = Buffer.alloc(total);
  out.writeUInt32BE(total, 0);
  out.writeUInt32BE(head.length, 4);
  out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  head.copy(out, PRELUDE);
  payload.copy(out, PRELUDE + head.length);
  out.writeUInt32BE(crc32(out.subarray(0, total - CRC)), total - CRC);
  return out;
}

/** An event of the stream: `:event-type` names the member (or 'initial-response'). */
export function eventMessage(eventType: string, body: unknown): Buffer {
  return encodeMessage(
    { ':message-type': 'event', ':event-type': eventType, ':content-type': 'application/json' },
    Buffer.from(JSON.stringify(body)),
  );
}

/** A modelled error ending the stream, e.g. ResourceNotFoundException. */
export function exceptionMessage(code: string, message: string): Buffer {
  return encodeMessage(
    { ':message-type': 'exception', ':exception-type': code, ':content-type': 'application/json' },
    Buffer.from(JSON.stringify({ message })),
  );
}

/** Splits a byte stream back into messages (tests, and checking what is sent). */
export function decodeMessages(
  bytes: Buffer,
): Array<{ headers: Record<string, string>; payload: Buffer }> {
  const out: Array<{ headers: Record<string, string>; payload: Buffer }> = [];
  for (let at = 0; at + PRELUDE <= bytes.length;) {
    const total = bytes.readUInt32BE(at);
    const headLength = bytes.readUInt32BE(at + 4);
    const msg = bytes.subarray(at, at + total);
    if (crc32(msg.subarray(0, 8)) !== msg.readUInt32BE(8)) throw new Error('prelude CRC mismatch');
    if (crc32(msg.subarray(0, total - CRC)) !== msg.readUInt32BE(total - CRC))
      throw new Error('message CRC mismatch');
    const headers: Record<string, string> = {};
    for (let h = PRELUDE; h < PRELUDE + headLength;) {
      const n = msg.readUInt8(h);
      const name = msg.toString('utf8', h + 1, h + 1 + n);
      const len = msg.readUInt16BE(h + 2 + n);
      headers[name] = msg.toString('utf8', h + 4 + n, h + 4 + n + len);
      h += 4 + n + len;
    }
    out.push({ headers, payload: msg.subarray(PRELUDE + headLength, total - CRC) });
    at += total;
  }
  return out;
}
