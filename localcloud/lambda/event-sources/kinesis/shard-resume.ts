/**
 * Exact resumption of a shard after the local cloud restarts (--data-dir).
 * Resuming from the lowest record not yet done (AWS's checkpoint) would
 * deliver again what later lanes had finished, and a batch that was in
 * flight would come back with other boundaries: with ParallelizationFactor
 * > 1 that is double delivery, and a consumer that is idempotent per batch
 * (one write-once item per batch) would count records twice. So a shard's
 * resume point also names the records already done past it, and the batches
 * cut but not done — each as the batcher cut it: its first record, its size
 * and the ParallelizationFactor it was cut under. A batch is the `count`
 * records of its lane from its first on that no batch cut before it took,
 * so re-reading the shard re-forms it exactly and it is replayed as it was.
 */
import { laneOf } from './lane-assignment';
import type { ShardRecord } from './shard-record';
import type { StartSpec } from './stream-reader';

/** A batch as it was cut. */
export interface BatchClaim {
  first: string;
  count: number;
  /** the ParallelizationFactor its lane was cut under */
  pf: number;
  /** done since the last snapshot (only in a journal replay) */
  done?: boolean;
}

/** Where one shard resumes, exactly. */
export interface ShardResume {
  start: StartSpec;
  /** records from `start` on that are done already (never delivered again) */
  done: string[];
  /** batches cut and not done, in the order they were cut */
  claims: BatchClaim[];
}

/** The write-ahead events of a shard's batches, appended before the function sees the batch. */
export type ShardJournalEvent =
  | { s: string; start: StartSpec }
  | { s: string; cut: string; n: number; pf: number }
  | { s: string; done: string };

export const freshResume = (start: StartSpec): ShardResume => ({ start, done: [], claims: [] });

/** The batches of one shard cut and not done yet, in cut order. */
export class BatchLedger {
  private readonly open = new Map<string, BatchClaim>();

  constructor(restored: readonly BatchClaim[] = []) {
    for (const c of restored) if (!c.done) this.open.set(c.first, { ...c, done: undefined });
  }

  cut(records: readonly ShardRecord[], pf: number): BatchClaim {
    const c: BatchClaim = { first: records[0]!.sequenceNumber, count: records.length, pf };
    this.open.set(c.first, c);
    return c;
  }

  done(first: string): void {
    this.open.delete(first);
  }

  claims(): BatchClaim[] {
    return [...this.open.values()].map(({ first, count, pf }) => ({ first, count, pf }));
  }
}

interface LiveClaim extends BatchClaim {
  lane?: number;
  records: ShardRecord[];
  taken: boolean;
}

/** Re-forms a restarted shard's done records and unfinished batches from what it reads again. */
export class ShardReplay {
  private readonly done: Set<string>;
  private claims: LiveClaim[];

  constructor(done: readonly string[], claims: readonly BatchClaim[]) {
    this.done = new Set(done);
    this.claims = claims.map((c) => ({ ...c, records: [], taken: false }));
  }

  /** Records read (in shard order, past the filter): which are done already, which are new. */
  admit(records: readonly ShardRecord[]): { done: string[]; fresh: ShardRecord[] } {
    const done: string[] = [];
    const fresh: ShardRecord[] = [];
    for (const r of records) {
      if (this.done.delete(r.sequenceNumber)) {
        done.push(r.sequenceNumber);
        continue;
      }
      const claim = this.claimFor(r);
      if (!claim) fresh.push(r);
      else if (claim.done) done.push(r.sequenceNumber);
    }
    return { done, fresh };
  }

  /** Unfinished batches whose records have all been read again, in cut order; each once. */
  ready(): ShardRecord[][] {
    const out: ShardRecord[][] = [];
    for (const c of this.claims) {
      if (c.taken || c.done || c.records.length < c.count) continue;
      c.taken = true;
      out.push(c.records);
    }
    return out;
  }

  /**
   * The shard was read to its current end: a batch still short of records has lost them (trimmed
   * by retention) and goes with what there is; a batch never started is gone. Returns the firsts
   * of the batches dropped.
   */
  finalize(): string[] {
    const dropped: string[] = [];
    for (const c of this.claims) {
      if (c.records.length === 0) {
        c.taken = true;
        if (!c.done) dropped.push(c.first);
      } else c.count = c.records.length;
    }
    return dropped;
  }

  /** True while an unfinished batch waits to be replayed (new batches wait behind it). */
  get replaying(): boolean {
    return this.claims.some((c) => !c.done && !c.taken);
  }

  /** True while done records wait to be read again (and skipped). */
  get skipsPending(): boolean {
    return this.done.size > 0;
  }

  /** Done records not read again yet (still to be skipped after another restart). */
  unseenDone(): string[] {
    return [...this.done];
  }

  private claimFor(r: ShardRecord): LiveClaim | undefined {
    for (const c of this.claims) {
      if (c.records.length >= c.count) continue;
      if (c.lane === undefined) {
        if (r.sequenceNumber !== c.first) continue;
        c.lane = laneOf(r.partitionKey, c.pf);
      } else if (laneOf(r.partitionKey, c.pf) !== c.lane) continue;
      c.records.push(r);
      return c;
    }
    return undefined;
  }
}

/** A shard's resume point with the journal events appended after it (oldest first). */
export function applyShardJournal(
  resume: ShardResume | undefined,
  events: readonly ShardJournalEvent[],
): ShardResume | undefined {
  let r = resume && { ...resume, claims: resume.claims.map((c) => ({ ...c })) };
  for (const e of events) {
    if ('start' in e) r ??= freshResume(e.start);
    else if (!r) continue;
    else if ('cut' in e) {
      if (!r.claims.some((c) => c.first === e.cut))
        r.claims.push({ first: e.cut, count: e.n, pf: e.pf });
    } else {
      const c = r.claims.find((x) => x.first === e.done);
      if (c) c.done = true;
    }
  }
  return r;
}
