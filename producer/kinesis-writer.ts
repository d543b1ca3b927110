/**
 * One producer's Kinesis writer, KPL-like: every record is queued for the
 * shard its partition key maps to (ShardMap), leaves only with a token from
 * that shard's learned limit (ShardRateLimiter, shared by the writers of a
 * run), and goes out in PutRecords calls of ≤ 500 records / 5 MiB, a bounded
 * number in flight; a call shorter than 500 records waits up to a linger
 * time for more. The result of every record is read: a record with a
 * SequenceNumber is accepted and never sent again; a throttled record cuts
 * its shard's limit and, like any retryable failure, goes back to its
 * shard's queue after exponential backoff with full jitter. The SDK's own
 * retries are off (maxAttempts 1 on the client) so every re-send is counted.
 *
 * A whole-call failure is ambiguous only for a lost response (timeout after
 * the server accepted); Kinesis gives no way to tell, so those records are
 * re-sent — the pipeline is exactly-once from the stream on, and the record
 * log lists what Kinesis acknowledged. A call that got no usable answer
 * (call-errors.ts) marks the endpoint down (EndpointHealth, shared by the
 * run's writers): its records go back to the front of their queues, and
 * while the endpoint is down the writers send one probe at a time, until
 * it answers or the run gives up.
 */
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { backoffDelayMs, type BackoffOptions } from './backoff';
import { PRODUCER_CONFIG, type ProducerConfig } from './producer-config';
import type { ProducerStats } from './producer-stats';
import {
  MAX_BYTES_PER_CALL,
  MAX_RECORD_BYTES,
  MAX_RECORDS_PER_CALL,
  takeForCall,
} from './put-batches';
import { ShardMap } from './shard-map';
import { ShardRateLimiter } from './shard-rate-limiter';
import { classifyCallError, isRetryableCallError } from './call-errors';
import { EndpointHealth } from './endpoint-health';

export { isRetryableCallError };

export interface OutgoingRecord {
  data: string;
  partitionKey: string;
  /** data + partition key bytes */
  bytes: number;
  /** anything the caller wants back with the acknowledgement */
  tag?: unknown;
}

export interface AcceptedRecord extends OutgoingRecord {
  shardId: string;
  sequenceNumber: string;
}

interface Pending extends OutgoingRecord {
  attempts: number;
  /** The shard the map predicts; the limiter's key. */
  shard: string;
}

export interface KinesisWriterOptions {
  client: KinesisClient;
  streamName: string;
  stats: ProducerStats;
  onAccepted?: (r: AcceptedRecord) => void;
  /** Shared by the writers of a run; one of its own otherwise. */
  limiter?: ShardRateLimiter;
  /** Shared by the writers of a run; one of its own (loaded in the background) otherwise. */
  shardMap?: ShardMap;
  /** Shared by the writers of a run; one of its own otherwise. */
  health?: EndpointHealth;
  config?: ProducerConfig;
  maxInFlight?: number;
  backoff?: BackoffOptions;
  random?: () => number;
  now?: () => number;
}

export class KinesisWriter {
  private readonly queues = new Map<string, Pending[]>();
  private queued = 0;
  private delayed = 0;
  private inFlight = 0;
  private inFlightRecords = 0;
  private fatal: unknown;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  private settleWaiters: Array<() => void> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private wake?: NodeJS.Timeout;
  private lastCallAt = -Infinity;
  private mapVersion = -1;
  private turn = 0;
  private readonly cfg: ProducerConfig;
  private readonly limiter: ShardRateLimiter;
  private readonly map: ShardMap;
  private readonly health: EndpointHealth;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly maxInFlight: number;
  /** records dropped because they failed after abandon() */
  dropped = 0;

  constructor(private readonly o: KinesisWriterOptions) {
    this.cfg = o.config ?? PRODUCER_CONFIG;
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
    this.maxInFlight = o.maxInFlight ?? this.cfg.writer.maxInFlight;
    this.limiter = o.limiter ?? new ShardRateLimiter(this.cfg.limiter);
    this.health = o.health ?? new EndpointHealth(this.cfg.endpoint);
    this.map =
      o.shardMap ??
      new ShardMap({
        client: o.client,
        streamName: o.streamName,
        minRefreshIntervalMs: this.cfg.shardMap.minRefreshIntervalMs,
        now: this.now,
      });
    if (!o.shardMap) void this.map.refresh().then(() => this.pump());
  }

  /** Records queued, waiting for a retry, or in flight. */
  get pending(): number {
    return this.queued + this.delayed + this.inFlightRecords;
  }

