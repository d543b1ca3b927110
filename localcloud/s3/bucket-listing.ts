/**
 * S3's listings as REST-XML answers: ListBuckets, ListObjects v1/v2
 * (prefix, delimiter, markers and continuation tokens, url encoding) and
 * ListObjectVersions as an unversioned bucket answers it.
 */
import type { ServerResponse } from 'node:http';
import type { BucketStore } from './bucket-store';
import { isoDate, s3Document, sendXml } from './s3-xml';

/** The owner every bucket and object has in this one-account cloud. */
export const OWNER = {
  ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a',
  DisplayName: 'local',
};

/** S3 answers at most this many keys per listing page. */
const MAX_KEYS = 1000;

export function listBuckets(store: BucketStore, res: ServerResponse): void {
  sendXml(
    res,
    200,
    s3Document('ListAllMyBucketsResult', {
      Owner: OWNER,
      Buckets: {
        Bucket: store
          .listBuckets()
          .map((b) => ({ Name: b.name, CreationDate: isoDate(b.createdAt) })),
      },
    }),
  );
}

export function listObjects(
  store: BucketStore,
  bucket: string,
  q: URLSearchParams,
  res: ServerResponse,
): void {
  const v2 = q.get('list-type') === '2';
  const max = Math.min(MAX_KEYS, Math.max(0, Number(q.get('max-keys') ?? MAX_KEYS) || 0));
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') || undefined;
  const token = q.get('continuation-token');
  const after = v2
    ? token
      ? Buffer.from(token, 'base64').toString('utf8')
      : (q.get('start-after') ?? undefined)
    : (q.get('marker') ?? undefined);
  const r = store.list(bucket, { prefix, delimiter, after: after || undefined, max });
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

/**
 * ListObjectVersions. Only an object's latest version is kept, so each key
 * lists one: its version id from a versioned bucket, else "null" (what S3
 * answers for a bucket that never had versioning on). Tools that empty a
 * bucket by its versions (CDK's autoDeleteObjects, `aws s3api
 * list-object-versions`) then see every object.
 */
export function listVersions(
  store: BucketStore,
  bucket: string,
  q: URLSearchParams,
  res: ServerResponse,
): void {
  const max = Math.min(MAX_KEYS, Math.max(0, Number(q.get('max-keys') ?? MAX_KEYS) || 0));
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') || undefined;
  const after = q.get('key-marker') || undefined;
  const r = store.list(bucket, { prefix, delimiter, after, max });
  sendXml(
    res,
    200,
    s3Document('ListVersionsResult', {
      Name: bucket,
      Prefix: prefix,
      KeyMarker: after ?? '',
      VersionIdMarker: '',
      ...(delimiter ? { Delimiter: delimiter } : {}),
      MaxKeys: max,
      IsTruncated: r.truncated,
      ...(r.truncated && r.next ? { NextKeyMarker: r.next } : {}),
      Version: r.objects.map((o) => ({
        Key: o.key,
        VersionId: o.versionId ?? 'null',
        IsLatest: true,
        LastModified: isoDate(o.lastModified),
        ETag: o.etag,
        Size: o.size,
        Owner: OWNER,
        StorageClass: 'STANDARD',
      })),
      CommonPrefixes: r.prefixes.map((p) => ({ Prefix: p })),
    }),
  );
}
