/**
 * S3 state as plain data (serialisable as it is, for --data-dir): buckets
 * with their configuration documents (policy, encryption, versioning,
 * lifecycle, public access block, tagging, ... kept as the bodies the client
 * sent) and objects' metadata; object bytes live in a BlobStore by id, so
 * the metadata stays small JSON and the bytes can be files. Pure: no HTTP.
 */
import { createHash, randomUUID } from 'node:crypto';

export interface ObjectMeta {
  key: string;
  size: number;
  /** quoted, as S3 sends it: "md5hex" or "md5-of-md5s-N" for multipart */
  etag: string;
  contentType: string;
  /** epoch ms */
  lastModified: number;
  /** x-amz-meta-* without the prefix */
  metadata: Record<string, string>;
  /** Content-Encoding, Cache-Control, Content-Disposition, ... as sent */
  headers: Record<string, string>;
  blobId: string;
  versionId?: string;
}

export interface UploadState {
  key: string;
  initiated: number;
  contentType: string;
  metadata: Record<string, string>;
  headers: Record<string, string>;
  parts: Record<string, { etag: string; size: number; blobId: string }>;
}

export interface BucketState {
  name: string;
  region: string;
  createdAt: number;
  /** configuration documents by subresource name ('policy', 'encryption', 'versioning', ...) */
  config: Record<string, string>;
  objects: Record<string, ObjectMeta>;
  uploads: Record<string, UploadState>;
}

export interface S3State {
  buckets: Record<string, BucketState>;
}

/** Where object bytes live (in memory here; files when the cloud persists). */
export interface BlobStore {
  put(id: string, data: Buffer): void;
  get(id: string): Buffer | undefined;
  delete(id: string): void;
}

export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<string, Buffer>();
  put(id: string, data: Buffer): void {
    this.blobs.set(id, data);
  }
  get(id: string): Buffer | undefined {
    return this.blobs.get(id);
  }
  delete(id: string): void {
    this.blobs.delete(id);
  }
}

export class S3Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export const md5Hex = (data: Buffer) => createHash('md5').update(data).digest('hex');

export interface PutInput {
  contentType?: string;
  metadata?: Record<string, string>;
  headers?: Record<string, string>;
}

export class BucketStore {
  constructor(
    readonly blobs: BlobStore = new MemoryBlobStore(),
    readonly state: S3State = { buckets: {} },
  ) {}

