/**
 * The Kinesis event-source runtime of the embedded cloud, end to end: real
 * streams behind the edge, mappings created with @aws-sdk/client-lambda,
 * and a fixture handler that records every invocation it sees (batch,
 * sequence numbers, partition keys, shard, start/end) into a file.
 */
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  UpdateShardCountCommand,
  DescribeStreamSummaryCommand,
} from '@aws-sdk/client-kinesis';
import {
  CreateEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createStream,
  eventually,
  sleep,
  startLambdaCloud,
  type LambdaTestCloud,
  createFixtureFunction,
} from './lambda-helpers';

interface Seen {
  requestId: string;
  start: number;
  end: number;
  first: string;
  seqs: string[];
  pks: string[];
  data: string[];
  shard: string;
  failed: boolean;
}

let cloud: LambdaTestCloud;
let dir: string;
beforeAll(async () => {
  cloud = await startLambdaCloud();
  dir = mkdtempSync(join(tmpdir(), 'cloud-lambda-kinesis-'));
});
afterAll(async () => {
  await cloud?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A recorder function; returns the file it records into. */
async function recorder(
  name: string,
  env: Record<string, string> = {},
  timeout = 10,
): Promise<string> {
  const file = join(dir, `${name}.jsonl`);
  await createFixtureFunction(cloud, name, 'recorder', { RECORD_FILE: file, ...env }, timeout);
  return file;
}

function seen(file: string): Seen[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Seen);
}
const succeeded = (file: string) => seen(file).filter((s) => !s.failed);
const handledCount = (file: string) => succeeded(file).reduce((n, s) => n + s.seqs.length, 0);

async function mapping(
  fn: string,
  streamArn: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const m = await cloud.clients.lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: fn,
      EventSourceArn: streamArn,
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 10,
      ...extra,
    }),
  );
  await eventually(
    'mapping Enabled',
    async () =>
      (await cloud.clients.lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID! })))
        .State === 'Enabled',
  );
  return m.UUID!;
}

async function put(stream: string, records: Array<{ pk: string; data: string }>): Promise<void> {
  for (let i = 0; i < records.length; i += 500) {
    const r = await cloud.clients.kinesis.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: records
          .slice(i, i + 500)
          .map((x) => ({ PartitionKey: x.pk, Data: Buffer.from(x.data) })),
      }),
    );
    expect(r.FailedRecordCount ?? 0).toBe(0);
  }
}

/** For each partition key, its records in the order the function handled them. */
function orderPerKey(entries: Seen[]): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  for (const e of [...entries].sort((a, b) => a.start - b.start)) {
    e.pks.forEach((pk, i) => {
      const list = byKey.get(pk) ?? [];
      list.push(Number(e.data[i]!.split(':')[1]));
      byKey.set(pk, list);
    });
  }
  return byKey;
}

const overlaps = (entries: Seen[]) =>
  entries.some((a) => entries.some((b) => a !== b && a.start < b.end && b.start < a.end));

