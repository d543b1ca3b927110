import { describe, expect, it } from 'vitest';
import {
  bucketFromHost,
  decodeAwsChunked,
  isAwsChunked,
  parseAddress,
} from '../../../../localcloud/s3/s3-request';

describe('S3 addressing', () => {
  it('reads path-style bucket and key, percent-decoded', () => {
    const a = parseAddress('/cdk-assets/dir/a%20b.zip?x-id=PutObject', '127.0.0.1:4566');
    expect(a).toMatchObject({ bucket: 'cdk-assets', key: 'dir/a b.zip' });
    expect(a.query.get('x-id')).toBe('PutObject');
    const bucketOnly = parseAddress('/bucket?list-type=2', '127.0.0.1:4566');
    expect([bucketOnly.bucket, bucketOnly.key]).toEqual(['bucket', undefined]);
    expect(parseAddress('/', '127.0.0.1:4566').bucket).toBeUndefined();
  });

  it('reads the bucket from a virtual-host name', () => {
    expect(bucketFromHost('b1.s3.localhost.localstack.cloud:4566')).toBe('b1');
    expect(bucketFromHost('my.bucket.s3.us-east-1.amazonaws.com')).toBe('my.bucket');
    expect(bucketFromHost('b2.s3-us-west-2.amazonaws.com')).toBe('b2');
    expect(bucketFromHost('b3.localhost:4566')).toBe('b3');
    expect(bucketFromHost('s3.localhost.localstack.cloud:4566')).toBeUndefined();
    expect(bucketFromHost('127.0.0.1:4566')).toBeUndefined();
    expect(parseAddress('/k/1', 'b1.s3.localhost.localstack.cloud')).toMatchObject({
      bucket: 'b1',
      key: 'k/1',
    });
  });
});

describe('aws-chunked bodies', () => {
  it('decodes signed and unsigned chunks with trailers', () => {
    const body = Buffer.from(
      '5;chunk-signature=abc\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n',
    );
    const { data, trailers } = decodeAwsChunked(body);
    expect(data.toString()).toBe('hello world');
    expect(trailers['x-amz-checksum-crc32']).toBe('AAAAAA==');
    expect(isAwsChunked({ 'content-encoding': 'aws-chunked' })).toBe(true);
    expect(isAwsChunked({ 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' })).toBe(
      true,
    );
    expect(isAwsChunked({ 'content-encoding': 'gzip' })).toBe(false);
  });
});
