/**
 * The one typed configuration module. Every tunable lives here with its
 * default; the CDK stack turns the resolved config into function environment
 * variables (`toEnv`), and functions read it back (`fromEnv`), so at run time
 * the synthesized template is the single source of truth on every target.
 *
 * Overrides for tools and the stack come from STREAMSCALE_* environment
 * variables (see ENV_KEYS); nothing else in the code base should hard-code
 * one of these numbers.
 */

export interface StreamConfig {
  /** Shards the stream is created with. */
  initialShards: number;
  minShards: number;
  maxShards: number;
  /** AWS per-shard write limits (records/s and bytes/s). */
  shardRecordsPerSecond: number;
  shardBytesPerSecond: number;
  retentionHours: number;
}

export interface ConsumerConfig {
  batchSize: number;
  /** MaximumBatchingWindowInSeconds of the event source mapping. */
  batchingWindowSeconds: number;
  /** Initial ParallelizationFactor (1-10); the scaler moves it. */
  parallelizationFactor: number;
  /** Retries of a failed batch before it goes to the on-failure queue. */
  retryAttempts: number;
  /** Records older than this go to the on-failure queue instead of being retried forever. */
  maxRecordAgeSeconds: number;
  memoryMb: number;
  timeoutSeconds: number;
  /** Raw payload bytes kept with a rejected record. */
  rejectRawMaxBytes: number;
  /** Iterator age under which a consumer counts as caught up (idle detection). */
  caughtUpIteratorAgeMs: number;
  /**
   * Tests only, 0 everywhere else: milliseconds each record costs a consumer lane (the handler
   * waits records × this), so a test can make the per-lane rate the bottleneck on purpose —
   * at most 1000 / this records/s per lane, however fast the machine.
   */
  testOnlyWorkMsPerRecord: number;
}

export interface WindowingConfig {
  /** Tumbling window size. */
  windowSizeMs: number;
  /** A shard's watermark is its max event time minus this. */
  allowedLatenessMs: number;
  /** Records stamped further than this into the future are rejected. */
  maxFutureSkewMs: number;
  /** A caught-up shard with no records for this long stops holding the watermark. */
  idleTimeoutMs: number;
  /** Crash-alert threshold: windows with crash_count > this are alerts (applied on read). */
  crashAlertThreshold: number;
  /**
   * A record whose window ended more than this before the record arrived is
   * late on arrival (never opens a window). Default: the stream's retention,
   * as no record older than that can still be in the stream.
   */
  lateHorizonMs: number;
}

export interface CloserConfig {
  /** EventBridge schedule period (AWS minimum is 60 s). */
  scheduleSeconds: number;
  /** Within one scheduled invocation, close windows every this many seconds (so finals lag < 60 s on AWS). */
  tickSeconds: number;
  /** How long a closed window is re-checked for partials that raced the close (>= consumer timeout). */
  recheckHorizonMs: number;
  /** Windows closed per tick at most, so a tick after a long pause stays short. */
  maxWindowsPerTick: number;
  /** Lambda timeout: the closer ticks for up to scheduleSeconds, so this is scheduleSeconds plus a margin. */
  timeoutSeconds: number;
  memoryMb: number;
}

