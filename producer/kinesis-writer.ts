/**
 * One producer's Kinesis writer: PutRecords calls of ≤ 500 records / 5 MiB,
 * a bounded number of calls in flight, and per-record retries with
 * exponential backoff and full jitter. The result of every record is read
 * one by one: a record with a SequenceNumber is accepted and never sent
 * again; a record answered with ProvisionedThroughputExceededException or
 * InternalFailure, or whose whole call failed with a retryable error, goes
 * back to the queue after its backoff. The SDK's own retries are off
 * (maxAttempts 1 on the client) so that every re-send is counted here.
 *
 * A whole-call failure is ambiguous only for a lost response (timeout after
 * the server accepted); Kinesis itself gives no way to tell, so those records
 * are re-sent — the pipeline is exactly-once from the stream on, and the
 * record log lists what Kinesis acknowledged.
 */
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import type { ProducerStats } from './producer-stats';
import { takeForCall } from './put-batches';

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
}

export interface KinesisWriterOptions {
  client: KinesisClient;
  streamName: string;
  stats: ProducerStats;
  onAccepted?: (r: AcceptedRecord) => void;
  maxInFlight?: number;
  backoff?: BackoffOptions;
  random?: () => number;
}

/** Errors after which a retry can succeed. */
const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'InternalFailure',
  'InternalFailureException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ThrottlingException',
  'LimitExceededException',
  'KMSThrottlingException',
]);

export function isRetryableCallError(err: unknown): boolean {
  const e = err as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  };
  if (e?.name && RETRYABLE.has(e.name)) return true;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  // Socket-level failures (reset, refused while the edge restarts, timeouts).
  const code = e?.code ?? (err as { cause?: { code?: string } })?.cause?.code;
  return typeof code === 'string' &&
    /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|ECONNABORTED)$/.test(code)
    ? true
    : e?.name === 'TimeoutError';
}

export class KinesisWriter {
  private readonly ready: Pending[] = [];
  private delayed = 0;
  private inFlight = 0;
  private fatal: unknown;
  private idleWaiters: Array<() => void> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly maxInFlight: number;
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;

  constructor(private readonly o: KinesisWriterOptions) {
    this.maxInFlight = o.maxInFlight ?? 4;
    this.backoff = o.backoff ?? DEFAULT_BACKOFF;
    this.random = o.random ?? Math.random;
  }

  /** Records queued, waiting for a retry, or in flight. */
  get pending(): number {
    return this.ready.length + this.delayed + this.inFlightRecords;
  }
  private inFlightRecords = 0;
  private closed = false;
  /** records dropped because they failed after abandon() */
  dropped = 0;

  /** The error that stopped this writer (a non-retryable call failure), if any. */
  get error(): unknown {
    return this.fatal;
  }

  enqueue(records: OutgoingRecord[]): void {
    if (this.fatal || this.closed) return;
    for (const r of records) this.ready.push({ ...r, attempts: 0 });
    this.pump();
  }

  /** Resolves when nothing is queued or in flight; rejects on a fatal error. */
  async drain(): Promise<void> {
    while (this.pending > 0 && !this.fatal)
      await new Promise<void>((r) => this.idleWaiters.push(r));
    if (this.fatal) throw this.fatal;
  }

  /** Drop everything not yet sent (Ctrl-C); calls in flight finish. */
  abandon(): number {
    this.closed = true;
    const dropped = this.ready.length + this.delayed;
    this.ready.length = 0;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.delayed = 0;
    this.notifyIdle();
    return dropped;
  }

  private notifyIdle(): void {
    if (this.pending > 0 && !this.fatal) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private pump(): void {
    while (!this.fatal && this.inFlight < this.maxInFlight && this.ready.length > 0) {
      const n = takeForCall(this.ready);
      if (n === 0) {
        // A record over the per-record limit can never be sent: drop it loudly rather than loop.
        const bad = this.ready.shift()!;
        this.o.stats.failed++;
        this.fatal = new Error(
          `record of ${bad.bytes} bytes exceeds the Kinesis 1 MiB record limit`,
        );
        break;
      }
      const batch = this.ready.splice(0, n);
      this.inFlight++;
      this.inFlightRecords += batch.length;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.inFlightRecords -= batch.length;
        this.pump();
        this.notifyIdle();
      });
    }
    this.notifyIdle();
  }

  private async send(batch: Pending[]): Promise<void> {
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
      stats.callErrors++;
      if (!isRetryableCallError(err)) {
        this.fatal = err;
        stats.failed += batch.length;
        return;
      }
      if ((err as { name?: string }).name === 'ProvisionedThroughputExceededException')
        stats.throttled += batch.length;
      else stats.failed += batch.length;
      this.retry(batch);
      return;
    }
    const again: Pending[] = [];
    batch.forEach((r, i) => {
      const res = results[i];
      if (res?.SequenceNumber && res.ShardId && !res.ErrorCode) {
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
      } else {
        if (res?.ErrorCode === 'ProvisionedThroughputExceededException') stats.throttled++;
        else stats.failed++;
        again.push(r);
      }
    });
    if (again.length > 0) this.retry(again);
  }

  /** Back to the queue after a full-jitter backoff each; records due together share a timer. */
  private retry(records: Pending[]): void {
    if (this.closed) {
      this.dropped += records.length;
      return;
    }
    this.o.stats.retried += records.length;
    const slots = new Map<number, Pending[]>();
    for (const r of records) {
      const delay = Math.ceil(backoffDelayMs(r.attempts, this.random(), this.backoff) / 10) * 10;
      const slot = slots.get(delay);
      if (slot) slot.push(r);
      else slots.set(delay, [r]);
    }
    this.delayed += records.length;
    for (const [delay, group] of slots) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.delayed -= group.length;
        this.ready.push(...group);
        this.pump();
      }, delay);
      this.timers.add(timer);
    }
  }
}
