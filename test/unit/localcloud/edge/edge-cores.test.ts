/**
 * The edge's pure parts: telling an HTTP/2 connection from HTTP/1.1 by its
 * first bytes, who may call (Host names the edge by a loopback name and its
 * port, Origin explicitly allowed, AWS credentials present), and the bounded
 * body reader (wire and decompressed size, bad encodings).
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readBody } from '../../../../localcloud/edge/body-reader';
import { classifyPrefix, HTTP2_PREFACE } from '../../../../localcloud/edge/protocol-sniff';
import {
  carriesCredentials,
  hostNamesEdge,
  isLoopbackName,
  refuseCaller,
  refuseUnsigned,
} from '../../../../localcloud/edge/request-guard';

const SIGV4 =
  'AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0';

describe('protocol sniffing', () => {
  it('needs the whole preface to say HTTP/2, and one differing byte to say HTTP/1.1', () => {
    expect(classifyPrefix(HTTP2_PREFACE)).toBe('h2');
    expect(classifyPrefix(Buffer.concat([HTTP2_PREFACE, Buffer.from([0, 0, 0])]))).toBe('h2');
    for (let n = 0; n < HTTP2_PREFACE.length; n++)
      expect(classifyPrefix(HTTP2_PREFACE.subarray(0, n))).toBe('pending');
    expect(classifyPrefix(Buffer.from('POST / HTTP/1.1\r\n'))).toBe('http1');
    expect(classifyPrefix(Buffer.from('P'))).toBe('pending');
    expect(classifyPrefix(Buffer.from('PO'))).toBe('http1');
    expect(classifyPrefix(Buffer.from('PRI * HTTP/1.1\r\n'))).toBe('http1');
  });
});

describe('who may call the edge', () => {
  const policy = { allowedOrigins: new Set(['http://localhost:3000']), port: 4566 };
  const req = (headers: Record<string, string>, url = '/') => ({ method: 'POST', url, headers });

  it('knows the loopback names', () => {
    for (const n of ['localhost', 'LOCALHOST', 'api.localhost', '127.0.0.1', '127.1.2.3', '::1'])
      expect(isLoopbackName(n)).toBe(true);
    for (const n of ['localhost.localstack.cloud', 's3.localhost.localstack.cloud'])
      expect(isLoopbackName(n)).toBe(true);
    for (const n of [
      'evil.example',
      'localhost.evil.example',
      '128.0.0.1',
      '127.0.0.256',
      '10.0.0.1',
      '0.0.0.0',
    ])
      expect(isLoopbackName(n)).toBe(false);
  });

  it('wants the edge named with its port in Host', () => {
    expect(hostNamesEdge('127.0.0.1:4566', 4566)).toBe(true);
    expect(hostNamesEdge('[::1]:4566', 4566)).toBe(true);
    expect(hostNamesEdge('localhost:4566', 4566)).toBe(true);
    expect(hostNamesEdge('localhost:4567', 4566)).toBe(false);
    expect(hostNamesEdge('localhost', 4566)).toBe(false);
    expect(hostNamesEdge('localhost', 80)).toBe(true);
    expect(hostNamesEdge('rebound.evil.example:4566', 4566)).toBe(false);
    expect(hostNamesEdge(undefined, 4566)).toBe(false);
    expect(hostNamesEdge('a:b:c', 4566)).toBe(false);
  });

  it('refuses a foreign Origin or Host with 403, lets a listed origin and non-browsers through', () => {
    const host = { host: '127.0.0.1:4566' };
    expect(refuseCaller(req(host), policy)).toBeUndefined();
    expect(refuseCaller(req({ ...host, origin: 'http://localhost:3000' }), policy)).toBeUndefined();
    const foreign = refuseCaller(req({ ...host, origin: 'https://evil.example' }), policy);
    expect(foreign).toMatchObject({ status: 403, code: 'AccessDeniedException' });
    expect(foreign?.message).toContain('--allow-origin https://evil.example');
    expect(refuseCaller(req({ ...host, origin: 'null' }), policy)?.status).toBe(403);
    expect(refuseCaller(req({ host: 'evil.example:4566' }), policy)?.status).toBe(403);
    expect(
      refuseCaller(req({ ...host, origin: 'https://any.example' }), {
        ...policy,
        allowedOrigins: '*',
      }),
    ).toBeUndefined();
  });

  it('wants AWS credentials: a SigV4 header or a presigned URL; a few STS calls are unsigned by design', () => {
    expect(carriesCredentials(req({ authorization: SIGV4 }))).toBe(true);
    expect(carriesCredentials(req({}, '/b/k?X-Amz-Credential=a%2F2025&X-Amz-Signature=0'))).toBe(
      true,
    );
    expect(carriesCredentials(req({}, '/b/k?AWSAccessKeyId=a&Signature=x&Expires=1'))).toBe(true);
    expect(refuseUnsigned(req({ authorization: SIGV4 }))).toBeUndefined();
    expect(refuseUnsigned(req({}))).toMatchObject({
      status: 403,
      code: 'MissingAuthenticationTokenException',
      queryCode: 'MissingAuthenticationToken',
    });
    expect(refuseUnsigned(req({ authorization: 'Bearer abc' }))?.code).toBe(
      'IncompleteSignatureException',
    );
    expect(
      refuseUnsigned(req({}), 'Action=AssumeRoleWithWebIdentity&Version=2011-06-15'),
    ).toBeUndefined();
    expect(refuseUnsigned(req({}), 'Action=GetCallerIdentity&Version=2011-06-15')?.status).toBe(
      403,
    );
  });
});

describe('bounded body reader', () => {
  const limits = { maxBodyBytes: 1000, maxDecodedBodyBytes: 4000 };
  const stream = (...chunks: Buffer[]) => Readable.from(chunks);

  it('reads plain and gzip bodies; a decoded body loses its Content-Encoding', async () => {
    expect(await readBody(stream(Buffer.from('ab'), Buffer.from('c')), {}, limits)).toEqual({
      ok: true,
      body: Buffer.from('abc'),
    });
    const headers: Record<string, string> = { 'content-encoding': 'gzip' };
    const text = 'x'.repeat(3000);
    const out = await readBody(stream(gzipSync(text)), headers, limits);
    expect(out).toEqual({ ok: true, body: Buffer.from(text) });
    expect(headers['content-encoding']).toBeUndefined();
    expect(headers['content-length']).toBe('3000');
  });

  it('refuses with 413 past either limit, and 400 for bad or unknown encodings', async () => {
    expect(await readBody(stream(Buffer.alloc(1001)), {}, limits)).toMatchObject({
      ok: false,
      status: 413,
    });
    expect(
      await readBody(stream(Buffer.alloc(10)), { 'content-length': '5000' }, limits),
    ).toMatchObject({ ok: false, status: 413 });
    const small = gzipSync(Buffer.alloc(4001));
    expect(await readBody(stream(small), { 'content-encoding': 'gzip' }, limits)).toMatchObject({
      ok: false,
      status: 413,
      message: expect.stringContaining('decompressed'),
    });
    expect(
      await readBody(stream(Buffer.from('not gzip')), { 'content-encoding': 'gzip' }, limits),
    ).toMatchObject({ ok: false, status: 400 });
    expect(
      await readBody(stream(Buffer.from('x')), { 'content-encoding': 'br' }, limits),
    ).toMatchObject({ ok: false, status: 400 });
  });
});
