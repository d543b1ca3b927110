/**
 * The core of the embedded local cloud: one loopback edge with Kinesis
 * (kinesalite + UpdateShardCount + per-shard limits), DynamoDB (dynalite) —
 * the two emulators in their own worker threads by default —
 * CloudWatch (in-process metric store) and SQS. Other planes (Lambda, the
 * event-source runtime, schedules) plug in with addService and publish their
 * metrics through ctx.metrics.
 */
import { AWS_LIMITS, DEFAULT_EDGE_PORT, DEFAULT_REGION, type EmulatorPlacement } from './config';
import type { CloudContext, EdgeService } from './contracts';
import { CloudWatchService } from './cloudwatch/cloudwatch-service';
import { MetricStore } from './cloudwatch/metric-store';
import { DynamoDbService } from './dynamodb/dynamodb-service';
import { TableStreams } from './dynamodb-streams/table-streams';
import { EdgeServer } from './edge/edge-server';
import { KinesisService } from './kinesis/kinesis-service';
import { DataDir } from './persistence/data-dir';
import { savedAfterEach } from './persistence/saved-after-each';
import { StatePersister } from './persistence/state-persister';
import { SqsService } from './sqs/sqs-service';
import type { PartitionLimitSettings } from './dynamodb/partition-limits';

/** The settings --dynamodb-partition-limits stands for: AWS's, unless given. */
function partitionLimitsOf(
  opt: boolean | PartitionLimitSettings | undefined,
): PartitionLimitSettings | undefined {
  if (!opt) return undefined;
  if (opt !== true) return opt;
  return {
    wcuPerSecond: AWS_LIMITS.dynamodb.partitionWcuPerSecond,
    rcuPerSecond: AWS_LIMITS.dynamodb.partitionRcuPerSecond,
  };
}

export interface CoreCloudOptions {
  /** 0 = a free port; default 4566 */
  port?: number;
  host?: '127.0.0.1';
  region?: string;
  /** Per-shard write limits (default: AWS's 1,000 records/s and 1 MiB/s, from functions/config.ts). */
  shardRecordsPerSecond?: number;
  shardBytesPerSecond?: number;
  /** UpdateShardCount calls allowed per stream per rolling 24 h (AWS: 10). */
  shardUpdatesPerDay?: number;
  /** Open shards allowed across all streams (AWS us-east-1 default: 500). */
  shardLimit?: number;
  /**
   * Web origins (`scheme://host:port`) whose pages may call the cloud, or '*'.
   * Default none: a request carrying any other Origin is refused.
   */
  allowOrigins?: readonly string[] | '*';
  /**
   * Where kinesalite and dynalite run: each in its own worker thread
   * (default, EMULATORS.placement) or on the edge's event loop ('inline').
   */
  emulators?: EmulatorPlacement;
  /**
   * DynamoDB refuses more than AWS's per-partition-key throughput with
   * ProvisionedThroughputExceededException: true for AWS's limits, or others.
   */
  dynamodbPartitionLimits?: boolean | PartitionLimitSettings;
  /**
   * Keep every service's state in this directory (created when missing) across a stop and a
   * start; default: in memory only. See docs/local-cloud-persistence.md.
   */
  dataDir?: string;
  log?: (source: string, line: string) => void;
}

export interface CoreCloud {
  endpoint: string;
  ctx: CloudContext;
  /** query API for in-process readers */
  metrics: MetricStore;
  addService(s: EdgeService): void;
  /** Every service is registered: save their state periodically from now on (with a data dir). */
  startPersistence(): void;
  stop(): Promise<void>;
}

export async function startCoreCloud(opts: CoreCloudOptions = {}): Promise<CoreCloud> {
  const host = opts.host ?? '127.0.0.1';
  const log =
    opts.log ?? ((source: string, line: string) => process.stderr.write(`[${source}] ${line}\n`));
  const metrics = new MetricStore();
  const edge = new EdgeServer({
    host,
    port: opts.port ?? DEFAULT_EDGE_PORT,
    allowOrigins: opts.allowOrigins,
    log: (line) => log('edge', line),
  });
  const region = opts.region ?? DEFAULT_REGION;
  // Opened (and checked: format, region, not in use) before anything listens.
  const persister = opts.dataDir
    ? new StatePersister(DataDir.open(opts.dataDir, region), {
        log: (line) => log('persistence', line),
      })
    : undefined;
  let endpoint: string;
  try {
    endpoint = await edge.listen();
  } catch (err) {
    persister?.abandon();
    throw err;
  }
  const ctx: CloudContext = { endpoint, region, metrics, log, persistence: persister };
  const services: EdgeService[] = [];
  const add = (s: EdgeService) => {
    services.push(s);
    edge.addService(persister ? savedAfterEach(s, persister) : s);
  };
  try {
    // The two emulator threads start at once (each loads its emulator on its own core).
    const [kinesis, dynamodb] = await Promise.allSettled([
      KinesisService.start(ctx, {
        shardRecordsPerSecond:
          opts.shardRecordsPerSecond ?? AWS_LIMITS.kinesis.shardRecordsPerSecond,
        shardBytesPerSecond: opts.shardBytesPerSecond ?? AWS_LIMITS.kinesis.shardBytesPerSecond,
        shardUpdatesPerDay: opts.shardUpdatesPerDay ?? AWS_LIMITS.kinesis.shardUpdatesPerDay,
        shardLimit: opts.shardLimit ?? AWS_LIMITS.kinesis.shardLimit,
        emulatorPlacement: opts.emulators,
      }),
      DynamoDbService.start(ctx, {
        placement: opts.emulators,
        partitionLimits: partitionLimitsOf(opts.dynamodbPartitionLimits),
      }),
    ]);
    if (kinesis.status === 'rejected' || dynamodb.status === 'rejected') {
      for (const s of [kinesis, dynamodb]) if (s.status === 'fulfilled') services.push(s.value);
      throw kinesis.status === 'rejected'
        ? kinesis.reason
        : (dynamodb as PromiseRejectedResult).reason;
    }
    add(kinesis.value);
    dynamodb.value.observe(new TableStreams(ctx.region, ctx.persistence));
    add(dynamodb.value);
    add(new CloudWatchService(ctx, metrics));
    add(new SqsService(ctx));
  } catch (err) {
    await edge.close();
    await Promise.allSettled(services.map((s) => s.close()));
    persister?.abandon();
    throw err;
  }
  let stopped = false;
  return {
    endpoint,
    ctx,
    metrics,
    addService: add,
    startPersistence: () => persister?.start(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await edge.close();
      // Last added first: Lambda's pollers and functions stop before the stores they use.
      for (const s of [...services].reverse()) await s.close().catch(() => {});
      // Last: the services are quiet (mappings stopped, their final checkpoints taken).
      persister?.close();
    },
  };
}