  /** The error that stopped this writer (a non-retryable call failure, or EndpointDownError), if any. */
  get error(): unknown {
    return this.fatal;
  }

  enqueue(records: OutgoingRecord[]): void {
    if (this.fatal || this.closed) return;
    for (const r of records) this.push({ ...r, attempts: 0, shard: '' }, false);
    this.pump();
  }

  /** Resolves when nothing is queued or in flight; rejects on a fatal error. */
  async drain(): Promise<void> {
    while (this.pending > 0 && !this.fatal)
      await new Promise<void>((r) => this.idleWaiters.push(r));
    if (this.fatal) throw this.fatal;
  }

  /** Resolves when no call is in flight (whatever is queued, whatever failed). */
  async settled(): Promise<void> {
    while (this.inFlight > 0) await new Promise<void>((r) => this.settleWaiters.push(r));
  }

  /** Drop everything not yet sent (Ctrl-C); calls in flight finish. */
  abandon(): number {
    this.closed = true;
    const dropped = this.queued + this.delayed;
    this.queues.clear();
    this.queued = 0;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.delayed = 0;
    this.clearWake();
    this.notifyIdle();
    return dropped;
  }

  private push(r: Pending, front: boolean): void {
    r.shard = this.map.shardFor(r.partitionKey);
    let q = this.queues.get(r.shard);
    if (!q) this.queues.set(r.shard, (q = []));
    if (front) q.unshift(r);
    else q.push(r);
    this.queued++;
  }

  /** After a reshard the queued records belong to other shards. */
  private rebucket(now: number): void {
    if (this.map.version === this.mapVersion) return;
    this.mapVersion = this.map.version;
    this.limiter.retain(this.map.openShards, now);
    const all = [...this.queues.values()].flat();
    this.queues.clear();
    this.queued = 0;
    for (const r of all) this.push(r, false);
  }