export interface ScalerConfig {
  scheduleSeconds: number;
  /** Seconds between decisions inside one scheduled invocation. */
  tickSeconds: number;
  /** Target utilisation of measured per-unit capacity (DS2 / Flink autoscaler). */
  targetUtilisation: number;
  /** Seconds in which a backlog should be drained when sizing capacity. */
  backlogDrainSeconds: number;
  scaleOutCooldownSeconds: number;
  scaleInCooldownSeconds: number;
  /** Low load must last this long before scaling in. */
  scaleInSustainSeconds: number;
  /** UpdateShardCount calls per rolling 24 h; AWS allows 10 per stream (the embedded cloud enforces the same). */
  dailyShardUpdateBudget: number;
  minParallelization: number;
  maxParallelization: number;
  /** Iterator age that counts as falling behind. */
  iteratorAgeTargetMs: number;
  /** Prior for the true per-lane processing rate (records/s one consumer lane handles when busy) until measured. */
  perLaneRecordsPerSecondPrior: number;
  /** Weight of a new per-lane rate measurement in the learned estimate (EWMA, 0-1]. */
  rateEstimateSmoothing: number;
  /** Signals are read over this many past seconds ... */
  signalWindowSeconds: number;
  /** ... in GetMetricData periods of this many seconds (1, 5, 10, 30 or a multiple of 60). */
  signalPeriodSeconds: number;
  /**
   * Without producer demand items in the control table (foreign producers), input is read from
   * AWS/Kinesis through GetMetricData at most once per this many seconds: its basic metrics have
   * one-minute datapoints, so reading more often buys nothing and each metric read is billed.
   */
  cloudWatchFallbackSeconds: number;
  /** UpdateShardCount calls kept back from scale-out so a scale-in stays possible within the daily budget. */
  shardUpdateReserveForScaleIn: number;
  /** Scale in only to a size that would still fit demand × (1 + this): the hysteresis band against flapping. */
  scaleInHeadroom: number;
  /** Lambda timeout: the scaler ticks for up to scheduleSeconds, so this is scheduleSeconds plus a margin. */
  timeoutSeconds: number;
  memoryMb: number;
}

/**
 * How long an SDK call may take before the client gives up on it and says
 * so (functions/aws/clients.ts). Per attempt: the SDK's retries multiply it.
 */
export interface ClientsConfig {
  /** TCP connect (HTTP/1.1 clients; the SDK's "standard" defaults mode uses 3,100 ms). */
  connectTimeoutMs: number;
  /**
   * One attempt, from sending to the last byte of the answer (connect
   * included for Kinesis' HTTP/2). The project's calls take well under a
   * second on AWS; a busy laptop's cloud answers a 500-record PutRecords in
   * a few seconds. (The AWS CLI waits 60 s.)
   */
  requestTimeoutMs: number;
}

export interface StreamscaleConfig {
  /** Prefix of every resource name: `${prefix}-events`, `${prefix}-windows`, ... */
  prefix: string;
  /** CloudWatch namespace of the pipeline's own metrics. */
  metricsNamespace: string;
  stream: StreamConfig;
  consumer: ConsumerConfig;
  windowing: WindowingConfig;
  closer: CloserConfig;
  scaler: ScalerConfig;
  clients: ClientsConfig;
  /** CloudWatch Logs retention of the functions' log groups (a CloudWatch Logs RetentionDays value). */
  logRetentionDays: number;
}

const HOUR_MS = 3_600_000;

export const DEFAULT_CONFIG: StreamscaleConfig = {
  prefix: 'streamscale',
  metricsNamespace: 'Streamscale',
  stream: {
    initialShards: 1,
    minShards: 1,
    maxShards: 8,
    shardRecordsPerSecond: 1000,
    shardBytesPerSecond: 1024 * 1024,
    retentionHours: 24,
  },
  consumer: {
    batchSize: 500,
    batchingWindowSeconds: 1,
    parallelizationFactor: 1,
    retryAttempts: 10_000,
    maxRecordAgeSeconds: 604_800,
    memoryMb: 512,
    timeoutSeconds: 60,
    rejectRawMaxBytes: 1024,
    caughtUpIteratorAgeMs: 5_000,
    testOnlyWorkMsPerRecord: 0,
  },
  windowing: {
    windowSizeMs: 10_000,
    allowedLatenessMs: 60_000,
    maxFutureSkewMs: 5 * 60_000,
    idleTimeoutMs: 30_000,
    crashAlertThreshold: 2,
    lateHorizonMs: 24 * HOUR_MS, // = stream.retentionHours, and follows it unless set
  },
  closer: {
    scheduleSeconds: 60,
    tickSeconds: 5,
    recheckHorizonMs: 120_000,
    maxWindowsPerTick: 360,
    timeoutSeconds: 90,
    memoryMb: 256,
  },
  scaler: {
    scheduleSeconds: 60,
    tickSeconds: 5,
    targetUtilisation: 0.7,
    backlogDrainSeconds: 30,
    scaleOutCooldownSeconds: 10,
    scaleInCooldownSeconds: 30,
    scaleInSustainSeconds: 30,
    dailyShardUpdateBudget: 10,
    minParallelization: 1,
    maxParallelization: 10,
    iteratorAgeTargetMs: 10_000,
    timeoutSeconds: 90,
    memoryMb: 256,
    perLaneRecordsPerSecondPrior: 1000,
    rateEstimateSmoothing: 0.5,
    signalWindowSeconds: 20,
    signalPeriodSeconds: 5,
    cloudWatchFallbackSeconds: 60,
    shardUpdateReserveForScaleIn: 1,
    scaleInHeadroom: 0.25,
  },
  clients: { connectTimeoutMs: 3_100, requestTimeoutMs: 30_000 },
  logRetentionDays: 7,
};

