/**
 * Runs a spike: N + M producers, each with its own generator (seed + index),
 * token bucket and Kinesis writer, sharing one Kinesis client; the plan says
 * which producers run when. After the plan ends, the writers drain (every
 * generated record is retried until Kinesis accepts it). A run that cannot
 * go on — the endpoint stopped answering (EndpointDownError), a call failed
 * for good — ends early and says why in its summary (`error`), with the
 * records that were never sent counted (`abandoned`); calls in flight are
 * awaited first, so every record Kinesis acknowledged reached onAccepted.
 * Used by `npm run spike`, `npm start`, the end-to-end test and the bench.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  EventGenerator,
  userPopulation,
  type GeneratedRecord,
  type GeneratorOptions,
} from './event-generator';
import { KinesisWriter, type AcceptedRecord } from './kinesis-writer';
import { PRODUCER_CONFIG, type ProducerConfig } from './producer-config';
import { EndpointHealth } from './endpoint-health';
import { emptyStats, type ProducerStats } from './producer-stats';
import { recordBytes } from './put-batches';
import { ShardMap } from './shard-map';
import { ShardRateLimiter } from './shard-rate-limiter';
import { phaseAt, producerActive, type PhaseName, type SpikePlan } from './spike-plan';
import { TokenBucket } from './token-bucket';

export interface SpikeRunOptions {
  client: KinesisClient;
  streamName: string;
  plan: SpikePlan;
  /** records/s per producer */
  ratePerProducer: number;
  generator: Omit<GeneratorOptions, 'seed'> & { seed: number };
  /** Every record Kinesis accepted, with what the generator made of it. */
  onAccepted?: (r: AcceptedRecord, generated: GeneratedRecord) => void;
  /** Called every `statusEveryMs` with the current status. */
  onStatus?: (s: SpikeStatus) => void;
  statusEveryMs?: number;
  signal?: AbortSignal;
  stats?: ProducerStats;
  /** Calls in flight per producer. */
  maxInFlight?: number;
  /** A producer stops generating while this many of its records are unsent (seconds of its rate). */
  maxBacklogSeconds?: number;
  /** Bounded wait for the writers to drain after the plan (ms). */
  drainTimeoutMs?: number;
  /** The producers' tunables (limiter, backoff, batching); PRODUCER_CONFIG by default. */
  config?: ProducerConfig;
  /** The stream's per-shard write limit, shown as its capacity next to the producers' limit. */
  shardRecordsPerSecond?: number;
  /** One limiter for all the run's writers; a fresh one from `config` by default. */
  limiter?: ShardRateLimiter;
}

export interface SpikeStatus {
  elapsedMs: number;
  phase: PhaseName | 'draining';
  activeProducers: number;
  pending: number;
  stats: ProducerStats;
  /** How long the endpoint has not answered (0 while it does). */
  endpointDownMs?: number;
}

export interface SpikeSummary {
  stats: ProducerStats;
  durationMs: number;
  startedAt: Date;
  endedAt: Date;
  /** records never accepted when the run ended (Ctrl-C, drain timeout, error) */
  abandoned: number;
  aborted: boolean;
  /** Why the run ended early, if it did not end by its plan or the signal. */
  error?: unknown;
}

const TICK_MS = 20;

/**
 * One shard map and one limiter for all the run's producers: they write to
 * the same shards, so what one learns about a shard's limit holds for all.
 * `showLimit` copies the limit into the stats the views read.
 */
async function shardRouting(o: SpikeRunOptions, config: ProducerConfig, stats: ProducerStats) {
  const limiter = o.limiter ?? new ShardRateLimiter(config.limiter);
  const shardMap = new ShardMap({
    client: o.client,
    streamName: o.streamName,
    minRefreshIntervalMs: config.shardMap.minRefreshIntervalMs,
  });
  await shardMap.refresh();
  const shardCapacity = o.shardRecordsPerSecond ?? config.shardRecordsPerSecond;
  const showLimit = () => {
    const l = limiter.snapshot();
    stats.limit = {
      total: l.total,
      perShard: l.perShard,
      shards: l.shards,
      streamCapacity: shardMap.openShards.length * shardCapacity,
    };
  };
  return { limiter, shardMap, showLimit };
}

interface Producer {
  generator: EventGenerator;
  writer: KinesisWriter;
  bucket: TokenBucket;
  active: boolean;
}

/** A burst of a fifth of a second keeps sends smooth after a slow tick. */
const producerBucket = (rate: number, nowMs: number) =>
  new TokenBucket(rate, Math.max(1, rate / 5), nowMs);

/** One tick of one producer: take its tokens (while its backlog allows) and enqueue that many records. */
function produce(
  p: Producer,
  active: boolean,
  now: number,
  rate: number,
  maxBacklog: number,
  stats: ProducerStats,
): void {
  if (active && !p.active) p.bucket = producerBucket(rate, now);
  p.active = active;
  if (!active) return;
  const n = p.bucket.take(now, Math.max(0, maxBacklog - p.writer.pending));
  if (n === 0) return;
  const batch = [];
  for (let k = 0; k < n; k++) {
    const g = p.generator.next(now);
    stats.generated++;
    stats[g.kind]++;
    batch.push({
      data: g.data,
      partitionKey: g.partitionKey,
      bytes: recordBytes(g.data, g.partitionKey),
      tag: g,
    });
  }
  p.writer.enqueue(batch);
}

/** Resolves when every writer is idle (nothing queued or in flight); rejects when one failed for good. */
function drained(producers: Producer[]): Promise<void> {
  return Promise.all(producers.map((p) => p.writer.drain())).then(() => undefined);
}

