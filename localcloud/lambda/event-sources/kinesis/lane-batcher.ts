/**
 * Pure batching of one shard's records into lanes (ParallelizationFactor):
 * records are routed by partition-key hash, each lane has at most one batch
 * in flight, and a lane's batch is cut when it holds BatchSize records, when
 * the batching window since its first waiting record has passed, or when the
 * shard is drained (window 0 = as soon as records are there). A change of
 * ParallelizationFactor waits until no batch is in flight, then re-routes the
 * waiting records in shard order, so per-key order holds across the change.
 */
import { laneOf } from './lane-assignment';
import { compareSequence, type ShardRecord } from './shard-record';

export interface BatchingSettings {
  batchSize: number;
  windowMs: number;
}

export interface CutBatch {
  lane: number;
  records: ShardRecord[];
}

interface Lane {
  queue: ShardRecord[];
  /** when the oldest waiting record arrived in this lane (poller clock) */
  firstQueuedAt: number;
  busy: boolean;
}

const newLane = (): Lane => ({ queue: [], firstQueuedAt: 0, busy: false });

export class LaneBatcher {
  private lanes: Lane[];
  private wantedLanes: number;
  private buffered = 0;

  constructor(parallelization: number) {
    this.wantedLanes = parallelization;
    this.lanes = Array.from({ length: parallelization }, newLane);
  }

  get parallelization(): number {
    return this.lanes.length;
  }

  /** Records waiting (not in flight). */
  get waiting(): number {
    return this.buffered;
  }

  get inFlight(): number {
    return this.lanes.filter((l) => l.busy).length;
  }

  get idle(): boolean {
    return this.buffered === 0 && this.inFlight === 0;
  }

  add(records: readonly ShardRecord[], now: number): void {
    const n = this.lanes.length;
    for (const r of records) {
      const lane = this.lanes[laneOf(r.partitionKey, n)]!;
      if (lane.queue.length === 0) lane.firstQueuedAt = now;
      lane.queue.push(r);
    }
    this.buffered += records.length;
  }

  setParallelization(pf: number): void {
    this.wantedLanes = pf;
    this.regroupIfQuiet();
  }

  /** Batches ready now; their lanes become busy until complete(lane). */
  cut(now: number, s: BatchingSettings, drained: boolean): CutBatch[] {
    if (this.wantedLanes !== this.lanes.length) return [];
    const out: CutBatch[] = [];
    this.lanes.forEach((lane, i) => {
      if (lane.busy || lane.queue.length === 0) return;
      const due =
        lane.queue.length >= s.batchSize || now - lane.firstQueuedAt >= s.windowMs || drained;
      if (!due) return;
      const records = lane.queue.splice(0, s.batchSize);
      this.buffered -= records.length;
      // What stays has waited at least as long (a backlog): it is due as soon as the lane is free.
      lane.busy = true;
      out.push({ lane: i, records });
    });
    return out;
  }

  complete(lane: number): void {
    const l = this.lanes[lane];
    if (l) l.busy = false;
    this.regroupIfQuiet();
  }

  /** Earliest time a waiting, not-yet-full lane becomes due (undefined: none waiting on a window). */
  nextDue(s: BatchingSettings): number | undefined {
    // While lanes wait to regroup nothing can be cut; the poller is woken when the last batch completes.
    if (this.wantedLanes !== this.lanes.length) return undefined;
    let due: number | undefined;
    for (const lane of this.lanes) {
      if (lane.busy || lane.queue.length === 0) continue;
      const t = lane.firstQueuedAt + s.windowMs;
      due = due === undefined ? t : Math.min(due, t);
    }
    return due;
  }

  private regroupIfQuiet(): void {
    if (this.wantedLanes === this.lanes.length || this.inFlight > 0) return;
    const waiting = this.lanes.flatMap((l) => l.queue.map((r) => ({ r, at: l.firstQueuedAt })));
    waiting.sort((a, b) => compareSequence(a.r.sequenceNumber, b.r.sequenceNumber));
    const oldest = waiting.reduce((m, w) => Math.min(m, w.at), Number.POSITIVE_INFINITY);
    this.lanes = Array.from({ length: this.wantedLanes }, newLane);
    this.buffered = 0;
    this.add(
      waiting.map((w) => w.r),
      Number.isFinite(oldest) ? oldest : 0,
    );
  }
}
