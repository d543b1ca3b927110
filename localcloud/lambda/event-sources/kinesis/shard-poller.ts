/**
 * One shard of one Kinesis event source mapping: a GetRecords loop feeding
 * the lane batcher, one batch in flight per lane, each batch retried whole
 * (same records, same boundaries) until it succeeds or is discarded to the
 * on-failure destination. Polls again at once after a full page, soon after
 * a partial one, about once a second when the shard is idle, and not while
 * its buffer is full. `finished` once the shard is closed, read to its end
 * and every batch is done — what a child shard waits for.
 */
import type { InvokeOutcome } from '../../runtime/execution-pool';
import { ShardCheckpoint } from './checkpoint';
import type { EventSourceIdentity } from './kinesis-event';
import { LaneBatcher, type BatchingSettings } from './lane-batcher';
import type { MappingDefinition } from '../mapping-definition';
import {
  decideOnFailure,
  partialFailureIndex,
  recordAgeExceeded,
  type FailureCondition,
} from './retry-policy';
import type { ShardRecord } from './shard-record';
import type { StartSpec, StreamReader } from './stream-reader';

export type { StartSpec } from './stream-reader';

export interface PollerTunables {
  idlePollMs: number;
  activePollMs: number;
  getRecordsLimit: number;
  maxBufferedRecords: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export interface PollerDeps {
  reader: StreamReader;
  streamArn: string;
  region: string;
  mapping: () => MappingDefinition;
  role: () => string;
  /** invoke the function with the event, waiting for a free execution environment */
  invoke: (event: unknown) => Promise<InvokeOutcome>;
  discard: (
    records: ShardRecord[],
    shardId: string,
    condition: FailureCondition,
    invokes: number,
    last: InvokeOutcome | undefined,
  ) => Promise<void>;
  iteratorAge: (ms: number) => void;
  /** the mapping's FilterCriteria: false = skip the record */
  passes: (record: ShardRecord) => boolean;
  /** a batch was handed to the function: for the bench (poll → handler start) */
  onBatchStarted?: (polledAt: number, outcome: InvokeOutcome) => void;
  log: (line: string) => void;
  tunables: PollerTunables;
}

interface WorkItem {
  records: ShardRecord[];
  retries: number;
  invokes: number;
  /** absolute ms when the records were fetched */
  polledAt: number;
}

export class ShardPoller {
  private readonly batcher: LaneBatcher;
  private readonly checkpoint = new ShardCheckpoint();
  private iterator: string | undefined;
  private ended = false;
  private stopped = false;
  private nextPollAt = 0;
  private wakeUp: (() => void) | undefined;
  private readonly lanes = new Set<Promise<void>>();
  private loopDone: Promise<void> = Promise.resolve();
  private readonly polledAt = new Map<string, number>();
  private readonly backoffs = new Set<() => void>();
  private lastError: string | undefined;
  finished = false;

  constructor(
    private readonly deps: PollerDeps,
    readonly shardId: string,
    private readonly start: StartSpec,
    private readonly onFinished: () => void,
  ) {
    this.batcher = new LaneBatcher(deps.mapping().parallelizationFactor);
  }

  run(): void {
    this.loopDone = this.loop().catch((err: unknown) =>
      this.deps.log(`${this.shardId}: poller stopped: ${String(err)}`),
    );
  }

  wake(): void {
    this.wakeUp?.();
  }

  /** Stop polling; batches in flight finish their current invocation. Returns where to resume. */
  async stop(): Promise<StartSpec> {
    this.stopped = true;
    this.wake();
    for (const done of [...this.backoffs]) done();
    await this.loopDone;
    await Promise.allSettled([...this.lanes]);
    return this.resumePoint();
  }

  /** The lowest record not yet done, else after the last record taken, else the original start. */
  resumePoint(): StartSpec {
    const pending = this.checkpoint.lowestPending;
    if (pending) return { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: pending };
    if (this.checkpoint.lastTaken)
      return { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.checkpoint.lastTaken };
    return this.start;
  }

  private settings(m: MappingDefinition): BatchingSettings {
    return { batchSize: m.batchSize, windowMs: m.maximumBatchingWindowInSeconds * 1000 };
  }

  private async loop(): Promise<void> {
    const t = this.deps.tunables;
    while (!this.stopped) {
      const m = this.deps.mapping();
      this.batcher.setParallelization(m.parallelizationFactor);
      const roomy = this.batcher.waiting + this.checkpoint.pendingCount < t.maxBufferedRecords;
      if (!this.ended && roomy && Date.now() >= this.nextPollAt) await this.fetch();
      if (this.stopped) break;
      const settings = this.settings(this.deps.mapping());
      for (const cut of this.batcher.cut(Date.now(), settings, this.ended)) {
        const lane = this.runLane(cut.lane, cut.records);
        this.lanes.add(lane);
        void lane.finally(() => this.lanes.delete(lane));
      }
      if (this.ended && this.batcher.idle) {
        this.finished = true;
        this.onFinished();
        return;
      }
      let wakeAt = this.ended || !roomy ? Number.POSITIVE_INFINITY : this.nextPollAt;
      const due = this.batcher.nextDue(settings);
      if (due !== undefined) wakeAt = Math.min(wakeAt, due);
      await this.sleep(wakeAt - Date.now());
    }
  }