/** Wait for the writers to drain, at most drainTimeoutMs, and no longer once aborted. */
async function drain(
  producers: Producer[],
  o: SpikeRunOptions,
): Promise<'ok' | 'timeout' | 'failed'> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'timeout'>((r) => {
    timer = setTimeout(() => r('timeout'), o.drainTimeoutMs ?? 120_000);
    o.signal?.addEventListener('abort', () => r('timeout'), { once: true });
  });
  try {
    const done = drained(producers).then(
      () => 'ok' as const,
      () => 'failed' as const,
    );
    return await Promise.race([done, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Drop what is unsent, then wait for the calls in flight (each bounded by the client's timeouts). */
async function stopWriters(producers: Producer[]): Promise<number> {
  const dropped = producers.reduce((s, p) => s + p.writer.abandon(), 0);
  await Promise.all(producers.map((p) => p.writer.settled()));
  return dropped;
}

interface Run {
  o: SpikeRunOptions;
  producers: Producer[];
  t0: number;
  maxBacklog: number;
  stats: ProducerStats;
  /** the phase the status shows */
  phase: SpikeStatus['phase'];
  showLimit: () => void;
}

const fatalOf = (producers: Producer[]) => producers.find((p) => p.writer.error)?.writer.error;

/** Generation: every tick, each active producer takes its tokens and enqueues that many records. */
function generate(run: Run): Promise<'planned' | 'aborted' | 'failed'> {
  const { o, producers } = run;
  return new Promise((done) => {
    const tick = () => {
      if (o.signal?.aborted) return done('aborted');
      if (fatalOf(producers)) return done('failed');
      const now = Date.now();
      const elapsed = now - run.t0;
      const current = phaseAt(o.plan, elapsed);
      if (!current) return done('planned');
      run.phase = current.name;
      producers.forEach((p, i) =>
        produce(
          p,
          producerActive(o.plan, i, elapsed),
          now,
          o.ratePerProducer,
          run.maxBacklog,
          run.stats,
        ),
      );
      run.stats.pending = producers.reduce((a, p) => a + p.writer.pending, 0);
      run.showLimit();
      setTimeout(tick, TICK_MS);
    };
    tick();
  });
}

/** Generate, then drain; what ends early says so. The records dropped on the way are counted. */
async function generateAndDrain(run: Run): Promise<{ abandoned: number; aborted: boolean }> {
  const { o, producers } = run;
  const generated = await generate(run);
  for (const p of producers) p.active = false;
  run.phase = 'draining';
  if (generated !== 'planned')
    return { abandoned: await stopWriters(producers), aborted: generated === 'aborted' };
  // Drain: bounded, cut short by Ctrl-C, ended by a writer's failure.
  const drainedAs = await drain(producers, o);
  if (drainedAs === 'ok') return { abandoned: 0, aborted: false };
  return { abandoned: await stopWriters(producers), aborted: Boolean(o.signal?.aborted) };
}

export async function runSpike(o: SpikeRunOptions): Promise<SpikeSummary> {
  const stats = o.stats ?? emptyStats();
  const startedAt = new Date();
  const users = userPopulation(
    o.generator.seed,
    o.generator.users ?? 3000,
    o.generator.crashProneUsers ?? 5,
  );
  const config = o.config ?? PRODUCER_CONFIG;
  const { limiter, shardMap, showLimit } = await shardRouting(o, config, stats);
  const health = new EndpointHealth(config.endpoint);
  // The plan's clock starts once the users are made and the shards known: on a busy machine
  // that setup took longer than a short baseline, which then sent nothing.
  const t0 = Date.now();
  const producers: Producer[] = Array.from({ length: o.plan.maxProducers }, (_, i) => {
    const generator = new EventGenerator(
      { ...o.generator, seed: o.generator.seed * 1_000 + i },
      users,
    );
    const writer = new KinesisWriter({
      client: o.client,
      streamName: o.streamName,
      stats,
      config,
      limiter,
      shardMap,
      health,
      maxInFlight: o.maxInFlight,
      onAccepted: (r) => o.onAccepted?.(r, r.tag as GeneratedRecord),
    });
    return { generator, writer, bucket: producerBucket(o.ratePerProducer, t0), active: false };
  });
  const run: Run = {
    o,
    producers,
    t0,
    stats,
    showLimit,
    maxBacklog: Math.max(500, o.ratePerProducer * (o.maxBacklogSeconds ?? 10)),
    phase: o.plan.phases[0]?.name ?? 'draining',
  };
  const status = (): SpikeStatus => {
    showLimit();
    stats.pending = producers.reduce((s, p) => s + p.writer.pending, 0);
    return {
      elapsedMs: Date.now() - t0,
      phase: run.phase,
      activeProducers: producers.filter((p) => p.active).length,
      pending: producers.reduce((s, p) => s + p.writer.pending, 0),
      stats,
      endpointDownMs: health.downForMs(Date.now()),
    };
  };
  const statusTimer = o.onStatus
    ? setInterval(() => o.onStatus!(status()), o.statusEveryMs ?? 500)
    : undefined;
  let ended;
  try {
    ended = await generateAndDrain(run);
  } finally {
    clearInterval(statusTimer);
    shardMap.close();
  }
  // Records that failed after abandon() were never accepted either.
  const abandoned = ended.abandoned + producers.reduce((s, p) => s + p.writer.dropped, 0);
  const error = fatalOf(producers);
  const endedAt = new Date();
  o.onStatus?.(status());
  return {
    stats,
    durationMs: endedAt.getTime() - t0,
    startedAt,
    endedAt,
    abandoned,
    aborted: ended.aborted,
    ...(error ? { error } : {}),
  };
}