/** Resource names derived from the prefix; explicit so clients need no stack outputs. */
export interface ResourceNames {
  stream: string;
  windowsTable: string;
  controlTable: string;
  rejectsTable: string;
  consumerFunction: string;
  closerFunction: string;
  scalerFunction: string;
  failureQueue: string;
  dashboard: string;
  stack: string;
}

export function resourceNames(prefix: string): ResourceNames {
  return {
    stream: `${prefix}-events`,
    windowsTable: `${prefix}-windows`,
    controlTable: `${prefix}-control`,
    rejectsTable: `${prefix}-rejects`,
    consumerFunction: `${prefix}-consumer`,
    closerFunction: `${prefix}-closer`,
    scalerFunction: `${prefix}-scaler`,
    failureQueue: `${prefix}-consumer-failures`,
    dashboard: `${prefix}`,
    stack: prefix === 'streamscale' ? 'Streamscale' : `Streamscale-${prefix}`,
  };
}

/**
 * Flat environment keys. Functions get every key from the stack; tools and
 * the stack itself accept the same keys as overrides.
 */
export const ENV_KEYS = {
  prefix: 'STREAMSCALE_PREFIX',
  metricsNamespace: 'STREAMSCALE_METRICS_NAMESPACE',
  config: 'STREAMSCALE_CONFIG',
  /** Set by the stack on the scaler only: the consumer's event source mapping UUID (UpdateEventSourceMapping). */
  scalerMappingUuid: 'SCALER_MAPPING_UUID',
  /** Set by the stack on the scaler only: the stream it reshards. */
  scalerStreamName: 'SCALER_STREAM_NAME',
} as const;

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };
export type ConfigOverrides = DeepPartial<StreamscaleConfig>;

export class ConfigError extends Error {}

function mergeSection<T extends object>(
  base: T,
  over: DeepPartial<T> | undefined,
  path: string,
): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(over ?? {})) {
    if (!(key in base)) throw new ConfigError(`unknown setting "${path}${key}"`);
    const current = (base as Record<string, unknown>)[key];
    if (typeof current === 'object' && current !== null) {
      out[key] = mergeSection(current as object, value as object, `${path}${key}.`);
    } else {
      if (typeof value !== typeof current) {
        throw new ConfigError(
          `setting "${path}${key}" must be a ${typeof current}, got ${JSON.stringify(value)}`,
        );
      }
      out[key] = value;
    }
  }
  return out as T;
}

/** Defaults with overrides applied, then checked. */
export function resolveConfig(overrides: ConfigOverrides = {}): StreamscaleConfig {
  const config = mergeSection(DEFAULT_CONFIG, overrides, '');
  if (overrides.windowing?.lateHorizonMs === undefined) {
    // a fresh section: without overrides it is DEFAULT_CONFIG's own object
    config.windowing = {
      ...config.windowing,
      lateHorizonMs: config.stream.retentionHours * HOUR_MS,
    };
  }
  validateConfig(config);
  return config;
}

