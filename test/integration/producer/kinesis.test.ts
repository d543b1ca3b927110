/**
 * The producers against Kinesis on the embedded cloud's core (kinesalite
 * behind the edge with a low per-shard write limit, so puts are throttled):
 * every generated record ends up in the stream exactly once, the --record
 * log lists exactly what the stream holds (shard, sequence number, key,
 * payload), throttled records were retried, and the producer metrics
 * published to CloudWatch add up to what was accepted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStreamCommand,
  UpdateShardCountCommand,
  waitUntilStreamExists,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { GetMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamContents } from '../../support/stream-contents';
import { cloudWatchClient, kinesisClient } from '../../../functions/aws/clients';
import { Metric, PIPELINE_DIMENSION } from '../../../functions/core/metric-names';
import { startCoreCloud, type CoreCloud } from '../../../localcloud/core-cloud';
import { ProducerMetrics } from '../../../producer/producer-metrics';
import { emptyStats } from '../../../producer/producer-stats';
import { readRecordLog, RecordLog } from '../../../producer/record-log';
import { planSpike } from '../../../producer/spike-plan';
import { runSpike } from '../../../producer/spike-runner';
import { checkStream, SpikeError } from '../../../producer/stream-check';
import type { SpikeStatus } from '../../../producer/spike-runner';

const SHARD_LIMIT = 150; // records/s per shard
let cloud: CoreCloud;
let kinesis: KinesisClient;
let cloudwatch: CloudWatchClient;
let dir: string;

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  cloud = await startCoreCloud({ port: 0, shardRecordsPerSecond: SHARD_LIMIT, log: () => {} });
  kinesis = kinesisClient({ endpoint: cloud.endpoint, region: 'us-east-1', maxAttempts: 1 });
  cloudwatch = cloudWatchClient({ endpoint: cloud.endpoint, region: 'us-east-1' });
  dir = mkdtempSync(join(tmpdir(), 'producer-kinesis-'));
});
afterAll(async () => {
  kinesis?.destroy();
  cloudwatch?.destroy();
  await cloud?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('producers on the embedded Kinesis', () => {
  it('says how to fix a missing stream', async () => {
    await expect(checkStream(kinesis, 'no-such-stream', cloud.endpoint)).rejects.toThrow(
      SpikeError,
    );
    await expect(checkStream(kinesis, 'no-such-stream', cloud.endpoint)).rejects.toThrow(
      /stream no-such-stream not found — deploy with `npm run deploy:local`/,
    );
  });

  it('says how to fix a missing endpoint', async () => {
    const nowhere = kinesisClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      maxAttempts: 1,
    });
    try {
      await expect(checkStream(nowhere, 's', 'http://127.0.0.1:9')).rejects.toThrow(
        /no local cloud at http:\/\/127\.0\.0\.1:9 — start it with `npm run local`/,
      );
    } finally {
      nowhere.destroy();
    }
  });

  it('writes every record exactly once under throttling, and the record log is the stream', async () => {
    const stream = 'producer-it';
    await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 2 }));
    await waitUntilStreamExists(
      { client: kinesis, maxWaitTime: 10, minDelay: 0.05 as number },
      { StreamName: stream },
    );
    expect(await checkStream(kinesis, stream, cloud.endpoint)).toBe(2);

    const stats = emptyStats();
    const metrics = new ProducerMetrics({
      client: cloudwatch,
      namespace: 'ProducerTest',
      prefix: 'ptest',
      stats,
      intervalMs: 500,
    });
    metrics.start();
    const logPath = join(dir, 'records.jsonl');
    const log = new RecordLog(logPath);
    const kinds = new Map<string, string>();
    // 1 producer, then 3 during the spike, at 200 rec/s each: up to 600 rec/s against 2 × 150.
    const plan = planSpike({
      producers: 1,
      spikeProducers: 2,
      baselineS: 1,
      spikeS: 2,
      cooldownS: 1,
    });
    const t0 = Date.now();
    const summary = await runSpike({
      client: kinesis,
      streamName: stream,
      plan,
      ratePerProducer: 200,
      stats,
      generator: {
        seed: 7,
        users: 200,
        lateFraction: 0.05,
        malformedFraction: 0.05,
        outOfOrderS: 3,
        allowedLatenessMs: 5_000,
        windowSizeMs: 2_000,
      },
      onAccepted: (r, g) => {
        log.write(r);
        kinds.set(`${r.shardId}/${r.sequenceNumber}`, g.kind);
      },
    });
    await log.close();
    await metrics.stop();

    const st = summary.stats;
    expect(summary.aborted).toBe(false);
    expect(summary.abandoned).toBe(0);
    expect(st.generated).toBeGreaterThan(500);
    expect(st.accepted).toBe(st.generated);
    expect(st.throttled).toBeGreaterThan(0);
    expect(st.retried).toBeGreaterThanOrEqual(st.throttled);
    expect(st.sent).toBe(st.accepted + st.throttled + st.failed);
    expect(st.malformed).toBeGreaterThan(0);
    expect(st.late).toBeGreaterThan(0);

    const logged = readRecordLog(logPath);
    const inStream = await streamContents(kinesis, stream);
    const key = (r: { shardId: string; sequenceNumber: string }) =>
      `${r.shardId}/${r.sequenceNumber}`;
    // The log is exactly the stream: same records, same shards, same sequence numbers, same payloads.
    expect(logged.length).toBe(st.accepted);
    expect(new Set(logged.map(key)).size).toBe(logged.length);
    const sortFn = (
      a: { shardId: string; sequenceNumber: string },
      b: { shardId: string; sequenceNumber: string },
    ) => key(a).localeCompare(key(b));
    expect([...inStream].sort(sortFn)).toEqual([...logged].sort(sortFn));
    // No payload was accepted twice (every valid/late payload has a unique event_id, so duplicates would show).
    expect(new Set(logged.map((r) => r.data)).size).toBe(logged.length);
    expect(logged.every((r) => kinds.has(key(r)))).toBe(true);
    for (const r of logged.filter((x) => kinds.get(key(x)) !== 'malformed'))
      expect(JSON.parse(r.data).user_id).toBe(r.partitionKey);

    // The producer metrics add up to what was accepted and throttled.
    const sum = async (name: string) => {
      const out = await cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(t0 - 60_000),
          EndTime: new Date(Date.now() + 60_000),
          MetricDataQueries: [
            {
              Id: 'm',
              MetricStat: {
                Metric: {
                  Namespace: 'ProducerTest',
                  MetricName: name,
                  Dimensions: [{ Name: PIPELINE_DIMENSION, Value: 'ptest' }],
                },
                Period: 3600,
                Stat: 'Sum',
              },
            },
          ],
        }),
      );
      return (out.MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0);
    };
    expect(await sum(Metric.IncomingRecords)).toBe(st.accepted);
    expect(await sum(Metric.IncomingBytes)).toBe(st.acceptedBytes);
    expect(await sum(Metric.ThrottledRecords)).toBe(st.throttled);
    expect(await sum(Metric.ProducerRetries)).toBe(st.retried);
  });
  it('KPL-like: throttled attempts stay within 25 % of accepted records through a spike and a reshard, each record accepted once', async () => {
    const stream = 'producer-kpl';
    await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 2 }));
    await waitUntilStreamExists(
      { client: kinesis, maxWaitTime: 10, minDelay: 0.05 as number },
      { StreamName: stream },
    );
    const logPath = join(dir, 'kpl-records.jsonl');
    const log = new RecordLog(logPath);
    const statuses: SpikeStatus[] = [];
    // 200 records/s, then 600 during 14 s, against 2 × 150; the stream doubles to 4 shards mid-spike.
    // Long enough that the two transients (learning down from 1,000 records/s per shard, and the
    // edge splitting with a one-second-old shard map) do not dominate the ratio.
    const plan = planSpike({
      producers: 1,
      spikeProducers: 2,
      baselineS: 2,
      spikeS: 14,
      cooldownS: 2,
    });
    const reshard = setTimeout(() => {
      void kinesis.send(
        new UpdateShardCountCommand({
          StreamName: stream,
          TargetShardCount: 4,
          ScalingType: 'UNIFORM_SCALING',
        }),
      );
    }, 6_000);
    const summary = await runSpike({
      client: kinesis,
      streamName: stream,
      plan,
      ratePerProducer: 200,
      stats: emptyStats(),
      shardRecordsPerSecond: SHARD_LIMIT,
      generator: { seed: 11, users: 300, allowedLatenessMs: 5_000, windowSizeMs: 2_000 },
      statusEveryMs: 250,
      onStatus: (s) => statuses.push({ ...s, stats: { ...s.stats, limit: { ...s.stats.limit } } }),
      onAccepted: (r) => log.write(r),
    });
    clearTimeout(reshard);
    await log.close();

    const st = summary.stats;
    expect(summary.abandoned).toBe(0);
    expect(st.accepted).toBe(st.generated);
    expect(st.throttled).toBeGreaterThan(0); // the stream was saturated: the limit had something to learn
    expect(st.throttled / st.accepted).toBeLessThanOrEqual(0.25);

    const logged = readRecordLog(logPath);
    const inStream = await streamContents(kinesis, stream);
    const key = (r: { shardId: string; sequenceNumber: string }) =>
      `${r.shardId}/${r.sequenceNumber}`;
    expect(logged.length).toBe(st.accepted);
    expect(new Set(logged.map((r) => r.data)).size).toBe(logged.length);
    expect(new Set(inStream.map((r) => r.data)).size).toBe(inStream.length);
    expect(inStream.map(key).sort()).toEqual(logged.map(key).sort());

    // The producers' limit: learned down to about a shard's 150 records/s, then over 4 shards after the reshard.
    const last = statuses.at(-1)!.stats.limit;
    expect(last.shards).toBe(4);
    expect(last.streamCapacity).toBe(4 * SHARD_LIMIT);
    expect(last.perShard).toBeLessThanOrEqual(2 * SHARD_LIMIT);
    const before = statuses.filter((s) => s.stats.limit.shards === 2).at(-1)!.stats.limit;
    expect(last.total).toBeGreaterThan(before.total);
  });
});
