/**
 * AWS's Kinesis request limits at the edge, checked before the rate limit
 * (issue 10): an oversized record on an exhausted shard gets AWS's
 * ValidationException, not a retryable throttle; 501 records and a 6 MiB
 * PutRecords are refused whole, not partly accepted. And encryption as AWS
 * reports it (issue 13): StartStreamEncryption shows in DescribeStream*,
 * PutRecord(s) and the records GetRecords returns.
 */
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  PutRecordCommand,
  PutRecordsCommand,
  StartStreamEncryptionCommand,
  StopStreamEncryptionCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_LIMITS } from '../../../localcloud/config';
import { startCoreCloud, type CoreCloud } from '../../../localcloud/core-cloud';

const MiB = 1024 * 1024;
/** Below one record a second, a shard's bucket never holds a whole record: every write is throttled. */
const NEVER = 0.5;
let throttledCloud: CoreCloud;
let cloud: CoreCloud;
let throttled: KinesisClient;
let kinesis: KinesisClient;

const client = (c: CoreCloud) =>
  new KinesisClient({
    endpoint: c.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });

beforeAll(async () => {
  throttledCloud = await startCoreCloud({
    port: 0,
    shardRecordsPerSecond: NEVER,
    log: () => {},
  });
  cloud = await startCoreCloud({ port: 0, log: () => {} });
  throttled = client(throttledCloud);
  kinesis = client(cloud);
});
afterAll(async () => {
  throttled?.destroy();
  kinesis?.destroy();
  await throttledCloud?.stop();
  await cloud?.stop();
});

async function createStream(k: KinesisClient, name: string): Promise<void> {
  await k.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  await waitUntilStreamExists(
    { client: k, maxWaitTime: 10, minDelay: 0.05 as number },
    { StreamName: name },
  );
}

describe('AWS request limits before the rate limit', () => {
  it('refuses a record of 1 MiB + 1 byte with ValidationException even on a throttled shard', async () => {
    await createStream(throttled, 'limits-record');
    const big = Buffer.alloc(AWS_LIMITS.kinesis.maxRecordBytes + 1);
    await expect(
      throttled.send(
        new PutRecordCommand({ StreamName: 'limits-record', PartitionKey: 'k', Data: big }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining(
        "at 'data' failed to satisfy constraint: Member must have length less than or equal to 1048576",
      ),
    });
    await expect(
      throttled.send(
        new PutRecordsCommand({
          StreamName: 'limits-record',
          Records: [
            { PartitionKey: 'a', Data: Buffer.from('ok') },
            { PartitionKey: 'b', Data: big },
          ],
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("at 'records.2.member.data'"),
    });
    // data just under 1 MiB, but with its partition key over: AWS's record limit counts both
    const nearly = Buffer.alloc(AWS_LIMITS.kinesis.maxRecordBytes - 4);
    await expect(
      throttled.send(
        new PutRecordCommand({
          StreamName: 'limits-record',
          PartitionKey: 'key-of-9',
          Data: nearly,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidArgumentException' });
    // and the throttle is still what an ordinary record gets
    await expect(
      throttled.send(
        new PutRecordCommand({
          StreamName: 'limits-record',
          PartitionKey: 'k',
          Data: Buffer.from('x'),
        }),
      ),
    ).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
  });

  it('refuses 501 records, a 257-character partition key and a 6 MiB PutRecords whole', async () => {
    await createStream(throttled, 'limits-batch');
    const many = Array.from({ length: AWS_LIMITS.kinesis.maxPutRecordsRecords + 1 }, (_, i) => ({
      PartitionKey: `k${i}`,
      Data: Buffer.from('x'),
    }));
    await expect(
      throttled.send(new PutRecordsCommand({ StreamName: 'limits-batch', Records: many })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining(
        "at 'records' failed to satisfy constraint: Member must have length less than or equal to 500",
      ),
    });
    await expect(
      throttled.send(
        new PutRecordsCommand({
          StreamName: 'limits-batch',
          Records: [{ PartitionKey: 'p'.repeat(257), Data: Buffer.from('x') }],
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("at 'records.1.member.partitionKey'"),
    });
    const sixMiB = Array.from({ length: 6 }, (_, i) => ({
      PartitionKey: `k${i}`,
      Data: Buffer.alloc(MiB - 16),
    }));
    await expect(
      throttled.send(new PutRecordsCommand({ StreamName: 'limits-batch', Records: sixMiB })),
    ).rejects.toMatchObject({
      name: 'InvalidArgumentException',
      message: expect.stringContaining('Records size exceeds 5 MB limit'),
    });
  });
});

describe('stream encryption as AWS reports it', () => {
  it('shows KMS and the key in describe, put answers and the records written while on', async () => {
    const name = 'encrypted';
    await createStream(kinesis, name);
    const put = (data: string) =>
      kinesis.send(
        new PutRecordCommand({ StreamName: name, PartitionKey: data, Data: Buffer.from(data) }),
      );
    const before = await put('before');
    expect(before.EncryptionType ?? 'NONE').toBe('NONE');
    const keyId = 'arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    await kinesis.send(
      new StartStreamEncryptionCommand({ StreamName: name, EncryptionType: 'KMS', KeyId: keyId }),
    );
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    expect(summary.StreamDescriptionSummary).toMatchObject({ EncryptionType: 'KMS', KeyId: keyId });
    const full = await kinesis.send(new DescribeStreamCommand({ StreamName: name }));
    expect(full.StreamDescription).toMatchObject({ EncryptionType: 'KMS', KeyId: keyId });
    expect((await put('after')).EncryptionType).toBe('KMS');
    const batch = await kinesis.send(
      new PutRecordsCommand({
        StreamName: name,
        Records: [{ PartitionKey: 'batch', Data: Buffer.from('batch') }],
      }),
    );
    expect(batch).toMatchObject({ FailedRecordCount: 0, EncryptionType: 'KMS' });
    const it = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: name,
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const got = await kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
    expect(
      got.Records?.map((r) => [Buffer.from(r.Data!).toString(), r.EncryptionType ?? 'NONE']),
    ).toEqual([
      ['before', 'NONE'],
      ['after', 'KMS'],
      ['batch', 'KMS'],
    ]);
    await kinesis.send(
      new StopStreamEncryptionCommand({ StreamName: name, EncryptionType: 'KMS', KeyId: keyId }),
    );
    const off = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    expect(off.StreamDescriptionSummary?.EncryptionType).toBe('NONE');
    expect(off.StreamDescriptionSummary?.KeyId).toBeUndefined();
  });
});
