/**
 * Edge ingest: sustained PutRecords (500 records of ~300-byte JSON per call,
 * several concurrent callers) through the embedded cloud's edge into
 * kinesalite, per-shard limits raised so throttling does not cap it, while a
 * GetRecords reader per shard drains the stream (the consumer's read load).
 * Run twice: with the SDK's default Kinesis client (HTTP/2, one multiplexed
 * session) and with an HTTP/1.1 keep-alive client (one socket per caller),
 * so the project's choice of client is measured, not assumed.
 * Goal: >= 10,000 records/s on a 2-core machine.
 */
import { Agent } from 'node:http';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
  CreateStreamCommand,
  waitUntilStreamExists,
  KinesisClient,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startCoreCloud } from '../../../localcloud/core-cloud';
import type { BenchFigure } from '../run';

export const name = 'edge-ingest';

const SECONDS = 10;
const WARM_UP_SECONDS = 3;
const CALLERS = 6;
const BATCH = 500;
const SHARDS = 4;

function record(i: number): Uint8Array {
  // ~300 bytes, shaped like the pipeline's events
  return Buffer.from(
    JSON.stringify({
      event_id: `5f0c${i.toString(16).padStart(12, '0')}-aaaa-bbbb-cccc-000000000000`,
      timestamp: Date.now() / 1000,
      user_id: `user_${i % 5000}`,
      student_name: 'Ahmed Yar',
      course: 'CS-315',
      activity: 'debugging',
      lines_of_code: 42,
      cpu_usage_pct: 37.5,
      severity: 'High',
      content: 'Segmentation fault: app CRASH in parser while reading the input file',
    }),
  );
}

type Protocol = 'HTTP/2' | 'HTTP/1.1';

export async function run(): Promise<BenchFigure[]> {
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  const figures: BenchFigure[] = [];
  // JIT warm for both protocols' code paths (client and server): the first timed run is not penalised
  for (const protocol of ['HTTP/2', 'HTTP/1.1'] as const) await runOnce(protocol, WARM_UP_SECONDS);
  // alternated, so a change in the machine's other load touches both alike
  for (const protocol of ['HTTP/2', 'HTTP/1.1', 'HTTP/2', 'HTTP/1.1'] as const)
    figures.push(...(await runOnce(protocol, SECONDS)));
  return figures;
}

async function runOnce(protocol: Protocol, seconds: number): Promise<BenchFigure[]> {
  const cloud = await startCoreCloud({
    port: 0,
    shardRecordsPerSecond: 1e9,
    shardBytesPerSecond: 1e12,
    log: () => {},
  });
  const kinesis = new KinesisClient({
    endpoint: cloud.endpoint,
    region: 'us-east-1',
    ...(protocol === 'HTTP/1.1'
      ? {
          requestHandler: new NodeHttpHandler({
            httpAgent: new Agent({ keepAlive: true, maxSockets: CALLERS + SHARDS }),
          }),
        }
      : {}),
  });
  try {
    const stream = 'bench-ingest';
    await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: SHARDS }));
    await waitUntilStreamExists(
      { client: kinesis, maxWaitTime: 10, minDelay: 0.05 as number },
      { StreamName: stream },
    );
    const payloads = Array.from({ length: BATCH * 4 }, (_, i) => record(i));
    let put = 0;
    let throttled = 0;
    let read = 0;
    let bytes = 0;
    const deadline = Date.now() + seconds * 1000;
    const started = Date.now();
    // CPU time of this process (callers, edge, kinesalite, readers): a figure the other load on a shared machine does not skew
    const cpuStart = process.cpuUsage();

    const caller = async (c: number) => {
      let n = c * 100_003;
      while (Date.now() < deadline) {
        const Records = Array.from({ length: BATCH }, () => {
          const Data = payloads[n % payloads.length]!;
          n++;
          return { PartitionKey: `user_${n % 5000}`, Data };
        });
        const out = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records }));
        put += BATCH - (out.FailedRecordCount ?? 0);
        throttled += out.FailedRecordCount ?? 0;
        for (const r of Records) bytes += r.Data.length;
      }
    };
    let readersRun = true;
    const reader = async (shardId: string) => {
      let it = (
        await kinesis.send(
          new GetShardIteratorCommand({
            StreamName: stream,
            ShardId: shardId,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        )
      ).ShardIterator;
      while (readersRun && it) {
        const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10_000 }));
        read += out.Records?.length ?? 0;
        it = out.NextShardIterator;
        if ((out.Records?.length ?? 0) === 0) await new Promise((r) => setTimeout(r, 200));
      }
    };
    const shards = (await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
    const readers = shards.map((s) => reader(s.ShardId!));
    await Promise.all(Array.from({ length: CALLERS }, (_, c) => caller(c)));
    const elapsed = (Date.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    readersRun = false;
    await Promise.all(readers);
    const rate = put / elapsed;
    return [
      {
        figure: `${protocol}: PutRecords through the edge (${CALLERS} callers x ${BATCH}-record calls, ${SHARDS} shards, ~${Math.round(bytes / Math.max(1, put + throttled))} B records)`,
        value: rate,
        unit: 'records/s',
        goal: '>= 10,000',
        met: rate >= 10_000,
      },
      {
        figure: `${protocol}: GetRecords read concurrently through the edge`,
        value: read / elapsed,
        unit: 'records/s',
      },
      {
        figure: `${protocol}: records put per CPU-second of the whole process (load-independent: what one free core sustains)`,
        value: put / cpuSeconds,
        unit: 'records/CPU-s',
      },
      {
        figure: `${protocol}: CPU used by the process during the run`,
        value: (100 * cpuSeconds) / elapsed,
        unit: '% of one core',
      },
      {
        figure: `${protocol}: throttled records (limits raised; should be 0)`,
        value: throttled,
        unit: 'records',
      },
    ];
  } finally {
    kinesis.destroy();
    await cloud.stop();
  }
}
