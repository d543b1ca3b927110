/**
 * Multipart uploads over REST-XML: initiate, upload a part, complete, list
 * a bucket's uploads and an upload's parts (abort is a DELETE the object
 * dispatcher hands straight to the store).
 */
import type { ServerResponse } from 'node:http';
import { S3Error, type BucketStore, type PutInput } from './bucket-store';
import { isoDate, s3Document, sendXml, xmlElements, xmlValues } from './s3-xml';

export function initiateUpload(
  store: BucketStore,
  bucket: string,
  key: string,
  input: PutInput,
  res: ServerResponse,
): void {
  const id = store.createUpload(bucket, key, input);
  sendXml(
    res,
    200,
    s3Document('InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: id }),
  );
}

export function uploadPart(
  store: BucketStore,
  bucket: string,
  uploadId: string,
  partNumber: number,
  body: Buffer,
  res: ServerResponse,
): void {
  const etag = store.uploadPart(bucket, uploadId, partNumber, body);
  res.writeHead(200, { ETag: etag, 'Content-Length': 0 });
  res.end();
}

/** `location` is the object's URL, which the answer carries. */
export function completeUpload(
  store: BucketStore,
  target: { bucket: string; key: string; uploadId: string; location: string },
  body: Buffer,
  res: ServerResponse,
): void {
  const xml = body.toString('utf8');
  const parts = xmlElements(xml, 'Part').map((p) => ({
    partNumber: Number(xmlValues(p, 'PartNumber')[0]),
    etag: xmlValues(p, 'ETag')[0] ?? '',
  }));
  const meta = store.completeUpload(target.bucket, target.uploadId, parts);
  sendXml(
    res,
    200,
    s3Document('CompleteMultipartUploadResult', {
      Location: target.location,
      Bucket: target.bucket,
      Key: target.key,
      ETag: meta.etag,
    }),
  );
}

export function listUploads(store: BucketStore, bucket: string, res: ServerResponse): void {
  const b = store.bucket(bucket);
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
}

export function listParts(
  store: BucketStore,
  bucket: string,
  key: string,
  uploadId: string,
  res: ServerResponse,
): void {
  const u = store.bucket(bucket).uploads[uploadId];
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
