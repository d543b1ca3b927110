/**
 * S3 at the edge (REST-XML): buckets (create, head, list, delete, location,
 * configuration subresources accepted), objects (Put, Get with Range, Head,
 * Copy, Delete, DeleteObjects, ListObjects v1/v2) and multipart uploads —
 * what `cdk bootstrap`, asset publishing (cdk-assets) and Lambda code from S3
 * use. Path-style and virtual-host addressing (s3-request.ts); aws-chunked
 * bodies (the SDK's streaming uploads with trailing checksums) decoded.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CloudContext, EdgeService } from '../contracts';
import { BucketStore, S3Error, type ObjectMeta, type PutInput } from './bucket-store';
import { CONFIG_KINDS, configKindOf } from './bucket-config';
import { decodeAwsChunked, isAwsChunked, parseAddress } from './s3-request';
import {
  httpDate,
  isoDate,
  s3Document,
  sendS3Error,
  sendXml,
  xmlElements,
  xmlValues,
} from './s3-xml';

const OWNER = {
  ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a',
  DisplayName: 'local',
};
/** Headers kept with an object and answered back on Get/Head. */
const KEPT_HEADERS = [
  'content-encoding',
  'content-disposition',
  'content-language',
  'cache-control',
  'expires',
];

type Headers = IncomingMessage['headers'];
const header = (h: Headers, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

function putInput(h: Headers): PutInput {
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

export class S3Service implements EdgeService {
  readonly signingNames = ['s3'] as const;

  constructor(
    private readonly ctx: CloudContext,
    readonly store = new BucketStore(),
  ) {}

  async close(): Promise<void> {}

  async handle(req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    try {
      let body = raw;
      if (isAwsChunked(req.headers)) body = decodeAwsChunked(raw).data;
      const addr = parseAddress(req.url ?? '/', header(req.headers, 'host'));
      if (!addr.bucket) {
        if (method !== 'GET')
          throw new S3Error(
            'MethodNotAllowed',
            'The specified method is not allowed against this resource.',
            405,
          );
        this.listBuckets(res);
      } else if (addr.key === undefined) {
        this.bucketRequest(method, addr.bucket, addr.query, body, req.headers, res);
      } else {
        this.objectRequest(method, addr.bucket, addr.key, addr.query, body, req.headers, res);
      }
    } catch (err) {
      if (err instanceof S3Error)
        sendS3Error(res, method === 'HEAD', err.code, err.message, err.status, err.extra);
      else if (err instanceof URIError)
        sendS3Error(res, method === 'HEAD', 'InvalidURI', "Couldn't parse the specified URI.", 400);
      else throw err;
    }
  }

  private listBuckets(res: ServerResponse): void {
    sendXml(
      res,
      200,
      s3Document('ListAllMyBucketsResult', {
        Owner: OWNER,
        Buckets: {
          Bucket: this.store
            .listBuckets()
            .map((b) => ({ Name: b.name, CreationDate: isoDate(b.createdAt) })),
        },
      }),
    );
  }

  private bucketRequest(
    method: string,
    bucket: string,
    query: URLSearchParams,
    body: Buffer,
    h: Headers,
    res: ServerResponse,
  ): void {
    const kind = configKindOf(query);
    if (kind) return this.bucketConfig(method, bucket, kind, body, res);
    if (method === 'PUT') {
      const m = /<LocationConstraint>([^<]*)<\/LocationConstraint>/.exec(body.toString('utf8'));
      const region = m?.[1] || 'us-east-1';
      this.store.createBucket(bucket, region);
      res.writeHead(200, { Location: `/${bucket}`, 'Content-Length': 0 });
      res.end();
      return;
    }
    if (method === 'HEAD') {
      const b = this.store.bucket(bucket);
      res.writeHead(200, { 'x-amz-bucket-region': b.region, 'Content-Length': 0 });
      res.end();
      return;
    }
    if (method === 'DELETE') {
      this.store.deleteBucket(bucket);
      res.writeHead(204);
      res.end();
      return;
    }
    if (method === 'POST' && query.has('delete')) return this.deleteObjects(bucket, body, res);
    if (method === 'GET' && query.has('location')) {
      const region = this.store.bucket(bucket).region;
      sendXml(
        res,
        200,
        s3Document('LocationConstraint', {}).replace(
          '></LocationConstraint>',
          `>${region === 'us-east-1' ? '' : region}</LocationConstraint>`,
        ),
      );
      return;
    }
    if (method === 'GET' && query.has('uploads')) {
      const b = this.store.bucket(bucket);
      sendXml(
        res,
        200,
        s3Document('ListMultipartUploadsResult', {
          Bucket: bucket,
          IsTruncated: false,
          Upload: Object.entries(b.uploads).map(([id, u]) => ({
            Key: u.key,
            UploadId: id,
            Initiated: isoDate(u.initiated),
          })),
        }),
      );
      return;
    }
    if (method === 'GET') return this.listObjects(bucket, query, res);
    throw new S3Error(
      'MethodNotAllowed',
      'The specified method is not allowed against this resource.',
      405,
    );
  }

  private bucketConfig(
    method: string,
    bucket: string,
    kind: string,
    body: Buffer,
    res: ServerResponse,
  ): void {
    const b = this.store.bucket(bucket);
    const spec = CONFIG_KINDS[kind]!;
    if (method === 'PUT') {
      b.config[kind] = body.toString('utf8');
      res.writeHead(kind === 'policy' || kind === 'tagging' ? 204 : 200, { 'Content-Length': 0 });
      res.end();
      return;
    }
    if (method === 'DELETE') {
      delete b.config[kind];
      res.writeHead(204);
      res.end();
      return;
    }
    const stored = b.config[kind];
    if (stored === undefined && spec.missing)
      throw new S3Error(spec.missing.code, spec.missing.message, 404, { BucketName: bucket });
    const text = stored ?? spec.empty ?? '';
    res.writeHead(200, {
      'Content-Type': spec.contentType ?? 'application/xml',
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  private listObjects(bucket: string, q: URLSearchParams, res: ServerResponse): void {
    const v2 = q.get('list-type') === '2';
    const max = Math.min(1000, Math.max(0, Number(q.get('max-keys') ?? 1000) || 0));
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') || undefined;
    const token = q.get('continuation-token');
    const after = v2
      ? token
        ? Buffer.from(token, 'base64').toString('utf8')
        : (q.get('start-after') ?? undefined)
      : (q.get('marker') ?? undefined);
    const r = this.store.list(bucket, { prefix, delimiter, after: after || undefined, max });
    const encode =
      q.get('encoding-type') === 'url'
        ? (s: string) => encodeURIComponent(s).replace(/%2F/g, '/')
        : (s: string) => s;
    const contents = r.objects.map((o) => ({
      Key: encode(o.key),
      LastModified: isoDate(o.lastModified),
      ETag: o.etag,
      Size: o.size,
      ...(v2 ? {} : { Owner: OWNER }),
      StorageClass: 'STANDARD',
    }));
    const common = r.prefixes.map((p) => ({ Prefix: encode(p) }));
    const base = {
      Name: bucket,
      Prefix: encode(prefix),
      ...(delimiter ? { Delimiter: delimiter } : {}),
      MaxKeys: max,
      ...(q.get('encoding-type') ? { EncodingType: q.get('encoding-type') } : {}),
      IsTruncated: r.truncated,
    };
    const doc = v2
      ? {
          ...base,
          KeyCount: contents.length + common.length,
          ...(token ? { ContinuationToken: token } : {}),
          ...(q.get('start-after') ? { StartAfter: q.get('start-after') } : {}),
          ...(r.truncated && r.next
            ? { NextContinuationToken: Buffer.from(r.next).toString('base64') }
            : {}),
          Contents: contents,
          CommonPrefixes: common,
        }
      : {
          ...base,
          Marker: after ?? '',
          ...(r.truncated && r.next && delimiter ? { NextMarker: r.next } : {}),
          Contents: contents,
          CommonPrefixes: common,
        };
    sendXml(res, 200, s3Document('ListBucketResult', doc));
  }

  private deleteObjects(bucket: string, body: Buffer, res: ServerResponse): void {
    this.store.bucket(bucket);
    const xml = body.toString('utf8');
    const keys = xmlElements(xml, 'Object').flatMap((o) => xmlValues(o, 'Key'));
    for (const k of keys) this.store.deleteObject(bucket, k);
    const quiet = /<Quiet>\s*true\s*<\/Quiet>/.test(xml);
    sendXml(
      res,
      200,
      s3Document('DeleteResult', { Deleted: quiet ? [] : keys.map((Key) => ({ Key })) }),
    );
  }

  private objectRequest(
    method: string,
    bucket: string,
    key: string,
    q: URLSearchParams,
    body: Buffer,
    h: Headers,
    res: ServerResponse,
  ): void {
    const uploadId = q.get('uploadId');
    if (method === 'PUT' && uploadId) {
      const etag = this.store.uploadPart(bucket, uploadId, Number(q.get('partNumber')), body);
      res.writeHead(200, { ETag: etag, 'Content-Length': 0 });
      res.end();
      return;
    }
    if (q.has('tagging') || q.has('acl'))
      return this.objectSubresource(method, bucket, key, q, res);
    if (method === 'PUT') {
      const source = header(h, 'x-amz-copy-source');
      if (source) return this.copyObject(bucket, key, source, h, res);
      const meta = this.store.putObject(bucket, key, body, putInput(h));
      res.writeHead(200, {
        ETag: meta.etag,
        'Content-Length': 0,
        ...(meta.versionId ? { 'x-amz-version-id': meta.versionId } : {}),
      });
      res.end();
      return;
    }
    if (method === 'GET' && uploadId) return this.listParts(bucket, key, uploadId, res);
    if (method === 'GET' || method === 'HEAD') return this.getObject(method, bucket, key, h, res);
    if (method === 'DELETE') {
      if (uploadId) this.store.abortUpload(bucket, uploadId);
      else this.store.deleteObject(bucket, key);
      res.writeHead(204);
      res.end();
      return;
    }
    if (method === 'POST' && q.has('uploads')) {
      const id = this.store.createUpload(bucket, key, putInput(h));
      sendXml(
        res,
        200,
        s3Document('InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: id }),
      );
      return;
    }
    if (method === 'POST' && uploadId) {
      const xml = body.toString('utf8');
      const parts = xmlElements(xml, 'Part').map((p) => ({
        partNumber: Number(xmlValues(p, 'PartNumber')[0]),
        etag: xmlValues(p, 'ETag')[0] ?? '',
      }));
      const meta = this.store.completeUpload(bucket, uploadId, parts);
      sendXml(
        res,
        200,
        s3Document('CompleteMultipartUploadResult', {
          Location: `${this.ctx.endpoint}/${bucket}/${encodeURIComponent(key)}`,
          Bucket: bucket,
          Key: key,
          ETag: meta.etag,
        }),
      );
      return;
    }
    throw new S3Error(
      'MethodNotAllowed',
      'The specified method is not allowed against this resource.',
      405,
    );
  }

  private getObject(
    method: string,
    bucket: string,
    key: string,
    h: Headers,
    res: ServerResponse,
  ): void {
    const { meta, body } = this.store.getObject(bucket, key);
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

  private copyObject(
    bucket: string,
    key: string,
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
    const meta = this.store.copyObject(
      { bucket: path.slice(0, slash), key: path.slice(slash + 1) },
      { bucket, key },
      replace,
    );
    sendXml(
      res,
      200,
      s3Document('CopyObjectResult', { LastModified: isoDate(meta.lastModified), ETag: meta.etag }),
    );
  }

  private listParts(bucket: string, key: string, uploadId: string, res: ServerResponse): void {
    const u = this.store.bucket(bucket).uploads[uploadId];
    if (!u)
      throw new S3Error('NoSuchUpload', 'The specified upload does not exist.', 404, {
        UploadId: uploadId,
      });
    sendXml(
      res,
      200,
      s3Document('ListPartsResult', {
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        IsTruncated: false,
        Part: Object.entries(u.parts)
          .sort(([a], [b]) => Number(a) - Number(b))
          .map(([n, p]) => ({ PartNumber: Number(n), ETag: p.etag, Size: p.size })),
      }),
    );
  }

  /** Object tagging and ACLs: accepted; reads answer an empty tag set and the owner's full control. */
  private objectSubresource(
    method: string,
    bucket: string,
    key: string,
    q: URLSearchParams,
    res: ServerResponse,
  ): void {
    this.store.getObject(bucket, key);
    if (method === 'GET') {
      const xml = q.has('tagging')
        ? s3Document('Tagging', { TagSet: '' })
        : CONFIG_KINDS.acl!.empty!;
      sendXml(res, 200, xml);
      return;
    }
    res.writeHead(method === 'DELETE' ? 204 : 200, { 'Content-Length': 0 });
    res.end();
  }
}
