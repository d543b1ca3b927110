/**
 * S3 at the edge (REST-XML): buckets (create, head, list, delete, location,
 * configuration subresources accepted), objects (Put, Get with Range, Head,
 * Copy, Delete, DeleteObjects, ListObjects v1/v2) and multipart uploads —
 * what `cdk bootstrap`, asset publishing (cdk-assets) and Lambda code from S3
 * use. Path-style and virtual-host addressing (s3-request.ts); aws-chunked
 * bodies (the SDK's streaming uploads with trailing checksums) decoded.
 * This file routes a request to its handler: listings (bucket-listing.ts),
 * objects (object-requests.ts), multipart uploads (multipart-requests.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CloudContext, EdgeService } from '../contracts';
import { S3Error } from './bucket-store';
import { persistentBucketStore } from './s3-persistence';
import { CONFIG_KINDS, configKindOf } from './bucket-config';
import { listBuckets, listObjects, listVersions } from './bucket-listing';
import {
  completeUpload,
  initiateUpload,
  listParts,
  listUploads,
  uploadPart,
} from './multipart-requests';
import {
  copyObject,
  getObject,
  header,
  objectSubresource,
  putInput,
  putObject,
  type Headers,
} from './object-requests';
import { decodeAwsChunked, isAwsChunked, parseAddress } from './s3-request';
import { s3Document, sendS3Error, sendXml, xmlElements, xmlValues } from './s3-xml';

const methodNotAllowed = () =>
  new S3Error(
    'MethodNotAllowed',
    'The specified method is not allowed against this resource.',
    405,
  );

export class S3Service implements EdgeService {
  readonly signingNames = ['s3'] as const;

  constructor(
    private readonly ctx: CloudContext,
    readonly store = persistentBucketStore(ctx),
  ) {}

  async close(): Promise<void> {}

  async handle(req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    try {
      let body = raw;
      if (isAwsChunked(req.headers)) body = decodeAwsChunked(raw).data;
      const addr = parseAddress(req.url ?? '/', header(req.headers, 'host'));
      if (!addr.bucket) {
        if (method !== 'GET') throw methodNotAllowed();
        listBuckets(this.store, res);
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
    if (method === 'GET' && query.has('location')) return this.location(bucket, res);
    if (method === 'GET' && query.has('uploads')) return listUploads(this.store, bucket, res);
    if (method === 'GET' && query.has('versions'))
      return listVersions(this.store, bucket, query, res);
    if (method === 'GET') return listObjects(this.store, bucket, query, res);
    throw methodNotAllowed();
  }

  private location(bucket: string, res: ServerResponse): void {
    const region = this.store.bucket(bucket).region;
    sendXml(
      res,
      200,
      s3Document('LocationConstraint', {}).replace(
        '></LocationConstraint>',
        `>${region === 'us-east-1' ? '' : region}</LocationConstraint>`,
      ),
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
    const store = this.store;
    const uploadId = q.get('uploadId');
    if (method === 'PUT' && uploadId)
      return uploadPart(store, bucket, uploadId, Number(q.get('partNumber')), body, res);
    if (q.has('tagging') || q.has('acl'))
      return objectSubresource(store, method, { bucket, key }, q, res);
    if (method === 'PUT') {
      const source = header(h, 'x-amz-copy-source');
      if (source) return copyObject(store, { bucket, key }, source, h, res);
      return putObject(store, bucket, key, body, h, res);
    }
    if (method === 'GET' && uploadId) return listParts(store, bucket, key, uploadId, res);
    if (method === 'GET' || method === 'HEAD') return getObject(store, method, bucket, key, h, res);
    if (method === 'DELETE') {
      if (uploadId) store.abortUpload(bucket, uploadId);
      else store.deleteObject(bucket, key);
      res.writeHead(204);
      res.end();
      return;
    }
    if (method === 'POST' && q.has('uploads'))
      return initiateUpload(store, bucket, key, putInput(h), res);
    if (method === 'POST' && uploadId) {
      const location = `${this.ctx.endpoint}/${bucket}/${encodeURIComponent(key)}`;
      return completeUpload(store, { bucket, key, uploadId, location }, body, res);
    }
    throw methodNotAllowed();
  }
}
