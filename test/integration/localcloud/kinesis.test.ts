/**
 * Kinesis through the edge of the embedded cloud, driven by the SDK v3
 * client: put/get, UpdateShardCount lineage (1→2→4→2), per-record throttling
 * at the per-shard limit, and the AWS/Kinesis service metrics.
 */
import {
  CreateStreamCommand,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  UpdateShardCountCommand,
  DescribeStreamSummaryCommand,
  waitUntilStreamExists,
  type Shard,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudWatchClient, kinesisClient } from '../../../functions/aws/clients';
import { startCoreCloud, type CoreCloud } from '../../../localcloud/core-cloud';

const RECORDS_PER_SECOND = 5;
let cloud: CoreCloud;
let kinesis: KinesisClient;

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  cloud = await startCoreCloud({
    port: 0,
    shardRecordsPerSecond: RECORDS_PER_SECOND,
    log: () => {},
  });
  kinesis = kinesisClient({ endpoint: cloud.endpoint, region: 'us-east-1', maxAttempts: 1 });
});
afterAll(async () => {
  kinesis?.destroy();
  await cloud?.stop();
});

async function createStream(name: string, shards: number): Promise<void> {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  await waitUntilStreamExists(
    { client: kinesis, maxWaitTime: 10, minDelay: 0.05 as number },
    { StreamName: name },
  );
}