  bucket(name: string): BucketState {
    const b = this.state.buckets[name];
    if (!b)
      throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', 404, {
        BucketName: name,
      });
    return b;
  }

  createBucket(name: string, region: string, now = Date.now()): { created: boolean } {
    if (!BUCKET_NAME.test(name) || name.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(name))
      throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.', 400, {
        BucketName: name,
      });
    const existing = this.state.buckets[name];
    if (existing) {
      // us-east-1 answers a repeated create by its owner with success (AWS's legacy behaviour).
      if (region === 'us-east-1' && existing.region === region) return { created: false };
      throw new S3Error(
        'BucketAlreadyOwnedByYou',
        'Your previous request to create the named bucket succeeded and you already own it.',
        409,
        { BucketName: name },
      );
    }
    this.state.buckets[name] = {
      name,
      region,
      createdAt: now,
      config: {},
      objects: {},
      uploads: {},
    };
    return { created: true };
  }

  deleteBucket(name: string): void {
    const b = this.bucket(name);
    if (Object.keys(b.objects).length > 0)
      throw new S3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, {
        BucketName: name,
      });
    for (const u of Object.values(b.uploads))
      for (const p of Object.values(u.parts)) this.blobs.delete(p.blobId);
    delete this.state.buckets[name];
  }

  listBuckets(): BucketState[] {
    return Object.values(this.state.buckets).sort((a, b) => a.name.localeCompare(b.name));
  }

  getObject(bucket: string, key: string): { meta: ObjectMeta; body: Buffer } {
    const meta = this.bucket(bucket).objects[key];
    const body = meta ? this.blobs.get(meta.blobId) : undefined;
    if (!meta || !body)
      throw new S3Error('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
    return { meta, body };
  }

  /** The object's bytes, or undefined: for in-process readers (Lambda code, CloudFormation TemplateURL). */
  readObject(bucket: string, key: string): Buffer | undefined {
    const meta = this.state.buckets[bucket]?.objects[key];
    return meta ? this.blobs.get(meta.blobId) : undefined;
  }

  putObject(
    bucket: string,
    key: string,
    body: Buffer,
    input: PutInput = {},
    now = Date.now(),
  ): ObjectMeta {
    return this.store(bucket, key, body, `"${md5Hex(body)}"`, input, now);
  }

  private store(
    bucket: string,
    key: string,
    body: Buffer,
    etag: string,
    input: PutInput,
    now: number,
  ): ObjectMeta {
    const b = this.bucket(bucket);
    if (key.length === 0 || Buffer.byteLength(key) > 1024)
      throw new S3Error('KeyTooLongError', 'Your key is too long', 400);
    const old = b.objects[key];
    const blobId = randomUUID();
    this.blobs.put(blobId, body);
    const versioned = versioningEnabled(b);
    const meta: ObjectMeta = {
      key,
      size: body.length,
      etag,
      contentType: input.contentType ?? 'binary/octet-stream',
      lastModified: now,
      metadata: input.metadata ?? {},
      headers: input.headers ?? {},
      blobId,
      ...(versioned ? { versionId: randomUUID().replace(/-/g, '') } : {}),
    };
    b.objects[key] = meta;
    // Versioning is accepted, not emulated: only the latest version is kept.
    if (old) this.blobs.delete(old.blobId);
    return meta;
  }

  deleteObject(bucket: string, key: string): void {
    const b = this.bucket(bucket);
    const old = b.objects[key];
    if (!old) return;
    delete b.objects[key];
    this.blobs.delete(old.blobId);
  }

  copyObject(
    from: { bucket: string; key: string },
    to: { bucket: string; key: string },
    replace: PutInput | undefined,
    now = Date.now(),
  ): ObjectMeta {
    const { meta, body } = this.getObject(from.bucket, from.key);
    const input = replace ?? {
      contentType: meta.contentType,
      metadata: meta.metadata,
      headers: meta.headers,
    };
    return this.putObject(to.bucket, to.key, Buffer.from(body), input, now);
  }

  /** Keys under a prefix, grouped by delimiter, after a key (exclusive), at most max. */
  list(
    bucket: string,
    opts: { prefix: string; delimiter?: string; after?: string; max: number },
  ): { objects: ObjectMeta[]; prefixes: string[]; truncated: boolean; next?: string } {
    const b = this.bucket(bucket);
    const keys = Object.keys(b.objects)
      .filter((k) => k.startsWith(opts.prefix) && (opts.after === undefined || k > opts.after))
      .sort();
    const objects: ObjectMeta[] = [];
    const prefixes: string[] = [];
    let last: string | undefined;
    for (const k of keys) {
      const rest = k.slice(opts.prefix.length);
      const cut = opts.delimiter ? rest.indexOf(opts.delimiter) : -1;
      const common =
        cut >= 0 ? opts.prefix + rest.slice(0, cut + opts.delimiter!.length) : undefined;
      if (common && prefixes.includes(common)) continue;
      if (objects.length + prefixes.length >= opts.max)
        return { objects, prefixes, truncated: true, next: last };
      if (common) prefixes.push(common);
      else objects.push(b.objects[k]!);
      last = common ?? k;
    }
    return { objects, prefixes, truncated: false };
  }

  createUpload(bucket: string, key: string, input: PutInput, now = Date.now()): string {
    const b = this.bucket(bucket);
    const id = randomUUID().replace(/-/g, '');
    b.uploads[id] = {
      key,
      initiated: now,
      contentType: input.contentType ?? 'binary/octet-stream',
      metadata: input.metadata ?? {},
      headers: input.headers ?? {},
      parts: {},
    };
    return id;
  }

  private upload(bucket: string, uploadId: string): UploadState {
    const u = this.bucket(bucket).uploads[uploadId];
    if (!u)
      throw new S3Error(
        'NoSuchUpload',
        'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
        404,
        { UploadId: uploadId },
      );
    return u;
  }

  uploadPart(bucket: string, uploadId: string, partNumber: number, body: Buffer): string {
    const u = this.upload(bucket, uploadId);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000)
      throw new S3Error(
        'InvalidArgument',
        'Part number must be an integer between 1 and 10000, inclusive',
        400,
      );
    const old = u.parts[String(partNumber)];
    if (old) this.blobs.delete(old.blobId);
    const blobId = randomUUID();
    this.blobs.put(blobId, body);
    const etag = `"${md5Hex(body)}"`;
    u.parts[String(partNumber)] = { etag, size: body.length, blobId };
    return etag;
  }

  completeUpload(
    bucket: string,
    uploadId: string,
    parts: Array<{ partNumber: number; etag: string }>,
    now = Date.now(),
  ): ObjectMeta {
    const u = this.upload(bucket, uploadId);
    const chunks: Buffer[] = [];
    const digests: Buffer[] = [];
    let previous = 0;
    for (const p of parts) {
      const stored = u.parts[String(p.partNumber)];
      if (!stored || stored.etag.replace(/"/g, '') !== p.etag.replace(/"/g, ''))
        throw new S3Error(
          'InvalidPart',
          "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
          400,
        );
      if (p.partNumber <= previous)
        throw new S3Error('InvalidPartOrder', 'The list of parts was not in ascending order.', 400);
      previous = p.partNumber;
      chunks.push(this.blobs.get(stored.blobId)!);
      digests.push(Buffer.from(stored.etag.replace(/"/g, ''), 'hex'));
    }
    const etag = `"${md5Hex(Buffer.concat(digests))}-${parts.length}"`;
    const meta = this.store(bucket, u.key, Buffer.concat(chunks), etag, u, now);
    this.abortUpload(bucket, uploadId);
    return meta;
  }

  abortUpload(bucket: string, uploadId: string): void {
    const u = this.upload(bucket, uploadId);
    for (const p of Object.values(u.parts)) this.blobs.delete(p.blobId);
    delete this.bucket(bucket).uploads[uploadId];
  }
}

function versioningEnabled(b: BucketState): boolean {
  return /<Status>\s*Enabled\s*<\/Status>/.test(b.config.versioning ?? '');
}
