/**
 * Lambda plane overhead on the embedded cloud: Kinesis event-source poll →
 * handler start (warm workers), and a synchronous Invoke round trip through
 * the edge with the SDK, and how fast a backlog drains (4 shards, BatchSize
 * 500, ParallelizationFactor 2). The handler does nothing, so the figures are
 * the runtime's own cost.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  PutRecordCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  InvokeCommand,
} from '@aws-sdk/client-lambda';
import { kinesisClient, lambdaClient } from '../../../functions/aws/clients';
import { startCoreCloud } from '../../../localcloud/core-cloud';
import { createLambdaService } from '../../../localcloud/lambda/index';
import type { BenchFigure } from '../run';

export const name = 'lambda-overhead';

const NOOP = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'fixtures',
  'functions',
  'noop',
);
const WARMUP = 20;
const SAMPLES = 300;
const BACKLOG = 40_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

export async function run(): Promise<BenchFigure[]> {
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  // No per-shard write limit: the backlog is written as fast as the edge takes it.
  const core = await startCoreCloud({
    port: 0,
    log: () => {},
    shardRecordsPerSecond: 1e9,
    shardBytesPerSecond: 1e12,
  });
  const pollToStart: number[] = [];
  let drained = 0;
  let lastBatchAt = 0;
  const lambda = createLambdaService(core.ctx, {
    idlePollMs: 10,
    activePollMs: 10,
    stateTransitionMs: 10,
    onBatchStarted: (polledAt, out) => {
      if (out.startedAt !== undefined) pollToStart.push(out.startedAt - polledAt);
      drained += Number((JSON.parse(out.payload) as { records?: number }).records ?? 0);
      lastBatchAt = performance.now();
    },
  });
  core.addService(lambda);
  const o = { endpoint: core.endpoint, region: 'us-east-1', maxAttempts: 1 };
  const kinesis = kinesisClient(o);
  const client = lambdaClient(o);
  try {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'bench-lambda', ShardCount: 1 }));
    let arn: string | undefined;
    while (!arn) {
      const s = await kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: 'bench-lambda' }),
      );
      if (s.StreamDescriptionSummary?.StreamStatus === 'ACTIVE')
        arn = s.StreamDescriptionSummary.StreamARN;
      else await sleep(20);
    }
    await client.send(
      new CreateFunctionCommand({
        FunctionName: 'noop',
        Runtime: 'nodejs22.x',
        Role: 'arn:aws:iam::000000000000:role/bench',
        Handler: 'index.handler',
        Code: { S3Bucket: 'hot-reload', S3Key: NOOP },
      }),
    );
    await client.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'noop',
        EventSourceArn: arn,
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
      }),
    );
    // One record at a time, so every poll that finds one starts one invocation.
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      await kinesis.send(
        new PutRecordCommand({
          StreamName: 'bench-lambda',
          PartitionKey: `k${i % 10}`,
          Data: Buffer.from(`{"i":${i}}`),
        }),
      );
      await sleep(15);
    }
    const deadline = Date.now() + 10_000;
    while (pollToStart.length < WARMUP + SAMPLES / 2 && Date.now() < deadline) await sleep(50);
    const warm = pollToStart.slice(WARMUP);

    const roundTrips: number[] = [];
    const payload = Buffer.from('{"ping":1}');
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      const t = performance.now();
      await client.send(new InvokeCommand({ FunctionName: 'noop', Payload: payload }));
      if (i >= WARMUP) roundTrips.push(performance.now() - t);
    }

    // Backlog drain: fill 4 shards first, then map and time until every record was delivered.
    await kinesis.send(new CreateStreamCommand({ StreamName: 'bench-backlog', ShardCount: 4 }));
    let backlogArn: string | undefined;
    while (!backlogArn) {
      const s = await kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: 'bench-backlog' }),
      );
      if (s.StreamDescriptionSummary?.StreamStatus === 'ACTIVE')
        backlogArn = s.StreamDescriptionSummary.StreamARN;
      else await sleep(20);
    }
    const data = Buffer.from(JSON.stringify({ user_id: 'user_1', payload: 'x'.repeat(150) }));
    for (let i = 0; i < BACKLOG; i += 500) {
      await kinesis.send(
        new PutRecordsCommand({
          StreamName: 'bench-backlog',
          Records: Array.from({ length: 500 }, (_, j) => ({
            PartitionKey: `user_${i + j}`,
            Data: data,
          })),
        }),
      );
    }
    drained = 0;
    const t0 = performance.now();
    await client.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'noop',
        EventSourceArn: backlogArn,
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 500,
        ParallelizationFactor: 2,
      }),
    );
    const drainDeadline = Date.now() + 40_000;
    while (drained < BACKLOG && Date.now() < drainDeadline) await sleep(20);
    const drainRate = (drained / (lastBatchAt - t0)) * 1000;

    const p50 = percentile(warm, 50);
    return [
      {
        figure: 'event-source poll → handler start p50 (warm)',
        value: p50,
        unit: 'ms',
        goal: '<= 5 ms',
        met: p50 <= 5,
      },
      {
        figure: 'event-source poll → handler start p95 (warm)',
        value: percentile(warm, 95),
        unit: 'ms',
      },
      { figure: 'batches measured', value: warm.length, unit: 'batches' },
      {
        figure: 'Invoke round trip p50 (SDK → edge → worker → SDK)',
        value: percentile(roundTrips, 50),
        unit: 'ms',
      },
      { figure: 'Invoke round trip p95', value: percentile(roundTrips, 95), unit: 'ms' },
      {
        figure: `backlog drain (${drained} of ${BACKLOG} records, 4 shards, BatchSize 500, PF 2)`,
        value: drainRate,
        unit: 'records/s',
      },
    ];
  } finally {
    kinesis.destroy();
    client.destroy();
    await core.stop();
  }
}