  private notifyIdle(): void {
    if (this.pending > 0 && !this.fatal) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private pump(): void {
    this.clearWake();
    if (this.fatal) return this.notifyIdle();
    const now = this.now();
    if (this.queued + this.delayed + this.inFlight > 0) this.fatal = this.health.gaveUp(now);
    if (this.fatal) return this.notifyIdle();
    this.rebucket(now);
    while (this.inFlight < this.maxInFlight && this.queued > 0 && this.health.maySend(now)) {
      const lingering = now - this.lastCallAt < this.cfg.writer.lingerMs;
      if (lingering && this.grantable(now) < MAX_RECORDS_PER_CALL) break;
      const batch = this.fill(now);
      if (this.fatal || batch.length === 0) break;
      this.lastCallAt = now;
      this.dispatch(batch, now);
    }
    this.armWake(now);
    this.notifyIdle();
  }

  /** Records that could leave now (tokens and queues), counted up to one full call. */
  private grantable(now: number): number {
    let n = 0;
    for (const [shard, q] of this.queues) {
      if (q.length > 0) n += Math.min(q.length, this.limiter.available(shard, now));
      if (n >= MAX_RECORDS_PER_CALL) break;
    }
    return n;
  }

  /** One call's records, the shards taking turns, each within its tokens. */
  private fill(now: number): Pending[] {
    const batch: Pending[] = [];
    let bytes = 0;
    const shards = [...this.queues.keys()].filter((s) => this.queues.get(s)!.length > 0);
    const start = this.turn++ % Math.max(1, shards.length);
    for (let i = 0; i < shards.length && batch.length < MAX_RECORDS_PER_CALL; i++) {
      const shard = shards[(start + i) % shards.length]!;
      const q = this.queues.get(shard)!;
      if (q[0]!.bytes > MAX_RECORD_BYTES) {
        // A record over the per-record limit can never be sent: stop loudly rather than loop.
        this.o.stats.failed++;
        this.fatal = new Error(
          `record of ${q[0]!.bytes} bytes exceeds the Kinesis 1 MiB record limit`,
        );
        return [];
      }
      const fit = takeForCall(q, MAX_RECORDS_PER_CALL - batch.length, MAX_BYTES_PER_CALL - bytes);
      const n = fit > 0 ? this.limiter.take(shard, fit, now) : 0;
      if (n === 0) continue;
      for (const r of q.splice(0, n)) {
        bytes += r.bytes;
        batch.push(r);
      }
      this.queued -= n;
    }
    return batch;
  }

  /** Sleep until the linger ends or a waiting shard has a token, whichever is later. */
  private armWake(now: number): void {
    if (this.queued === 0 || this.inFlight >= this.maxInFlight || this.closed) return;
    let tokenWait = Infinity;
    for (const [shard, q] of this.queues)
      if (q.length > 0) tokenWait = Math.min(tokenWait, this.limiter.waitMs(shard, now));
    const linger = this.lastCallAt + this.cfg.writer.lingerMs - now;
    const delay = Math.max(this.cfg.writer.minWakeMs, linger, tokenWait, this.health.waitMs(now));
    this.wake = setTimeout(() => {
      this.wake = undefined;
      this.pump();
    }, Math.ceil(delay));
  }

  private clearWake(): void {
    if (this.wake) clearTimeout(this.wake);
    this.wake = undefined;
  }

  private dispatch(batch: Pending[], sentAt: number): void {
    this.health.sending();
    this.inFlight++;
    this.inFlightRecords += batch.length;
    void this.send(batch, sentAt).finally(() => {
      this.inFlight--;
      this.inFlightRecords -= batch.length;
      if (this.inFlight === 0) for (const w of this.settleWaiters.splice(0)) w();
      this.pump();
    });
  }

  private async send(batch: Pending[], sentAt: number): Promise<void> {
    const stats = this.o.stats;
    stats.calls++;
    stats.sent += batch.length;
    for (const r of batch) r.attempts++;
    let results;
    try {
      const out = await this.o.client.send(
        new PutRecordsCommand({
          StreamName: this.o.streamName,
          Records: batch.map((r) => ({
            Data: Buffer.from(r.data, 'utf8'),
            PartitionKey: r.partitionKey,
          })),
        }),
      );
      results = out.Records ?? [];
    } catch (err) {
      this.callFailed(batch, sentAt, err);
      return;
    }
    this.health.answered();
    const now = this.now();
    const again: Pending[] = [];
    batch.forEach((r, i) => {
      const res = results[i];
      if (res?.SequenceNumber && res.ShardId && !res.ErrorCode) {
        if (res.ShardId !== r.shard) this.map.stale();
        stats.accepted++;
        stats.acceptedBytes += Buffer.byteLength(r.data, 'utf8');
        this.o.onAccepted?.({
          data: r.data,
          partitionKey: r.partitionKey,
          bytes: r.bytes,
          tag: r.tag,
          shardId: res.ShardId,
          sequenceNumber: res.SequenceNumber,
        });
        return;
      }
      if (res?.ErrorCode === 'ProvisionedThroughputExceededException') {
        stats.throttled++;
        this.limiter.throttled(r.shard, sentAt, now);
      } else stats.failed++;
      again.push(r);
    });
    if (again.length > 0) this.retry(again);
  }

  private callFailed(batch: Pending[], sentAt: number, err: unknown): void {
    const stats = this.o.stats;
    stats.callErrors++;
    const kind = classifyCallError(err);
    if (kind === 'fatal') {
      this.fatal = err;
      stats.failed += batch.length;
      return;
    }
    if (kind === 'endpoint') {
      stats.failed += batch.length;
      this.health.unreachable(err, sentAt, this.now());
      return this.requeue(batch);
    }
    this.health.answered();
    if ((err as { name?: string }).name === 'ProvisionedThroughputExceededException') {
      stats.throttled += batch.length;
      const now = this.now();
      for (const shard of new Set(batch.map((r) => r.shard)))
        this.limiter.throttled(shard, sentAt, now);
    } else stats.failed += batch.length;
    this.retry(batch);
  }

  /** Back to the front of their shard's queue at once: the endpoint's health paces the next call. */
  private requeue(records: Pending[]): void {
    if (this.closed) {
      this.dropped += records.length;
      return;
    }
    this.o.stats.retried += records.length;
    for (let i = records.length - 1; i >= 0; i--) this.push(records[i]!, true);
  }

  /** Back to the front of their shard's queue after a full-jitter backoff each; records due together share a timer. */
  private retry(records: Pending[]): void {
    if (this.closed) {
      this.dropped += records.length;
      return;
    }
    this.o.stats.retried += records.length;
    const slots = new Map<number, Pending[]>();
    for (const r of records) {
      const delay =
        Math.ceil(
          backoffDelayMs(r.attempts, this.random(), this.o.backoff ?? this.cfg.backoff) / 10,
        ) * 10;
      const slot = slots.get(delay);
      if (slot) slot.push(r);
      else slots.set(delay, [r]);
    }
    this.delayed += records.length;
    for (const [delay, group] of slots) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.delayed -= group.length;
        for (let i = group.length - 1; i >= 0; i--) this.push(group[i]!, true);
        this.pump();
      }, delay);
      this.timers.add(timer);
    }
  }
}
