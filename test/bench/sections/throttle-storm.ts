/**
 * Throttling that costs the cloud little (issue 14): GetRecords latency on a
 * shard while a storm of PutRecords that the shard's limit refuses almost
 * entirely hammers the same edge — from another thread, so what slows the
 * reads is the edge's own work on rejected puts, not the storm's client
 * work. Quiet first (the same reads, no storm), then the storm; a reader
 * polls as Lambda's pollers do. Reported: read latency p50/p95/max quiet and
 * under the storm, the storm's calls and throttled records per second, and
 * the process's CPU per storm call.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  PutRecordsCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { startCoreCloud } from '../../../localcloud/core-cloud';
import type { BenchFigure } from '../run';

export const name = 'throttle-storm';

const PHASE_MS = 8_000;
const STORM_CALLERS = 8;
const READ_EVERY_MS = 100;
const STREAM = 'storm';

/** Storms: every record refused (a limit below one record a second), and AWS's limit (1,000 a second accepted). */
const SCENARIOS = [
  { label: 'all refused', shardRecordsPerSecond: 0.5 },
  { label: 'AWS limit', shardRecordsPerSecond: undefined },
] as const;

export async function run(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  for (const s of SCENARIOS) figures.push(...(await scenario(s.label, s.shardRecordsPerSecond)));
  return figures;
}

async function scenario(label: string, shardRecordsPerSecond?: number): Promise<BenchFigure[]> {
  const cloud = await startCoreCloud({ port: 0, shardRecordsPerSecond, log: () => {} });
  const kinesis = new KinesisClient({
    endpoint: cloud.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  try {
    await kinesis.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 1 }));
    await waitUntilStreamExists(
      { client: kinesis, maxWaitTime: 10, minDelay: 0.05 as number },
      { StreamName: STREAM },
    );
    const quiet = await readLatencies(kinesis, PHASE_MS);
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    const cpu = process.cpuUsage();
    const [storm, loud] = await Promise.all([
      runStorm(cloud.endpoint),
      readLatencies(kinesis, PHASE_MS),
    ]);
    const used = process.cpuUsage(cpu);
    h.disable();
    const cpuMs = (used.user + used.system) / 1000;
    const seconds = PHASE_MS / 1000;
    const p = (xs: number[], q: number) =>
      [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))] ?? NaN;
    const f = (figure: string, value: number, unit: string) => ({
      figure: `${label}: ${figure}`,
      value,
      unit,
    });
    return [
      f('GetRecords latency p50, quiet', p(quiet, 0.5), 'ms'),
      f('GetRecords latency p95, quiet', p(quiet, 0.95), 'ms'),
      f(`GetRecords latency p50, under the storm (${STORM_CALLERS} callers)`, p(loud, 0.5), 'ms'),
      f('GetRecords latency p95, under the storm', p(loud, 0.95), 'ms'),
      f('GetRecords latency max, under the storm', Math.max(...loud), 'ms'),
      f('event-loop delay p99 under the storm', h.percentile(99) / 1e6, 'ms'),
      f('storm PutRecords calls answered', storm.calls / seconds, 'calls/s'),
      f('storm records throttled', storm.failed / seconds, 'records/s'),
      f(
        'CPU of the cloud process (storm client excluded)',
        (100 * cpuMs) / PHASE_MS,
        '% of one core',
      ),
      f('CPU per storm call', cpuMs / Math.max(1, storm.calls), 'ms/call'),
    ];
  } finally {
    kinesis.destroy();
    await cloud.stop();
  }
}

/** A reader at Lambda's poll pace with a trickle of records to read (under the limit). */
async function readLatencies(kinesis: KinesisClient, ms: number): Promise<number[]> {
  let it = (
    await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: STREAM,
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'LATEST',
      }),
    )
  ).ShardIterator;
  const out: number[] = [];
  const deadline = Date.now() + ms;
  while (it && Date.now() < deadline) {
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: STREAM,
        Records: [{ PartitionKey: 'r', Data: Buffer.from('r') }],
      }),
    );
    const t = performance.now();
    const r = await kinesis.send(new GetRecordsCommand({ ShardIterator: it }));
    out.push(performance.now() - t);
    it = r.NextShardIterator;
    await new Promise((res) => setTimeout(res, READ_EVERY_MS));
  }
  return out;
}

function runStorm(endpoint: string): Promise<{ calls: number; failed: number }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./storm-worker.mjs', import.meta.url), {
      workerData: { endpoint, stream: STREAM, callers: STORM_CALLERS, durationMs: PHASE_MS },
    });
    w.once('message', resolve);
    w.once('error', reject);
  });
}
