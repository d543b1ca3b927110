/**
 * Every tunable of the embedded local cloud in one place: the account and
 * region it pretends to be, the AWS service limits it enforces, and the
 * Lambda plane's timings. The cloud knows nothing of the apps it runs; they
 * configure it only through startLocalCloud's options and the CLI flags.
 */

/** The account every ARN, queue URL and caller identity names (LocalStack's convention). */
export const ACCOUNT_ID = '000000000000';

export const DEFAULT_REGION = 'us-east-1';

/** The edge's default port on 127.0.0.1, as LocalStack's. */
export const DEFAULT_EDGE_PORT = 4566;

/** AWS service limits the emulators enforce (AWS defaults; each is an option). */
export const AWS_LIMITS = {
  kinesis: {
    /** Per-shard write limit, records per second. */
    shardRecordsPerSecond: 1000,
    /** Per-shard write limit, bytes per second (1 MiB). */
    shardBytesPerSecond: 1024 * 1024,
    /** UpdateShardCount calls allowed per stream per rolling 24 h. */
    shardUpdatesPerDay: 10,
    /** Open shards allowed across all streams (us-east-1 default). */
    shardLimit: 500,
  },
} as const;

/** The Lambda plane: execution environments and the event-source pollers. */
export const LAMBDA_PLANE_DEFAULTS = {
  /** Execution environments (worker threads) across all functions, like an account's concurrency limit. */
  maxConcurrentExecutions: 64,
  /** A warm worker idle this long is shut down. */
  idleWorkerMs: 5 * 60_000,
  /** ListShards re-poll period of an event source mapping (follows resharding). */
  shardDiscoveryMs: 1_000,
  /** GetRecords period of a shard with nothing new (AWS polls an idle shard about once a second). */
  idlePollMs: 1_000,
  /** GetRecords period of a shard that just returned records but less than a full page. */
  activePollMs: 100,
  /** GetRecords page size (the Kinesis maximum is 10,000). */
  getRecordsLimit: 10_000,
  /** Records fetched and not yet processed per shard before the poller stops fetching. */
  maxBufferedRecordsPerShard: 20_000,
  /** Backoff of a failed batch's retries: base, doubling, capped. */
  retryBaseMs: 500,
  retryMaxMs: 30_000,
  /** How long a mapping reports Creating/Updating/Enabling/Disabling before it settles. */
  stateTransitionMs: 100,
  /** Lambda's default Kinesis mapping batch size (AWS default). */
  defaultBatchSize: 100,
} as const;