  /** A retry's backoff; ends early when the poller stops. */
  private backoff(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.backoffs.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.backoffs.add(done);
    });
  }

  private sleep(ms: number): Promise<void> {
    // Always yield to the event loop: a resolved promise would let this loop starve the invocations it waits for.
    if (ms <= 0) return new Promise((resolve) => setImmediate(resolve));
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      function done() {
        if (timer) clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
    });
  }

  private iteratorFor(spec: StartSpec): Promise<string | undefined> {
    return this.deps.reader.iterator(this.shardId, spec);
  }

  private async fetch(): Promise<void> {
    const t = this.deps.tunables;
    try {
      if (!this.iterator) {
        const spec = this.checkpoint.lastTaken
          ? { type: 'AFTER_SEQUENCE_NUMBER' as const, sequenceNumber: this.checkpoint.lastTaken }
          : this.start;
        this.iterator = await this.iteratorFor(spec);
        if (!this.iterator) {
          this.ended = true;
          return;
        }
      }
      const limit = Math.min(t.getRecordsLimit, this.deps.reader.pageLimit);
      const r = await this.deps.reader.read(this.iterator, limit);
      const now = Date.now();
      this.iterator = r.next;
      if (!this.iterator) this.ended = true;
      const records = r.records;
      if (records.length > 0) {
        this.checkpoint.take(records.map((x) => x.sequenceNumber));
        // Filtered-out records are done at once: the checkpoint moves past them, the function never sees them.
        const kept: ShardRecord[] = [];
        const skipped: string[] = [];
        for (const x of records) {
          if (this.deps.passes(x)) kept.push(x);
          else skipped.push(x.sequenceNumber);
        }
        if (skipped.length > 0) this.checkpoint.markDone(skipped);
        this.batcher.add(kept, now);
        if (this.deps.onBatchStarted)
          for (const x of records)
            this.polledAt.set(x.sequenceNumber, performance.timeOrigin + performance.now());
      }
      this.nextPollAt =
        now + (records.length >= limit ? 0 : records.length > 0 ? t.activePollMs : t.idlePollMs);
    } catch (err) {
      const name = (err as { name?: string }).name ?? 'Error';
      this.deps.log(
        `${this.shardId}: ${name}: ${(err as Error).message}; polling again in ${t.idlePollMs} ms`,
      );
      // A fresh iterator from the checkpoint (expired iterator, restarted emulator, ...).
      this.iterator = undefined;
      this.nextPollAt = Date.now() + t.idlePollMs;
    }
  }

  private async runLane(lane: number, records: ShardRecord[]): Promise<void> {
    try {
      const done = await this.processBatch(records);
      if (done) this.checkpoint.markDone(records.map((r) => r.sequenceNumber));
    } catch (err) {
      this.deps.log(`${this.shardId}: batch failed unexpectedly: ${String(err)}`);
    } finally {
      this.batcher.complete(lane);
      this.wake();
    }
  }

  /** Runs a batch to its end (success or discard); false when stopped before. */
  private async processBatch(records: ShardRecord[]): Promise<boolean> {
    const polledAt = this.polledAt.get(records[0]!.sequenceNumber) ?? 0;
    for (const r of records) this.polledAt.delete(r.sequenceNumber);
    const identity: EventSourceIdentity = {
      shardId: this.shardId,
      streamArn: this.deps.streamArn,
      region: this.deps.region,
      invokeIdentityArn: this.deps.role(),
    };
    const work: WorkItem[] = [{ records, retries: 0, invokes: 0, polledAt }];
    while (work.length > 0) {
      if (this.stopped) return false;
      const item = work[0]!;
      const m = this.deps.mapping();
      const oldest = item.records[0]!.arrivalMs;
      if (recordAgeExceeded(oldest, m.maximumRecordAgeInSeconds, Date.now())) {
        await this.deps.discard(
          item.records,
          this.shardId,
          'RecordAgeExceeded',
          item.invokes,
          undefined,
        );
        work.shift();
        continue;
      }
      this.deps.iteratorAge(Date.now() - item.records[item.records.length - 1]!.arrivalMs);
      const out = await this.deps.invoke(this.deps.reader.event(item.records, identity));
      item.invokes++;
      if (item.invokes === 1 && item.polledAt > 0) this.deps.onBatchStarted?.(item.polledAt, out);
      let failedFrom: number | 'all' | undefined = out.ok ? undefined : 'all';
      if (out.ok && m.functionResponseTypes.includes('ReportBatchItemFailures')) {
        let response: unknown;
        try {
          response = JSON.parse(out.payload);
        } catch {
          response = undefined;
        }
        failedFrom = partialFailureIndex(
          response,
          item.records.map((r) => r.sequenceNumber),
        );
      }
      if (failedFrom === undefined) {
        work.shift();
        continue;
      }
      // Partial batch response: the records before the first failure are done; retry from it.
      if (typeof failedFrom === 'number' && failedFrom > 0)
        item.records = item.records.slice(failedFrom);
      const decision = decideOnFailure(
        {
          maximumRetryAttempts: m.maximumRetryAttempts,
          maximumRecordAgeSeconds: m.maximumRecordAgeInSeconds,
          bisectOnError: m.bisectBatchOnFunctionError,
          retryBaseMs: this.deps.tunables.retryBaseMs,
          retryMaxMs: this.deps.tunables.retryMaxMs,
        },
        item.records.length,
        item.retries,
        item.records[0]!.arrivalMs,
        Date.now(),
      );
      if (decision.kind === 'bisect') {
        const half = Math.ceil(item.records.length / 2);
        work.splice(
          0,
          1,
          { ...item, records: item.records.slice(0, half) },
          { ...item, records: item.records.slice(half) },
        );
      } else if (decision.kind === 'retry') {
        item.retries++;
        await this.backoff(decision.delayMs);
      } else {
        await this.deps.discard(item.records, this.shardId, decision.condition, item.invokes, out);
        work.shift();
      }
    }
    return true;
  }
}
