/**
 * What `cdk bootstrap` and asset publishing need from S3, STS and SSM, over
 * the wire with default-signed SDK v3 clients against the embedded cloud:
 * buckets and their configuration, objects (path style to 127.0.0.1 and
 * virtual-host style by Host header), multipart uploads, the caller
 * identity and assumed cdk roles, parameters; and a Lambda function created
 * from a zip in S3, as AWS does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../../../localcloud/start-local-cloud';
import { zipDirectory } from '../../../../localcloud/deploy/zip-directory';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let cloud: LocalCloud;
let s3: S3Client;
let dir: string;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, log: () => {} });
  s3 = new S3Client({ endpoint: cloud.endpoint, region: 'us-east-1', credentials });
  dir = mkdtempSync(join(tmpdir(), 's3-test-'));
});
afterAll(async () => {
  s3?.destroy();
  await cloud?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('S3', () => {
  it('keeps objects in buckets: put, get, head, list, delete', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'assets-a' }));
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'assets-a',
        Key: 'dir/one file.json',
        Body: '{"a":1}',
        ContentType: 'application/json',
        Metadata: { origin: 'test' },
      }),
    );
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    await s3.send(new PutObjectCommand({ Bucket: 'assets-a', Key: 'dir/two', Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket: 'assets-a', Key: 'top', Body: 'y' }));
    const got = await s3.send(
      new GetObjectCommand({ Bucket: 'assets-a', Key: 'dir/one file.json' }),
    );
    expect(await got.Body!.transformToString()).toBe('{"a":1}');
    expect(got.ContentType).toBe('application/json');
    expect(got.Metadata).toEqual({ origin: 'test' });
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'assets-a', Key: 'top' }));
    expect(head.ContentLength).toBe(1);

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'assets-a', Prefix: 'dir/' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['dir/one file.json', 'dir/two']);
    const grouped = await s3.send(new ListObjectsV2Command({ Bucket: 'assets-a', Delimiter: '/' }));
    expect(grouped.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['dir/']);
    expect(grouped.Contents?.map((o) => o.Key)).toEqual(['top']);
    const page = await s3.send(new ListObjectsV2Command({ Bucket: 'assets-a', MaxKeys: 2 }));
    expect(page.IsTruncated).toBe(true);
    const rest = await s3.send(
      new ListObjectsV2Command({
        Bucket: 'assets-a',
        ContinuationToken: page.NextContinuationToken,
      }),
    );
    expect(rest.Contents?.map((o) => o.Key)).toEqual(['top']);

    await s3.send(new DeleteObjectCommand({ Bucket: 'assets-a', Key: 'top' }));
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: 'assets-a', Key: 'top' })),
    ).rejects.toMatchObject({
      name: 'NotFound',
    });
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'assets-a', Key: 'top' })),
    ).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
    await expect(s3.send(new DeleteBucketCommand({ Bucket: 'assets-a' }))).rejects.toMatchObject({
      name: 'BucketNotEmpty',
    });
  });

  it('accepts bucket policy, encryption, versioning and public access block', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'assets-b' }));
    const enc = await s3.send(new GetBucketEncryptionCommand({ Bucket: 'assets-b' }));
    expect(
      enc.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault
        ?.SSEAlgorithm,
    ).toBe('AES256');
    await expect(s3.send(new GetBucketPolicyCommand({ Bucket: 'assets-b' }))).rejects.toMatchObject(
      {
        name: 'NoSuchBucketPolicy',
      },
    );
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [] });
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'assets-b', Policy: policy }));
    expect((await s3.send(new GetBucketPolicyCommand({ Bucket: 'assets-b' }))).Policy).toBe(policy);
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: 'assets-b',
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: 'assets-b',
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
      }),
    );
    const put = await s3.send(new PutObjectCommand({ Bucket: 'assets-b', Key: 'v', Body: 'v1' }));
    expect(put.VersionId).toBeTruthy();
    // What CDK's autoDeleteObjects lists before it empties a bucket: every key, with its version.
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: 'assets-b' }));
    expect(versions.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest])).toEqual([
      ['v', put.VersionId, true],
    ]);
    const plain = await s3.send(new ListObjectVersionsCommand({ Bucket: 'assets-a' }));
    expect(plain.Versions?.map((v) => [v.Key, v.VersionId])).toEqual(
      (await s3.send(new ListObjectsV2Command({ Bucket: 'assets-a' }))).Contents?.map((o) => [
        o.Key,
        'null',
      ]),
    );
  });

  it('assembles multipart uploads with S3 ETags', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'assets-c' }));
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'assets-c', Key: 'big' }),
    );
    const part1 = Buffer.alloc(5 * 1024 * 1024, 'a');
    const part2 = Buffer.from('tail');
    const e1 = await s3.send(
      new UploadPartCommand({
        Bucket: 'assets-c',
        Key: 'big',
        UploadId,
        PartNumber: 1,
        Body: part1,
      }),
    );
    const e2 = await s3.send(
      new UploadPartCommand({
        Bucket: 'assets-c',
        Key: 'big',
        UploadId,
        PartNumber: 2,
        Body: part2,
      }),
    );
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'assets-c',
        Key: 'big',
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: e1.ETag },
            { PartNumber: 2, ETag: e2.ETag },
          ],
        },
      }),
    );
    expect(done.ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'assets-c', Key: 'big' }));
    expect(head.ContentLength).toBe(part1.length + part2.length);
  });

  it('answers virtual-host style requests (bucket in the Host header)', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'assets-c', Key: 'vh.txt', Body: 'hosted' }));
    const url = new URL(cloud.endpoint);
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: '/vh.txt',
          headers: {
            host: `assets-c.s3.localhost.localstack.cloud:${url.port}`,
            authorization:
              'AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0',
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(body).toBe('hosted');
  });
});

describe('STS and SSM', () => {
  it('names the account and hands out cdk role sessions', async () => {
    const sts = new STSClient({ endpoint: cloud.endpoint, region: 'us-east-1', credentials });
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe('000000000000');
    const role = 'arn:aws:iam::000000000000:role/cdk-hnb659fds-deploy-role-000000000000-us-east-1';
    const session = await sts.send(
      new AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'cdk-session' }),
    );
    expect(session.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(session.AssumedRoleUser?.Arn).toBe(
      'arn:aws:sts::000000000000:assumed-role/cdk-hnb659fds-deploy-role-000000000000-us-east-1/cdk-session',
    );
    await expect(
      sts.send(new AssumeRoleCommand({ RoleArn: 'nope', RoleSessionName: 'x1' })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
    });
    sts.destroy();
  });

  it('keeps parameters', async () => {
    const ssm = new SSMClient({ endpoint: cloud.endpoint, region: 'us-east-1', credentials });
    await ssm.send(
      new PutParameterCommand({ Name: '/cdk-bootstrap/test/version', Value: '30', Type: 'String' }),
    );
    await expect(
      ssm.send(
        new PutParameterCommand({
          Name: '/cdk-bootstrap/test/version',
          Value: '31',
          Type: 'String',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ParameterAlreadyExists' });
    await ssm.send(
      new PutParameterCommand({
        Name: '/cdk-bootstrap/test/version',
        Value: '31',
        Type: 'String',
        Overwrite: true,
      }),
    );
    const p = await ssm.send(new GetParameterCommand({ Name: '/cdk-bootstrap/test/version' }));
    expect(p.Parameter).toMatchObject({ Value: '31', Version: 2 });
    const many = await ssm.send(
      new GetParametersCommand({ Names: ['/cdk-bootstrap/test/version', '/nope'] }),
    );
    expect(many.Parameters?.map((x) => x.Value)).toEqual(['31']);
    expect(many.InvalidParameters).toEqual(['/nope']);
    await ssm.send(new DeleteParameterCommand({ Name: '/cdk-bootstrap/test/version' }));
    await expect(
      ssm.send(new GetParameterCommand({ Name: '/cdk-bootstrap/test/version' })),
    ).rejects.toMatchObject({
      name: 'ParameterNotFound',
    });
    ssm.destroy();
  });
});

describe('Lambda code from S3', () => {
  it('creates a function from a zip asset in a bucket and runs it', async () => {
    const code = join(dir, 'bundle');
    rmSync(code, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(code, 'lib'), { recursive: true });
    writeFileSync(
      join(code, 'index.js'),
      "exports.handler = async (e) => ({ doubled: require('./lib/x').twice(e.n) });",
    );
    writeFileSync(join(code, 'lib', 'x.js'), 'exports.twice = (n) => n * 2;');
    await s3.send(new CreateBucketCommand({ Bucket: 'code-bucket' }));
    await s3.send(
      new PutObjectCommand({ Bucket: 'code-bucket', Key: 'fn.zip', Body: zipDirectory(code) }),
    );
    const lambda = new LambdaClient({ endpoint: cloud.endpoint, region: 'us-east-1', credentials });
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'from-s3',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: 'arn:aws:iam::000000000000:role/r',
        Code: { S3Bucket: 'code-bucket', S3Key: 'fn.zip' },
      }),
    );
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: 'from-s3',
        Payload: Buffer.from(JSON.stringify({ n: 21 })),
      }),
    );
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual({ doubled: 42 });
    await expect(
      lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'missing-code',
          Runtime: 'nodejs20.x',
          Handler: 'index.handler',
          Role: 'arn:aws:iam::000000000000:role/r',
          Code: { S3Bucket: 'code-bucket', S3Key: 'nope.zip' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    lambda.destroy();
  });
});
