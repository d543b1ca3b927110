/**
 * How an S3 request names its bucket and key (pure): path style
 * (`http://127.0.0.1:4566/<bucket>/<key>`, what the SDK sends to an IP
 * endpoint or with forcePathStyle) or virtual-host style
 * (`<bucket>.s3.<domain>`, `<bucket>.s3-<region>.<domain>`,
 * `<bucket>.localhost`); and the aws-chunked body encoding the SDK uses for
 * streaming uploads with trailing checksums.
 */

export interface S3Address {
  bucket?: string;
  key?: string;
  query: URLSearchParams;
}

/** The bucket a Host header names, if it is virtual-host style. */
export function bucketFromHost(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const name = host.replace(/:\d+$/, '').toLowerCase();
  const s3 = /^(.+?)\.s3[.-]/.exec(name);
  if (s3) return s3[1];
  const local = /^(.+)\.localhost$/.exec(name);
  if (local && !local[1]!.startsWith('s3')) return local[1];
  return undefined;
}

export function parseAddress(url: string, host: string | undefined): S3Address {
  const q = url.indexOf('?');
  const path = q >= 0 ? url.slice(0, q) : url;
  const query = new URLSearchParams(q >= 0 ? url.slice(q + 1) : '');
  const segments = path.replace(/^\//, '');
  const decode = (s: string) => decodeURIComponent(s);
  const virtual = bucketFromHost(host);
  if (virtual) {
    return { bucket: virtual, key: segments.length > 0 ? decode(segments) : undefined, query };
  }
  if (segments.length === 0) return { query };
  const slash = segments.indexOf('/');
  if (slash < 0) return { bucket: decode(segments), query };
  const key = segments.slice(slash + 1);
  return {
    bucket: decode(segments.slice(0, slash)),
    key: key.length > 0 ? decode(key) : undefined,
    query,
  };
}

/** True when the body is aws-chunked (Content-Encoding, or a STREAMING-* payload hash). */
export function isAwsChunked(headers: Record<string, string | string[] | undefined>): boolean {
  const enc = String(headers['content-encoding'] ?? '').toLowerCase();
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  return enc.split(',').some((e) => e.trim() === 'aws-chunked') || sha.startsWith('STREAMING-');
}

/**
 * Decode `<hex>[;chunk-signature=…]\r\n<data>\r\n … 0…\r\n[trailers]\r\n`:
 * the payload and any trailing headers (x-amz-checksum-crc32: …).
 */
export function decodeAwsChunked(body: Buffer): { data: Buffer; trailers: Record<string, string> } {
  const chunks: Buffer[] = [];
  let p = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', p);
    if (eol < 0) throw new Error('aws-chunked body: missing chunk header');
    const size = parseInt(body.subarray(p, eol).toString('latin1').split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size)) throw new Error('aws-chunked body: bad chunk size');
    p = eol + 2;
    if (size === 0) break;
    chunks.push(body.subarray(p, p + size));
    p += size + 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of body.subarray(p).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0)
      trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { data: Buffer.concat(chunks), trailers };
}
