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

const badRequest = (message: string): BodyOutcome => ({
  ok: false,
  status: 400,
  code: 'SerializationException',
  message,
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
  const decoder = decoderFor(encoding);
  if (decoder === 'unsupported') {
    stream.resume();
    return Promise.resolve(
      badRequest(`cannot decode a request body with Content-Encoding: ${encoding}`),
    );
  }
  return receive(stream, headers, limits, decoder && { decoder, encoding });
}

function decoderFor(encoding: string): Gunzip | Inflate | undefined | 'unsupported' {
  // S3's aws-chunked framing is the S3 service's to decode.
  if (encoding.includes('aws-chunked')) return undefined;
  if (encoding === 'gzip' || encoding === 'x-gzip') return createGunzip();
  if (encoding === 'deflate') return createInflate();
  if (encoding !== '' && encoding !== 'identity') return 'unsupported';
  return undefined;
}

/** Collects the body, through `decoding` when there is one, until its end or a limit. */
function receive(
  stream: Readable,
  headers: IncomingHttpHeaders,
  limits: BodyLimits,
  decoding: { decoder: Gunzip | Inflate; encoding: string } | undefined,
): Promise<BodyOutcome> {
  const decoder = decoding?.decoder;
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
    const cut = () => settle(badRequest('the request body ended early'));
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
      settle(badRequest(`the request body is not valid ${decoding.encoding} data`)),
    );
    collect(decoder, limits.maxDecodedBodyBytes, 'decompressed request body');
    stream.pipe(decoder);
  });
}
