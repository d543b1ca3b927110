/**
 * The scaler's cheap signals on the embedded core cloud (real wire
 * protocols): the consumers' progress write adds running totals to the shard
 * item, the producers' heartbeat writes its demand item, the scaler's reader
 * turns both into the policy's signals — and reads CloudWatch only when no
 * producer reports, at most once per scaler.cloudWatchFallbackSeconds.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableDefinitions } from '../../../functions/store/table-definitions';
import { cloudWatchClient, dynamoClient } from '../../../functions/aws/clients';
import { resolveConfig, resourceNames } from '../../../functions/config';
import { initialMemory, policyConfigFrom } from '../../../functions/core/scaling/policy';
import { readScalerSignals, type SignalCache } from '../../../functions/handlers/scaler-signals';
import { ControlStore } from '../../../functions/store/control-store';
import { readControlSnapshot } from '../../../functions/telemetry/control-signal-reader';
import { startCoreCloud, type CoreCloud } from '../../../localcloud/core-cloud';
import { DemandHeartbeat } from '../../../producer/demand-heartbeat';
import { emptyStats } from '../../../producer/producer-stats';

const config = resolveConfig({ prefix: 'cheapsig' });
const TABLE = resourceNames(config.prefix).controlTable;
let cloud: CoreCloud;
let cw: CloudWatchClient;
let ddb: DynamoDBClient;

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  cloud = await startCoreCloud({ port: 0, log: () => {} });
  const o = { endpoint: cloud.endpoint, region: 'us-east-1', maxAttempts: 1 };
  cw = cloudWatchClient(o);
  ddb = dynamoClient(o);
  await ddb.send(new CreateTableCommand(tableDefinitions(config.prefix).control));
});
afterAll(async () => {
  cw?.destroy();
  ddb?.destroy();
  await cloud?.stop();
});

const progress = (shardId: string, at: number, partial: boolean) => ({
  shardId,
  maxEventTime: at - 1_000,
  minEventTime: at - 2_000,
  openWindowStarts: [],
  lastSequenceNumber: '1',
  lastSeenAt: at,
  iteratorAgeMs: 500,
  partialBatch: partial,
});

describe('cheap signals from the control table', () => {
  it('shard totals accumulate over lanes; the producer item carries its demand; the reader differences both', async () => {
    const control = new ControlStore(ddb, TABLE);
    const stats = emptyStats();
    let clock = 1_000_000;
    const heartbeat = new DemandHeartbeat({
      client: ddb,
      table: TABLE,
      stats,
      intervalMs: 60_000,
      producerId: 'p1',
      now: () => clock,
    });
    await heartbeat.publish();
    const t0 = clock;
    await control.updateShardProgress(progress('shard-0', t0, true), { records: 0, busyMs: 0 });
    const memory = initialMemory(policyConfigFrom(config));
    const cache: SignalCache = {};
    const deps = { config, streamName: 'cheapsig-events', cloudwatch: cw, dynamo: ddb };
    const first = await readScalerSignals(deps, memory, t0, cache);

    // 10 s: two lanes of shard-0 handle 6,000 records in 4 s of busy time each;
    // the producer generated 24,000, got 10,000 in, holds 3,000 back.
    clock = t0 + 10_000;
    await control.updateShardProgress(progress('shard-0', clock, true), {
      records: 3_000,
      busyMs: 4_000,
    });
    await control.updateShardProgress(progress('shard-0', clock, false), {
      records: 3_000,
      busyMs: 4_000,
    });
    Object.assign(stats, { generated: 24_000, accepted: 10_000, acceptedBytes: 2_500_000 });
    stats.pending = 3_000;
    await heartbeat.publish();

    const snap = await readControlSnapshot(ddb, TABLE, clock);
    expect(snap.shards['shard-0']).toMatchObject({ processedRecords: 6_000, busyMs: 8_000 });
    expect(snap.producers.p1).toMatchObject({ generated: 24_000, pending: 3_000 });

    const read = await readScalerSignals(
      deps,
      { ...memory, snapshots: first.snapshots },
      clock,
      cache,
    );
    expect(read.reads.cloudWatchMetrics).toBe(0);
    expect(read.signals.sources.input).toBe('control table');
    expect(read.signals.recent?.offeredRecordsPerSecond).toBe(2_400);
    expect(read.signals.incomingRecordsPerSecond).toBe(1_000);
    expect(read.signals.processedRecordsPerSecond).toBe(600);
    expect(read.signals.busyLanes).toBe(0.8);
    expect(read.signals.producerPendingRecords).toBe(3_000);
    expect(read.snapshots.map((s) => s.at)).toEqual([t0, clock]);

    // The producer stops: its item goes, and with it the cheap input signal.
    await heartbeat.stop();
    expect((await readControlSnapshot(ddb, TABLE, clock)).producers).toEqual({});
  });

  it('without producer items, input comes from CloudWatch at most once per fallback interval', async () => {
    const deps = {
      config: resolveConfig({ prefix: 'cheapsig' }),
      streamName: 'cheapsig-events',
      cloudwatch: cw,
      dynamo: ddb,
    };
    const memory = initialMemory(policyConfigFrom(config));
    const cache: SignalCache = {};
    const every = config.scaler.cloudWatchFallbackSeconds * 1000;
    const t = Date.now();
    const a = await readScalerSignals(deps, memory, t, cache);
    const b = await readScalerSignals(deps, memory, t + every - 1, cache);
    const c = await readScalerSignals(deps, memory, t + every, cache);
    expect([a, b, c].map((r) => r.reads.cloudWatchMetrics)).toEqual([3, 0, 3]);
    expect(a.signals.sources.input).not.toBe('control table');
  });
});
