/**
 * Every tunable of the embedded local cloud in one place: the account and
 * region it pretends to be, the AWS service limits it enforces, and the
 * Lambda plane's timings. The cloud knows nothing of the apps it runs; they
 * configure it only through startLocalCloud's options and the CLI flags.
 */
import { availableParallelism } from 'node:os';

/** The account every ARN, queue URL and caller identity names (LocalStack's convention). */
export const ACCOUNT_ID = '000000000000';

export const DEFAULT_REGION = 'us-east-1';

/** The edge's default port on 127.0.0.1, as LocalStack's. */
export const DEFAULT_EDGE_PORT = 4566;

/**
 * deploy:local's clients (CloudFormation, S3, SSM) against the edge: a cloud
 * that stops answering mid-deploy fails the deploy with a message instead of
 * hanging it. The probe is the first look at an endpoint: does anything
 * answer HTTP there?
 */
export const DEPLOY_CLIENT = {
  connectTimeoutMs: 3_100,
  requestTimeoutMs: 30_000,
  probeTimeoutMs: 5_000,
} as const;

/**
 * Custom resources (deploy/appliers/custom-resource.ts): how long a deploy
 * waits for the function's response (AWS waits an hour; a local deploy says
 * sooner that none came), and how often it looks for one.
 */
export const CUSTOM_RESOURCES = {
  responseWaitMs: 300_000,
  pollMs: 200,
} as const;

/** AWS service limits the emulators enforce (AWS defaults; each is an option). */
export const AWS_LIMITS = {
  dynamodb: {
    /** Write and read units per second on one partition key (any capacity mode). */
    partitionWcuPerSecond: 1000,
    partitionRcuPerSecond: 3000,
  },
  kinesis: {
    /** Per-shard write limit, records per second. */
    shardRecordsPerSecond: 1000,
    /** Per-shard write limit, bytes per second (1 MiB). */
    shardBytesPerSecond: 1024 * 1024,
    /** UpdateShardCount calls allowed per stream per rolling 24 h. */
    shardUpdatesPerDay: 10,
    /** Open shards allowed across all streams (us-east-1 default). */
    shardLimit: 500,
    /** Largest record: data plus partition key (1 MiB). */
    maxRecordBytes: 1024 * 1024,
    /** Largest PutRecords request: all data plus partition keys (5 MiB). */
    maxPutRecordsBytes: 5 * 1024 * 1024,
    /** Records in one PutRecords request. */
    maxPutRecordsRecords: 500,
    /** Longest partition key, in Unicode characters. */
    maxPartitionKeyLength: 256,
    /** Enhanced fan-out consumers registered on one stream. */
    consumersPerStream: 20,
    /** A SubscribeToShard subscription ends after 5 minutes; the client subscribes again. */
    subscriptionMs: 5 * 60_000,
  },
} as const;

/** Kinesis behaviour the edge adds: enhanced fan-out timings. */
export const KINESIS_EDGE = {
  /** A consumer is CREATING (or DELETING) this long before ACTIVE (or gone); AWS takes seconds. */
  consumerTransitionMs: 5,
  /** A consumer may subscribe to a shard again only this long after its last SubscribeToShard (AWS: 5 s). */
  resubscribeMs: 5_000,
  /** With nothing new, a subscription still sends an (empty) event this often, so clients see it alive. */
  idleEventMs: 5_000,
  /** With nothing new, a subscription re-reads its shard this often (writes through the edge wake it at once). */
  idlePollMs: 1_000,
  /** Records per read of a subscription (GetRecords' maximum). */
  readLimit: 10_000,
} as const;

/** The edge: what one request may carry, and how long a silent connection may stay. */
export const EDGE_LIMITS = {
  /** Largest request body on the wire (a 5 MiB PutRecords is ~6.7 MiB once base64-encoded in JSON). */
  maxBodyBytes: 16 * 1024 * 1024,
  /** Largest body once decompressed (Content-Encoding gzip/deflate); beyond it the request gets 413. */
  maxDecodedBodyBytes: 16 * 1024 * 1024,
  /** Header fields in one request; more get an AWS-shaped 400. */
  maxHeaderCount: 500,
  /** Bytes of header block (HTTP/1.1 header section, HTTP/2 header list). */
  maxHeaderBytes: 64 * 1024,
  /** A new connection that sends nothing for this long is closed. */
  firstBytesTimeoutMs: 10_000,
  /** HTTP/2 receive window per stream: a whole PutRecords body fits, no waiting for window updates. */
  http2StreamWindowBytes: 8 * 1024 * 1024,
  /** HTTP/2 receive window per connection (several callers' bodies in flight at once). */
  http2SessionWindowBytes: 32 * 1024 * 1024,
  /** Idle keep-alive connections and HTTP/2 sessions are closed after this (longer than SDK agents keep them). */
  idleTimeoutMs: 65_000,
} as const;

/**
 * Where the JavaScript emulators (kinesalite, dynalite) run: 'threads', each
 * in its own worker thread, so their work uses another core than the edge's
 * event loop (docs/architecture.md, "Both cores"); 'inline', on the edge's
 * loop, as before (the bench's comparison, debugging).
 */
export type EmulatorPlacement = 'threads' | 'inline';

export const EMULATORS = {
  placement: 'threads' as EmulatorPlacement,
  /** A thread loads its emulator (and, under vitest, the TypeScript loader) within this. */
  startTimeoutMs: 60_000,
  /**
   * An emulator keeps the edge's idle connections this long (Node's default is 5 s): fewer idle
   * closes racing the edge's reuse of a socket (backend-proxy.ts sends such a request again).
   */
  keepAliveMs: 60_000,
  /** A closing emulator flushes its store within this, or its thread is ended. */
  closeTimeoutMs: 5_000,
  /** Simulated create/delete/update transitions of streams and tables (AWS takes seconds). */
  transitionMs: 5,
} as const;

/** The Lambda plane: execution environments and the event-source pollers. */
export const LAMBDA_PLANE_DEFAULTS = {
  /** Execution environments (worker threads) across all functions, like an account's concurrency limit. */
  maxConcurrentExecutions: 64,
  /**
   * Execution environments initializing (cold-starting) at once; more wait for one to be ready.
   * AWS bounds how fast a function scales out (1,000 environments per 10 s); locally every cold start
   * takes CPU from the same cores, so starting dozens at once makes each take longer — scheduled
   * functions (every 2 s under a speedup) then piled up to the global limit and starved the consumers.
   * One per core (at least 2) keeps each start short.
   */
  maxConcurrentInits: Math.max(2, availableParallelism()),
  /** A warm worker idle this long is shut down. */
  idleWorkerMs: 5 * 60_000,
  /** ListShards re-poll period of an event source mapping (follows resharding). */
  shardDiscoveryMs: 1_000,
  /** GetRecords period of a shard with nothing new (AWS polls an idle shard about once a second). */
  idlePollMs: 1_000,
  /** An enhanced fan-out consumer's idle shard: AWS pushes records within about 70 ms, so poll at that pace. */
  fanOutPollMs: 70,
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

/** On-disk state (`--data-dir`): the data format and how often the parts are saved. */
export const PERSISTENCE = {
  /** Stamped in the data dir; a dir of another format is refused with one line. */
  dataFormat: 1,
  /** Every part whose state changed is saved this often (a SIGKILL loses at most this much of it). */
  snapshotIntervalMs: 1_000,
  /** Large parts (metrics, logs) are saved this often instead. */
  largePartIntervalMs: 5_000,
} as const;
