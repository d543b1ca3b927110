/**
 * Single-object requests over REST: Put (with the headers and metadata S3
 * keeps), Get and Head (Range, If-None-Match), Copy, and the tagging / ACL
 * subresources, which are accepted.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONFIG_KINDS } from './bucket-config';
import { S3Error, type BucketStore, type ObjectMeta, type PutInput } from './bucket-store';
import { httpDate, isoDate, s3Document, sendXml } from './s3-xml';

/** Headers kept with an object and answered back on Get/Head. */
const KEPT_HEADERS = [
  'content-encoding',
  'content-disposition',
  'content-language',
  'cache-control',
  'expires',
];

export type Headers = IncomingMessage['headers'];

export const header = (h: Headers, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/** What a Put, a multipart upload or a replacing Copy keeps from the request headers. */
export function putInput(h: Headers): PutInput {
  const metadata: Record<string, string> = {};
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (k.startsWith('x-amz-meta-')) metadata[k.slice('x-amz-meta-'.length)] = String(v);
    if (
      KEPT_HEADERS.includes(k) &&
      !(k === 'content-encoding' && String(v).includes('aws-chunked'))
    )
      headers[k] = String(v);
  }
  return { contentType: header(h, 'content-type'), metadata, headers };
}

function objectHeaders(meta: ObjectMeta): Record<string, string> {
  const out: Record<string, string> = {
    'Content-Type': meta.contentType,
    ETag: meta.etag,
    'Last-Modified': httpDate(meta.lastModified),
    'Accept-Ranges': 'bytes',
    ...meta.headers,
  };
  for (const [k, v] of Object.entries(meta.metadata)) out[`x-amz-meta-${k}`] = v;
  if (meta.versionId) out['x-amz-version-id'] = meta.versionId;
  return out;
}

export function putObject(
  store: BucketStore,
  bucket: string,
  key: string,
  body: Buffer,
  h: Headers,
  res: ServerResponse,
): void {
  const meta = store.putObject(bucket, key, body, putInput(h));
  res.writeHead(200, {
    ETag: meta.etag,
    'Content-Length': 0,
    ...(meta.versionId ? { 'x-amz-version-id': meta.versionId } : {}),
  });
  res.end();
}

export function getObject(
  store: BucketStore,
  method: string,
  bucket: string,
  key: string,
  h: Headers,
  res: ServerResponse,
): void {
  const { meta, body } = store.getObject(bucket, key);
  const headers = objectHeaders(meta);
  const range = /^bytes=(\d*)-(\d*)$/.exec(header(h, 'range') ?? '');
  if (header(h, 'if-none-match') === meta.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  if (range && (range[1] || range[2])) {
    const start = range[1] ? Number(range[1]) : Math.max(0, body.length - Number(range[2]));
    const end =
      range[1] && range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
    if (start >= body.length || start > end)
      throw new S3Error('InvalidRange', 'The requested range is not satisfiable', 416);
    const part = body.subarray(start, end + 1);
    res.writeHead(206, {
      ...headers,
      'Content-Length': part.length,
      'Content-Range': `bytes ${start}-${end}/${body.length}`,
    });
    res.end(method === 'HEAD' ? undefined : part);
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': body.length });
  res.end(method === 'HEAD' ? undefined : body);
}

/** `source` is the x-amz-copy-source header: `[/]bucket/key[?versionId=…]`. */
export function copyObject(
  store: BucketStore,
  target: { bucket: string; key: string },
  source: string,
  h: Headers,
  res: ServerResponse,
): void {
  const path = decodeURIComponent(source.split('?')[0]!).replace(/^\//, '');
  const slash = path.indexOf('/');
  if (slash <= 0)
    throw new S3Error(
      'InvalidArgument',
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      400,
    );
  const replace = header(h, 'x-amz-metadata-directive') === 'REPLACE' ? putInput(h) : undefined;
  const meta = store.copyObject(
    { bucket: path.slice(0, slash), key: path.slice(slash + 1) },
    target,
    replace,
  );
  sendXml(
    res,
    200,
    s3Document('CopyObjectResult', { LastModified: isoDate(meta.lastModified), ETag: meta.etag }),
  );
}

/** Object tagging and ACLs: accepted; reads answer an empty tag set and the owner's full control. */
export function objectSubresource(
  store: BucketStore,
  method: string,
  target: { bucket: string; key: string },
  q: URLSearchParams,
  res: ServerResponse,
): void {
  store.getObject(target.bucket, target.key);
  if (method === 'GET') {
    const xml = q.has('tagging') ? s3Document('Tagging', { TagSet: '' }) : CONFIG_KINDS.acl!.empty!;
    sendXml(res, 200, xml);
    return;
  }
  res.writeHead(method === 'DELETE' ? 204 : 200, { 'Content-Length': 0 });
  res.end();
}