describe('Kinesis event-source runtime', () => {
  it('keeps order per partition key under ParallelizationFactor 4, with lanes really concurrent', async () => {
    const arn = await createStream(cloud.clients.kinesis, 'esm-order', 1);
    const file = await recorder('order', { SLEEP_MS: '60' });
    const keys = Array.from({ length: 12 }, (_, k) => `user_${k}`);
    const records = Array.from({ length: 240 }, (_, i) => ({
      pk: keys[i % keys.length]!,
      data: `${keys[i % keys.length]}:${Math.floor(i / keys.length)}`,
    }));
    await put('esm-order', records);
    await mapping('order', arn, { ParallelizationFactor: 4, BatchSize: 10 });
    await eventually('all records handled', () => handledCount(file) === 240);
    const entries = succeeded(file);
    for (const [key, order] of orderPerKey(entries))
      expect(order, key).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(overlaps(entries)).toBe(true);
    // Every key stays in one lane: a batch never holds one key's records out of order, and no record twice.
    expect(new Set(entries.flatMap((e) => e.seqs)).size).toBe(240);
    const age = await cloud.clients.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(Date.now() - 300_000),
        EndTime: new Date(Date.now() + 60_000),
        MetricDataQueries: [
          {
            Id: 'a',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/Lambda',
                MetricName: 'IteratorAge',
                Dimensions: [{ Name: 'FunctionName', Value: 'order' }],
              },
              Period: 60,
              Stat: 'Maximum',
            },
          },
        ],
      }),
    );
    expect(age.MetricDataResults?.[0]?.Values?.length).toBeGreaterThan(0);
  });

  it('retries a failed batch with the same records and boundaries', async () => {
    const arn = await createStream(cloud.clients.kinesis, 'esm-retry', 1);
    const file = await recorder('retry', { FAIL_TIMES: '2' });
    await put(
      'esm-retry',
      Array.from({ length: 12 }, (_, i) => ({ pk: `k${i % 3}`, data: `k${i % 3}:${i}` })),
    );
    await mapping('retry', arn, { BatchSize: 5 });
    await eventually('all records handled', () => handledCount(file) === 12);
    const byFirst = new Map<string, Seen[]>();
    for (const e of seen(file)) byFirst.set(e.first, [...(byFirst.get(e.first) ?? []), e]);
    expect(byFirst.size).toBe(3);
    for (const attempts of byFirst.values()) {
      expect(attempts.map((a) => a.failed)).toEqual([true, true, false]);
      for (const a of attempts) expect(a.seqs).toEqual(attempts[0]!.seqs);
    }
    expect([...byFirst.values()].map((a) => a[0]!.seqs.length)).toEqual([5, 5, 2]);
  });

  it('sends a batch to the on-failure SQS destination after the retry limit, and goes on', async () => {
    const arn = await createStream(cloud.clients.kinesis, 'esm-dlq', 1);
    const queueUrl = (
      await cloud.clients.sqs.send(new CreateQueueCommand({ QueueName: 'esm-failures' }))
    ).QueueUrl!;
    const file = await recorder('dlq', { FAIL_TIMES: '1000' });
    await put(
      'esm-dlq',
      [1, 2, 3].map((i) => ({ pk: 'p', data: `p:${i}` })),
    );
    await mapping('dlq', arn, {
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: { Destination: 'arn:aws:sqs:us-east-1:000000000000:esm-failures' },
      },
    });
    const msg = await eventually('failure record in SQS', async () => {
      const r = await cloud.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }),
      );
      return r.Messages?.[0];
    });
    const body = JSON.parse(msg.Body!);
    const attempts = seen(file);
    expect(attempts).toHaveLength(3); // first invocation + 2 retries
    expect(body.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 3,
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:dlq',
    });
    expect(body.responseContext).toMatchObject({ functionError: 'Unhandled' });
    expect(body.version).toBe('1.0');
    expect(body.KinesisBatchInfo).toMatchObject({
      shardId: attempts[0]!.shard,
      startSequenceNumber: attempts[0]!.seqs[0],
      endSequenceNumber: attempts[0]!.seqs[2],
      batchSize: 3,
      streamArn: arn,
    });
    expect(Date.parse(body.KinesisBatchInfo.approximateArrivalOfFirstRecord)).toBeGreaterThan(0);
    // The shard moves on past the discarded batch.
    await cloud.clients.kinesis.send(
      new PutRecordCommand({ StreamName: 'esm-dlq', PartitionKey: 'p', Data: Buffer.from('p:4') }),
    );
    await eventually('next record handled', () => seen(file).some((s) => s.data.includes('p:4')));
  });

  it('waits for the batching window: records put one by one within it arrive in one batch', async () => {
    const arn = await createStream(cloud.clients.kinesis, 'esm-window', 1);
    const file = await recorder('window');
    await mapping('window', arn, { BatchSize: 100, MaximumBatchingWindowInSeconds: 3 });
    for (let i = 0; i < 5; i++) {
      await cloud.clients.kinesis.send(
        new PutRecordCommand({
          StreamName: 'esm-window',
          PartitionKey: `k${i}`,
          Data: Buffer.from(`k${i}:${i}`),
        }),
      );
      await sleep(150);
    }
    await eventually('records handled', () => handledCount(file) === 5, 10_000);
    expect(seen(file)).toHaveLength(1);
  });

  it('UpdateEventSourceMapping changes ParallelizationFactor live (Get reflects it; lanes start overlapping)', async () => {
    const arn = await createStream(cloud.clients.kinesis, 'esm-pf', 1);
    const file = await recorder('pf', { SLEEP_MS: '80' });
    const uuid = await mapping('pf', arn, { BatchSize: 4, ParallelizationFactor: 1 });
    const keys = Array.from({ length: 8 }, (_, k) => `u${k}`);
    const batch = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        pk: keys[(from + i) % 8]!,
        data: `${keys[(from + i) % 8]}:${Math.floor((from + i) / 8)}`,
      }));
    await put('esm-pf', batch(0, 24));
    await eventually('first part handled', () => handledCount(file) === 24);
    const before = succeeded(file);
    expect(overlaps(before)).toBe(false);

    const updated = await cloud.clients.lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: uuid, ParallelizationFactor: 4 }),
    );
    expect(updated.ParallelizationFactor).toBe(4);
    expect(updated.State).toBe('Updating');
    await eventually(
      'Enabled again',
      async () =>
        (await cloud.clients.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid })))
          .State === 'Enabled',
    );
    expect(
      (await cloud.clients.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid })))
        .ParallelizationFactor,
    ).toBe(4);
    const listed = await cloud.clients.lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: 'pf' }),
    );
    expect(listed.EventSourceMappings?.map((m) => m.UUID)).toEqual([uuid]);

    await put('esm-pf', batch(24, 64));
    await eventually('second part handled', () => handledCount(file) === 88);
    const after = succeeded(file).filter((e) => !before.some((b) => b.requestId === e.requestId));
    expect(overlaps(after)).toBe(true);
    for (const [key, order] of orderPerKey(succeeded(file)))
      expect(order, key).toEqual(Array.from({ length: 11 }, (_, i) => i));
  });

  it('reads a parent shard to its end before its children after UpdateShardCount under load', async () => {
    const arn = await createStream(cloud.clients.kinesis, 'esm-reshard', 2);
    const file = await recorder('reshard', { SLEEP_MS: '20' });
    await mapping('reshard', arn, { BatchSize: 25 });
    let n = 0;
    let resharded = false;
    // Load before, during and after the resharding: the producer stops 10 rounds after it completed.
    const producer = (async () => {
      for (let after = 0; after < 10;) {
        const rs = Array.from({ length: 20 }, () => {
          const i = n++;
          return { pk: `user_${i % 37}`, data: `user_${i % 37}:${Math.floor(i / 37)}` };
        });
        await put('esm-reshard', rs);
        await sleep(40);
        if (resharded) after++;
      }
    })();
    await sleep(300);
    await cloud.clients.kinesis.send(
      new UpdateShardCountCommand({
        StreamName: 'esm-reshard',
        TargetShardCount: 4,
        ScalingType: 'UNIFORM_SCALING',
      }),
    );
    await eventually(
      'stream ACTIVE',
      async () =>
        (
          await cloud.clients.kinesis.send(
            new DescribeStreamSummaryCommand({ StreamName: 'esm-reshard' }),
          )
        ).StreamDescriptionSummary?.StreamStatus === 'ACTIVE',
    );
    resharded = true;
    await producer;
    await eventually(
      'all records handled',
      () => new Set(succeeded(file).flatMap((e) => e.data)).size === n,
      30_000,
    );

    const shards =
      (await cloud.clients.kinesis.send(new ListShardsCommand({ StreamName: 'esm-reshard' })))
        .Shards ?? [];
    const children = shards.filter((s) => s.ParentShardId);
    expect(children.length).toBeGreaterThan(0);
    const entries = succeeded(file);
    let childRecords = 0;
    for (const child of children) {
      const parents = [child.ParentShardId, child.AdjacentParentShardId].filter(Boolean);
      const childStart = Math.min(
        ...entries.filter((e) => e.shard === child.ShardId).map((e) => e.start),
      );
      const parentEnd = Math.max(
        ...entries.filter((e) => parents.includes(e.shard)).map((e) => e.end),
      );
      childRecords += entries.filter((e) => e.shard === child.ShardId).length;
      expect(
        childStart,
        `${child.ShardId} started before its parents ${parents.join(',')} were done`,
      ).toBeGreaterThanOrEqual(parentEnd);
    }
    expect(childRecords).toBeGreaterThan(0);
    // Order per key holds across the resharding too.
    for (const [key, order] of orderPerKey(entries))
      expect(order, key).toEqual([...order].sort((a, b) => a - b));
  });

  it('honours ReportBatchItemFailures: retries from the first failed record', async () => {
    const arn = await createStream(cloud.clients.kinesis, 'esm-partial', 1);
    const file = await recorder('partial', { PARTIAL_FAIL_PK: 'bad' });
    const pks = ['a', 'a', 'bad', 'a', 'a', 'a'];
    await put(
      'esm-partial',
      pks.map((pk, i) => ({ pk, data: `${pk}:${i}` })),
    );
    await mapping('partial', arn, { FunctionResponseTypes: ['ReportBatchItemFailures'] });
    await eventually('retry of the rest', () => seen(file).length === 2 && seen(file));
    const [first, retry] = seen(file);
    expect(first!.seqs).toHaveLength(6);
    expect(retry!.seqs).toEqual(first!.seqs.slice(2));
  });

  it('honours BisectBatchOnFunctionError: halves until the failing record, which alone goes to retries', async () => {
    const arn = await createStream(cloud.clients.kinesis, 'esm-bisect', 1);
    const file = await recorder('bisect', { FAIL_PK: 'bad' });
    const pks = ['a', 'a', 'a', 'a', 'a', 'bad', 'a', 'a'];
    await put(
      'esm-bisect',
      pks.map((pk, i) => ({ pk, data: `${pk}:${i}` })),
    );
    await mapping('bisect', arn, { BisectBatchOnFunctionError: true, MaximumRetryAttempts: 1 });
    await eventually('the last half handled', () => seen(file).length === 8 && seen(file));
    expect(seen(file).map((e) => e.seqs.length)).toEqual([8, 4, 4, 2, 1, 1, 1, 2]);
    expect(seen(file).map((e) => e.failed)).toEqual([
      true,
      false,
      true,
      true,
      false,
      true,
      true,
      false,
    ]);
  });

  it('Enabled false stops polling; enabling again resumes from the checkpoint without replays', async () => {
    const arn = await createStream(cloud.clients.kinesis, 'esm-toggle', 1);
    const file = await recorder('toggle');
    const uuid = await mapping('toggle', arn);
    await put(
      'esm-toggle',
      [0, 1, 2].map((i) => ({ pk: 'k', data: `k:${i}` })),
    );
    await eventually('first records', () => handledCount(file) === 3);
    await cloud.clients.lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: false }),
    );
    await eventually(
      'Disabled',
      async () =>
        (await cloud.clients.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid })))
          .State === 'Disabled',
    );
    await put(
      'esm-toggle',
      [3, 4].map((i) => ({ pk: 'k', data: `k:${i}` })),
    );
    await sleep(600); // several idle polls' worth: nothing may arrive while disabled
    expect(handledCount(file)).toBe(3);
    await cloud.clients.lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: true }),
    );
    await eventually('the rest', () => handledCount(file) === 5);
    expect(succeeded(file).flatMap((e) => e.data)).toEqual(['k:0', 'k:1', 'k:2', 'k:3', 'k:4']);
  });

  it('starts at LATEST: records put before the mapping are skipped, later ones delivered', async () => {
    const arn = await createStream(cloud.clients.kinesis, 'esm-latest', 1);
    const file = await recorder('latest');
    await put('esm-latest', [{ pk: 'k', data: 'k:old' }]);
    const uuid = await mapping('latest', arn, { StartingPosition: 'LATEST' });
    expect(
      (await cloud.clients.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid })))
        .StartingPosition,
    ).toBe('LATEST');
    // LATEST is taken when the poller first asks for its iterator: keep putting until one arrives.
    let i = 0;
    await eventually(
      'a new record',
      async () => {
        await put('esm-latest', [{ pk: 'k', data: `k:new${i++}` }]);
        return handledCount(file) > 0;
      },
      20_000,
      200,
    );
    const data = succeeded(file).flatMap((e) => e.data);
    expect(data).not.toContain('k:old');
    expect(data[0]).toMatch(/^k:new/);
  });

  it('starts AT_TIMESTAMP: only records that arrived from that time on are delivered', async () => {
    const arn = await createStream(cloud.clients.kinesis, 'esm-at', 1);
    const file = await recorder('at');
    await put('esm-at', [{ pk: 'k', data: 'k:before' }]);
    await sleep(1100);
    const from = new Date();
    await sleep(50);
    await put('esm-at', [{ pk: 'k', data: 'k:after' }]);
    await mapping('at', arn, { StartingPosition: 'AT_TIMESTAMP', StartingPositionTimestamp: from });
    await eventually('the later record', () => handledCount(file) === 1);
    await sleep(300);
    expect(succeeded(file).flatMap((e) => e.data)).toEqual(['k:after']);
  });
});
