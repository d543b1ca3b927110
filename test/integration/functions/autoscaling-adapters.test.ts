/**
 * The scaler's adapters on the embedded core cloud (real wire protocols, no
 * mocks): the signal reader against CloudWatch GetMetricData with 5 s periods,
 * and the SCALER/STATE store against dynalite (run ownership by runStartedAt).
 */
import { PutMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableDefinitions } from '../../../functions/store/table-definitions';
import { cloudWatchClient, dynamoClient } from '../../../functions/aws/clients';
import { initialMemory } from '../../../functions/core/scaling/policy';
import {
  claimScalerRun,
  loadScalerState,
  saveScalerState,
} from '../../../functions/store/scaler-state-store';
import { Metric, PIPELINE_DIMENSION } from '../../../functions/core/metric-names';
import { readSignals, signalWindow } from '../../../functions/telemetry/signal-reader';
import { startCoreCloud, type CoreCloud } from '../../../localcloud/core-cloud';

let cloud: CoreCloud;
let cw: CloudWatchClient;
let ddb: DynamoDBClient;
const TABLE = 'scalertest-control';

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  cloud = await startCoreCloud({ port: 0, log: () => {} });
  const o = { endpoint: cloud.endpoint, region: 'us-east-1', maxAttempts: 1 };
  cw = cloudWatchClient(o);
  ddb = dynamoClient(o);
  await ddb.send(new CreateTableCommand(tableDefinitions('scalertest').control));
});
afterAll(async () => {
  cw?.destroy();
  ddb?.destroy();
  await cloud?.stop();
});

describe('signal reader on the embedded CloudWatch', () => {
  it('reads rates over the window and the last period from the pipeline metrics, and busy lanes from AWS/Lambda', async () => {
    const now = Date.now();
    const w = signalWindow(now, 20, 5);
    const dims = [{ Name: PIPELINE_DIMENSION, Value: 'scalertest' }];
    const at = (k: number) => new Date(w.startMs + k * 5000 + 1000); // inside period k
    const put = (
      name: string,
      values: number[],
      unit: 'Count' | 'Bytes' | 'Milliseconds' = 'Count',
    ) =>
      cw.send(
        new PutMetricDataCommand({
          Namespace: 'Streamscale',
          MetricData: values.map((v, k) => ({
            MetricName: name,
            Dimensions: dims,
            Timestamp: at(k),
            Value: v,
            Unit: unit,
            StorageResolution: 1,
          })),
        }),
      );
    await put(Metric.IncomingRecords, [2500, 2500, 5000, 10_000]);
    await put(Metric.IncomingBytes, [750_000, 750_000, 1_500_000, 3_000_000], 'Bytes');
    await put(Metric.ThrottledRecords, [0, 0, 0, 4000]);
    await put(Metric.RecordsProcessed, [2500, 2500, 2500, 2500]);
    await put(Metric.ConsumerIteratorAge, [1000, 1000, 6000, 8000], 'Milliseconds');
    // AWS/ namespaces are reserved for the services: the cloud's Lambda plane publishes them through its metric sink.
    for (const k of [0, 1, 2, 3]) {
      cloud.ctx.metrics.putMetric({
        namespace: 'AWS/Lambda',
        name: 'Duration',
        dimensions: { FunctionName: 'scalertest-consumer' },
        value: 10_000,
        unit: 'Milliseconds',
        timestamp: at(k),
      });
    }
    const s = await readSignals(
      cw,
      {
        namespace: 'Streamscale',
        prefix: 'scalertest',
        streamName: 'scalertest-events',
        consumerFunction: 'scalertest-consumer',
        windowSeconds: 20,
        periodSeconds: 5,
      },
      now,
    );
    expect(s.sources.input).toBe('pipeline');
    expect(s.incomingRecordsPerSecond).toBe(1000); // 20,000 / 20 s
    expect(s.recent?.incomingRecordsPerSecond).toBe(1500); // 15,000 in the last 10 s
    expect(s.recent?.throttledRecordsPerSecond).toBe(400);
    expect(s.processedRecordsPerSecond).toBe(500);
    expect(s.iteratorAgeMs).toBe(8000);
    expect(s.busyLanes).toBe(2); // 40 s of handler time in 20 s
  });
});

describe('scaler state store on dynalite', () => {
  it('a run claims the scaler, saves its memory, and a newer run takes over; the older one can no longer save', async () => {
    const memory = {
      ...initialMemory({ perLaneRecordsPerSecondPrior: 1000 }),
      shardUpdates: [1, 2],
      lastShardChangeAt: 2,
    };
    const decision = {
      at: 10,
      desiredShards: 2,
      desiredParallelization: 3,
      actualShards: 1,
      actualParallelization: 1,
      reason: 'test',
    };
    const terms = (now: number) => ({ runUntil: now + 60_000, handoverAt: now + 5_000 });
    expect(await claimScalerRun(ddb, TABLE, 1000, terms(1000))).toBe(true);
    expect(await saveScalerState(ddb, TABLE, 1000, memory, decision)).toBe(true);
    const saved = await loadScalerState(ddb, TABLE);
    expect(saved?.memory).toEqual(memory);
    expect(saved?.lastDecision).toEqual(decision);

    expect(await claimScalerRun(ddb, TABLE, 900, terms(900))).toBe(false); // older than the owner
    // newer, but the owner's run lasts until 61,000: no takeover, however slow its decisions
    expect(await claimScalerRun(ddb, TABLE, 1500, terms(1500))).toBe(false);
    // the owner's run is ending: the newer run takes over
    expect(await claimScalerRun(ddb, TABLE, 2000, terms(57_000))).toBe(true);
    expect(await saveScalerState(ddb, TABLE, 1000, { ...memory, shardUpdates: [] }, decision)).toBe(
      false,
    );
    expect((await loadScalerState(ddb, TABLE))?.memory?.shardUpdates).toEqual([1, 2]);
    expect((await loadScalerState(ddb, TABLE))?.runStartedAt).toBe(2000);
  });
});