export function validateConfig(c: StreamscaleConfig): void {
  const problems: string[] = [];
  const positive = (v: number, name: string) => {
    if (!(Number.isFinite(v) && v > 0)) problems.push(`${name} must be > 0 (got ${v})`);
  };
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(c.prefix)) {
    problems.push(
      `prefix must be lower-case letters, digits and dashes, starting with a letter (got "${c.prefix}")`,
    );
  }
  positive(c.windowing.windowSizeMs, 'windowing.windowSizeMs');
  if (c.windowing.allowedLatenessMs < 0) problems.push('windowing.allowedLatenessMs must be >= 0');
  positive(c.windowing.idleTimeoutMs, 'windowing.idleTimeoutMs');
  if (!(c.windowing.lateHorizonMs > c.windowing.allowedLatenessMs + c.windowing.windowSizeMs))
    problems.push(
      'windowing.lateHorizonMs must exceed allowedLatenessMs + windowSizeMs (or on-time records would be late)',
    );
  const s = c.stream;
  if (!(1 <= s.minShards && s.minShards <= s.initialShards && s.initialShards <= s.maxShards)) {
    problems.push(
      `need 1 <= stream.minShards <= stream.initialShards <= stream.maxShards (got ${s.minShards}, ${s.initialShards}, ${s.maxShards})`,
    );
  }
  const pf = c.consumer.parallelizationFactor;
  if (!(Number.isInteger(pf) && pf >= 1 && pf <= 10))
    problems.push('consumer.parallelizationFactor must be 1-10');
  if (!(c.consumer.batchSize >= 1 && c.consumer.batchSize <= 10_000))
    problems.push('consumer.batchSize must be 1-10000');
  if (!(
    c.scaler.minParallelization >= 1 &&
    c.scaler.maxParallelization <= 10 &&
    c.scaler.minParallelization <= c.scaler.maxParallelization
  )) {
    problems.push('need 1 <= scaler.minParallelization <= scaler.maxParallelization <= 10');
  }
  if (!(c.scaler.targetUtilisation > 0 && c.scaler.targetUtilisation <= 1))
    problems.push('scaler.targetUtilisation must be in (0, 1]');
  positive(c.clients.connectTimeoutMs, 'clients.connectTimeoutMs');
  positive(c.clients.requestTimeoutMs, 'clients.requestTimeoutMs');
  if (problems.length > 0)
    throw new ConfigError(`invalid streamscale configuration: ${problems.join('; ')}`);
}

/** Environment variables a function needs to rebuild this config. */
export function toEnv(config: StreamscaleConfig): Record<string, string> {
  return {
    [ENV_KEYS.prefix]: config.prefix,
    [ENV_KEYS.metricsNamespace]: config.metricsNamespace,
    [ENV_KEYS.config]: JSON.stringify(config),
  };
}

/**
 * Config from the environment: STREAMSCALE_CONFIG (full JSON, as the stack
 * sets it) or defaults, then STREAMSCALE_PREFIX on top (what users set).
 */
export function fromEnv(env: NodeJS.ProcessEnv = process.env): StreamscaleConfig {
  let overrides: ConfigOverrides = {};
  const raw = env[ENV_KEYS.config];
  if (raw) {
    try {
      overrides = JSON.parse(raw) as ConfigOverrides;
    } catch {
      throw new ConfigError(`${ENV_KEYS.config} is not valid JSON`);
    }
  }
  const prefix = env[ENV_KEYS.prefix];
  if (prefix) overrides = { ...overrides, prefix };
  const ns = env[ENV_KEYS.metricsNamespace];
  if (ns) overrides = { ...overrides, metricsNamespace: ns };
  return resolveConfig(overrides);
}