async function waitActive(name: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const s = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (s.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${name} did not become ACTIVE`);
}

async function shards(name: string): Promise<Shard[]> {
  return (await kinesis.send(new ListShardsCommand({ StreamName: name }))).Shards ?? [];
}

const isOpen = (s: Shard) => s.SequenceNumberRange?.EndingSequenceNumber === undefined;

function expectCoverage(open: Shard[]): void {
  const ranges = open
    .map(
      (s) =>
        [BigInt(s.HashKeyRange!.StartingHashKey!), BigInt(s.HashKeyRange!.EndingHashKey!)] as const,
    )
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  expect(ranges[0]![0]).toBe(0n);
  for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBe(ranges[i - 1]![1] + 1n);
  expect(ranges[ranges.length - 1]![1]).toBe((1n << 128n) - 1n);
}

describe('kinesis through the edge', () => {
  it('puts and gets records', async () => {
    await createStream('put-get', 1);
    const put = await kinesis.send(
      new PutRecordsCommand({
        StreamName: 'put-get',
        Records: [1, 2, 3].map((i) => ({
          PartitionKey: `k${i}`,
          Data: Buffer.from(JSON.stringify({ i })),
        })),
      }),
    );
    expect(put.FailedRecordCount).toBe(0);
    await kinesis.send(
      new PutRecordCommand({
        StreamName: 'put-get',
        PartitionKey: 'k4',
        Data: Buffer.from('{"i":4}'),
      }),
    );
    const it0 = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: 'put-get',
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const got = await kinesis.send(new GetRecordsCommand({ ShardIterator: it0.ShardIterator }));
    expect(got.Records?.map((r) => JSON.parse(Buffer.from(r.Data!).toString()).i)).toEqual([
      1, 2, 3, 4,
    ]);
    expect(got.Records?.[0]?.ApproximateArrivalTimestamp).toBeInstanceOf(Date);
    expect(got.MillisBehindLatest).toBe(0); // read everything: at the tip
    // a full page means more to read: behind by the age of its last record (kinesalite alone says 0)
    await new Promise((r) => setTimeout(r, 30));
    const page = await kinesis.send(
      new GetRecordsCommand({ ShardIterator: it0.ShardIterator, Limit: 2 }),
    );
    expect(page.Records).toHaveLength(2);
    expect(page.MillisBehindLatest).toBeGreaterThan(0);
  });

  it('UpdateShardCount 1→2→4→2 closes parents and opens children with AWS lineage', async () => {
    await createStream('reshard', 1);
    const r1 = await kinesis.send(
      new UpdateShardCountCommand({
        StreamName: 'reshard',
        TargetShardCount: 2,
        ScalingType: 'UNIFORM_SCALING',
      }),
    );
    expect(r1).toMatchObject({ StreamName: 'reshard', CurrentShardCount: 1, TargetShardCount: 2 });
    expect(r1.StreamARN).toMatch(/^arn:aws:kinesis:us-east-1:000000000000:stream\/reshard$/);
    await waitActive('reshard');
    let all = await shards('reshard');
    let open = all.filter(isOpen);
    expect(open).toHaveLength(2);
    expect(
      all.find((s) => s.ShardId === 'shardId-000000000000')?.SequenceNumberRange
        ?.EndingSequenceNumber,
    ).toBeDefined();
    for (const s of open) expect(s.ParentShardId).toBe('shardId-000000000000');
    expectCoverage(open);

    // reading the closed parent to its end names its children, as AWS does
    let pit = (
      await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: 'reshard',
          ShardId: 'shardId-000000000000',
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    let last: GetRecordsCommandOutput | undefined;
    while (pit) {
      last = await kinesis.send(new GetRecordsCommand({ ShardIterator: pit }));
      pit = last.NextShardIterator;
    }
    expect(last?.ChildShards?.map((c) => c.ParentShards)).toEqual([
      ['shardId-000000000000'],
      ['shardId-000000000000'],
    ]);
    expect(last?.ChildShards?.map((c) => c.ShardId).sort()).toEqual(
      open.map((s) => s.ShardId).sort(),
    );

    await kinesis.send(
      new UpdateShardCountCommand({
        StreamName: 'reshard',
        TargetShardCount: 4,
        ScalingType: 'UNIFORM_SCALING',
      }),
    );
    await waitActive('reshard');
    all = await shards('reshard');
    open = all.filter(isOpen);
    expect(open).toHaveLength(4);
    expectCoverage(open);
    const closedIds = new Set(all.filter((s) => !isOpen(s)).map((s) => s.ShardId));
    expect(closedIds.size).toBe(3);
    for (const s of open) expect(closedIds.has(s.ParentShardId)).toBe(true);

    // more than double is refused like AWS
    await expect(
      kinesis.send(
        new UpdateShardCountCommand({
          StreamName: 'reshard',
          TargetShardCount: 9,
          ScalingType: 'UNIFORM_SCALING',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidArgumentException' });

    await kinesis.send(
      new UpdateShardCountCommand({
        StreamName: 'reshard',
        TargetShardCount: 2,
        ScalingType: 'UNIFORM_SCALING',
      }),
    );
    await waitActive('reshard');
    all = await shards('reshard');
    open = all.filter(isOpen);
    expect(open).toHaveLength(2);
    expectCoverage(open);
    const previousOpen = new Set(all.filter((s) => !isOpen(s)).map((s) => s.ShardId));
    for (const s of open) {
      // merge children name both parents
      expect(previousOpen.has(s.ParentShardId)).toBe(true);
      expect(previousOpen.has(s.AdjacentParentShardId)).toBe(true);
    }
  });

  it('throttles per record beyond the per-shard limit; accepted records are readable', async () => {
    await createStream('throttle', 1);
    const total = RECORDS_PER_SECOND * 3;
    const res = await kinesis.send(
      new PutRecordsCommand({
        StreamName: 'throttle',
        Records: Array.from({ length: total }, (_, i) => ({
          PartitionKey: `user_${i}`,
          Data: Buffer.from(JSON.stringify({ i })),
        })),
      }),
    );
    const throttled = res.Records!.filter(
      (r) => r.ErrorCode === 'ProvisionedThroughputExceededException',
    );
    expect(throttled.length).toBeGreaterThan(0);
    expect(res.FailedRecordCount).toBe(throttled.length);
    expect(throttled[0]?.ErrorMessage).toMatch(
      /Rate exceeded for shard shardId-000000000000 in stream throttle/,
    );
    const accepted = res.Records!.map((r, i) => (r.SequenceNumber ? i : -1)).filter((i) => i >= 0);
    expect(accepted.length + throttled.length).toBe(total);

    const it0 = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: 'throttle',
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const got = await kinesis.send(
      new GetRecordsCommand({ ShardIterator: it0.ShardIterator, Limit: 10000 }),
    );
    expect(got.Records?.map((r) => JSON.parse(Buffer.from(r.Data!).toString()).i)).toEqual(
      accepted,
    );

    // PutRecord over the limit is a 400 ProvisionedThroughputExceededException: a concurrent
    // burst of 4 s worth of single puts (capacity 1 s) cannot all be refilled in time
    const singles = await Promise.all(
      Array.from({ length: RECORDS_PER_SECOND * 4 }, () =>
        kinesis
          .send(
            new PutRecordCommand({
              StreamName: 'throttle',
              PartitionKey: 'x',
              Data: Buffer.from('{}'),
            }),
          )
          .then(
            () => undefined,
            (e: unknown) => e,
          ),
      ),
    );
    const singleErrors = singles.filter((e) => e !== undefined);
    const singlesAccepted = singles.length - singleErrors.length;
    expect(singleErrors.length).toBeGreaterThan(0);
    for (const e of singleErrors)
      expect(e).toMatchObject({ name: 'ProvisionedThroughputExceededException' });

    // the service metrics are in CloudWatch, named as AWS names them
    const cw = cloudWatchClient({ endpoint: cloud.endpoint, region: 'us-east-1', maxAttempts: 1 });
    try {
      const query = (id: string, name: string) => ({
        Id: id,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/Kinesis',
            MetricName: name,
            Dimensions: [{ Name: 'StreamName', Value: 'throttle' }],
          },
          Period: 3600,
          Stat: 'Sum',
        },
      });
      const out = await cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(Date.now() - 600_000),
          EndTime: new Date(Date.now() + 60_000),
          MetricDataQueries: [
            query('inc', 'IncomingRecords'),
            query('thr', 'WriteProvisionedThroughputExceeded'),
            query('get', 'GetRecords.Records'),
            {
              ...query('age', 'GetRecords.IteratorAgeMilliseconds'),
              MetricStat: {
                ...query('age', 'GetRecords.IteratorAgeMilliseconds').MetricStat,
                Stat: 'Maximum',
              },
            },
          ],
        }),
      );
      const sum = (id: string) =>
        (out.MetricDataResults ?? []).find((r) => r.Id === id)?.Values?.reduce((a, b) => a + b, 0);
      expect(sum('inc')).toBe(accepted.length + singlesAccepted);
      expect(sum('thr')).toBeGreaterThanOrEqual(throttled.length + 1);
      expect(sum('get')).toBe(accepted.length);
      expect(sum('age')).toBeGreaterThanOrEqual(0);
    } finally {
      cw.destroy();
    }
  });

  it('loses and duplicates nothing when resharding under write load', async () => {
    const name = 'reshard-load';
    // its own cloud with limits raised: this is about resharding, not throttling
    const big = await startCoreCloud({
      port: 0,
      shardRecordsPerSecond: 1e9,
      shardBytesPerSecond: 1e12,
      log: () => {},
    });
    const k = kinesisClient({ endpoint: big.endpoint, region: 'us-east-1', maxAttempts: 1 });
    try {
      await k.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
      await waitUntilStreamExists(
        { client: k, maxWaitTime: 10, minDelay: 0.05 as number },
        { StreamName: name },
      );
      let next = 0;
      let writing = true;
      const writer = async () => {
        while (writing) {
          const ids = Array.from({ length: 100 }, () => next++);
          const out = await k.send(
            new PutRecordsCommand({
              StreamName: name,
              Records: ids.map((i) => ({
                PartitionKey: `user_${i % 97}`,
                Data: Buffer.from(String(i)),
              })),
            }),
          );
          expect(out.FailedRecordCount).toBe(0);
        }
      };
      const writers = [writer(), writer(), writer()];
      const waitFor = async () => {
        for (let i = 0; i < 400; i++) {
          const s = await k.send(new DescribeStreamSummaryCommand({ StreamName: name }));
          if (s.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
          await new Promise((r) => setTimeout(r, 10));
        }
      };
      for (const target of [2, 4, 2]) {
        await k.send(
          new UpdateShardCountCommand({
            StreamName: name,
            TargetShardCount: target,
            ScalingType: 'UNIFORM_SCALING',
          }),
        );
        await waitFor();
      }
      writing = false;
      await Promise.all(writers);
      const all = (await k.send(new ListShardsCommand({ StreamName: name }))).Shards ?? [];
      const seen: number[] = [];
      for (const s of all) {
        let it = (
          await k.send(
            new GetShardIteratorCommand({
              StreamName: name,
              ShardId: s.ShardId,
              ShardIteratorType: 'TRIM_HORIZON',
            }),
          )
        ).ShardIterator;
        while (it) {
          const out = await k.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10000 }));
          for (const r of out.Records ?? []) seen.push(Number(Buffer.from(r.Data!).toString()));
          if ((out.Records ?? []).length === 0) break;
          it = out.NextShardIterator;
        }
      }
      expect(all.filter(isOpen)).toHaveLength(2);
      expect(seen.length).toBe(next);
      expect(new Set(seen).size).toBe(next);
    } finally {
      k.destroy();
      await big.stop();
    }
  });
});
