/**
 * Reads a request body within bounds, decompressing as it arrives: the SDKs
 * gzip large bodies (CloudWatch PutMetricData over 10 KiB carries
 * Content-Encoding: gzip), and a small compressed body can expand a
 * thousandfold. Both the bytes on the wire and the bytes once expanded are
 * capped; zlib runs on libuv's thread pool, so a large body never blocks
 * other requests. Services see plain bytes and no encoding header.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';

export interface BodyLimits {
  /** Largest body on the wire. */
  maxBodyBytes: number;
  /** Largest body once decompressed. */
  maxDecodedBodyBytes: number;
}

export type BodyOutcome =
  { ok: true; body: Buffer } | { ok: false; status: 400 | 413; code: string; message: string };

const tooLarge = (what: string, limit: number): BodyOutcome => ({
  ok: false,
  status: 413,
  code: 'RequestEntityTooLargeException',
  message: `${what} larger than ${limit} bytes`,
});

/** Reads `stream` whole; removes Content-Encoding from `headers` once decoded. */
export function readBody(
  stream: Readable,
  headers: IncomingHttpHeaders,
  limits: BodyLimits,
): Promise<BodyOutcome> {
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBodyBytes) {
    stream.resume(); // discard what comes
    return Promise.resolve(tooLarge('request body', limits.maxBodyBytes));
  }
  const encoding = String(headers['content-encoding'] ?? '')
    .toLowerCase()
    .trim();
  let decoder: Gunzip | Inflate | undefined;
  // S3's aws-chunked framing is the S3 service's to decode.
  if (encoding.includes('aws-chunked')) decoder = undefined;
  else if (encoding === 'gzip' || encoding === 'x-gzip') decoder = createGunzip();
  else if (encoding === 'deflate') decoder = createInflate();
  else if (encoding !== '' && encoding !== 'identity') {
    stream.resume();
    return Promise.resolve({
      ok: false,
      status: 400,
      code: 'SerializationException',
      message: `cannot decode a request body with Content-Encoding: ${encoding}`,
    });
  }
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: BodyOutcome) => {
      if (settled) return;
      settled = true;
      if (!outcome.ok) {
        decoder?.destroy();
        stream.unpipe();
        stream.resume(); // let the rest drain; the answer goes out now
      } else if (decoder) {
        delete headers['content-encoding'];
        headers['content-length'] = String(outcome.body.length);
      }
      resolve(outcome);
    };
    const collect = (source: Readable, limit: number, what: string) => {
      const chunks: Buffer[] = [];
      let size = 0;
      source.on('data', (c: Buffer) => {
        size += c.length;
        if (size > limit) settle(tooLarge(what, limit));
        else if (!settled) chunks.push(c);
      });
      source.on('end', () => settle({ ok: true, body: Buffer.concat(chunks, size) }));
    };
    const cut = () =>
      settle({
        ok: false,
        status: 400,
        code: 'SerializationException',
        message: 'the request body ended early',
      });
    let whole = false;
    stream.on('end', () => (whole = true));
    stream.on('error', cut);
    stream.on('close', () => {
      if (!whole) cut();
    });
    if (!decoder) {
      collect(stream, limits.maxBodyBytes, 'request body');
      return;
    }
    let wire = 0;
    stream.on('data', (c: Buffer) => {
      wire += c.length;
      if (wire > limits.maxBodyBytes) settle(tooLarge('request body', limits.maxBodyBytes));
    });
    decoder.on('error', () =>
      settle({
        ok: false,
        status: 400,
        code: 'SerializationException',
        message: `the request body is not valid ${encoding} data`,
      }),
    );
    collect(decoder, limits.maxDecodedBodyBytes, 'decompressed request body');
    stream.pipe(decoder);
  });
}
