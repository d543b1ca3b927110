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
import { BatchLedger, ShardReplay, type ShardJournalEvent, type ShardResume } from './shard-resume';
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
  /** write-ahead record of batches cut and done (--data-dir), so a restart resumes exactly */
  journal?: (event: ShardJournalEvent) => void;
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
  private readonly ledger: BatchLedger;
  /** after a restart: the done records and unfinished batches being re-formed */
  private replay: ShardReplay | undefined;
  private replaysRunning = 0;
  private readonly start: StartSpec;
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
    resume: ShardResume,
    private readonly onFinished: () => void,
  ) {
    this.batcher = new LaneBatcher(deps.mapping().parallelizationFactor);
    this.start = resume.start;
    this.ledger = new BatchLedger(resume.claims);
    if (resume.done.length > 0 || resume.claims.length > 0) {
      this.replay = new ShardReplay(resume.done, resume.claims);
      deps.log(
        `${shardId}: resuming: ${resume.claims.length} batch(es) to run again as cut, ${resume.done.length} record(s) done to skip`,
      );
    }
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
  async stop(): Promise<ShardResume> {
    this.stopped = true;
    this.wake();
    for (const done of [...this.backoffs]) done();
    await this.loopDone;
    await Promise.allSettled([...this.lanes]);
    return this.resumeState();
  }

  /** Where to resume exactly: the resume point, the records done past it, the batches not done. */
  resumeState(): ShardResume {
    return {
      start: this.resumePoint(),
      done: [...this.checkpoint.doneAhead(), ...(this.replay?.unseenDone() ?? [])],
      claims: this.ledger.claims(),
    };
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
      const buffered = this.batcher.waiting + this.checkpoint.pendingCount;
      // Re-forming batches after a restart may hold more back; past twice the limit, stop waiting.
      if (this.replay && buffered >= t.maxBufferedRecords * 2)
        for (const first of this.replay.finalize()) this.ledger.done(first);
      const roomy = buffered < t.maxBufferedRecords * (this.replay?.replaying ? 2 : 1);
      if (!this.ended && roomy && Date.now() >= this.nextPollAt) await this.fetch();
      if (this.stopped) break;
      const settings = this.settings(this.deps.mapping());
      if (this.replay) this.startReplays(this.replay);
      // New batches wait until the replayed ones are done (one batch per lane at a time).
      const holding = Boolean(this.replay?.replaying) || this.replaysRunning > 0;
      const cuts = holding ? [] : this.batcher.cut(Date.now(), settings, this.ended);
      for (const cut of cuts) {
        this.track(this.runLane(cut.lane, cut.records));
      }
      if (this.ended && this.batcher.idle && !holding) {
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

  private track(lane: Promise<void>): void {
    this.lanes.add(lane);
    void lane.finally(() => this.lanes.delete(lane));
  }

  /**
   * After a restart: unfinished batches run again as they were cut; new batches wait for them.
   * Records done before the restart are skipped until each was read again (or the shard ended).
   */
  private startReplays(replay: ShardReplay): void {
    for (const records of replay.ready()) {
      this.replaysRunning++;
      this.track(this.runBatch(records).finally(() => this.replaysRunning--));
    }
    if (!replay.replaying && (!replay.skipsPending || this.ended)) this.replay = undefined;
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
        const { done, fresh } = this.replay?.admit(kept) ?? { done: [], fresh: kept };
        if (done.length > 0) this.checkpoint.markDone(done);
        this.batcher.add(fresh, now);
        if (this.deps.onBatchStarted)
          for (const x of records)
            this.polledAt.set(x.sequenceNumber, performance.timeOrigin + performance.now());
      }
      // Read to the current end: a batch to replay that is still short of records will not get them.
      if (records.length < limit && this.replay)
        for (const first of this.replay.finalize()) this.ledger.done(first);
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
    const pf = this.batcher.parallelization;
    const claim = this.ledger.cut(records, pf);
    this.deps.journal?.({ s: this.shardId, cut: claim.first, n: claim.count, pf });
    try {
      await this.runBatch(records);
    } finally {
      this.batcher.complete(lane);
      this.wake();
    }
  }

  /** A batch to its end; once done, the checkpoint (and the journal) move past it. */
  private async runBatch(records: ShardRecord[]): Promise<void> {
    try {
      if (!(await this.processBatch(records))) return;
      this.checkpoint.markDone(records.map((r) => r.sequenceNumber));
      const first = records[0]!.sequenceNumber;
      this.ledger.done(first);
      this.deps.journal?.({ s: this.shardId, done: first });
    } catch (err) {
      this.deps.log(`${this.shardId}: batch failed unexpectedly: ${String(err)}`);
    } finally {
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
