/**
 * The stores the handlers use (functions/store/*: WindowsPort, ControlPort,
 * RejectsPort), over the DynamoDB model instead of the SDK: the same keys,
 * items, conditions and request pattern as the adapters, so the model meters
 * what the adapters would send. Keep each method in step with its adapter.
 */
import type { PartialKeys } from '../../functions/core/closing';
import type { ProgressUpdate } from '../../functions/core/merge-plan';
import type {
  BucketFinalItem,
  FinalItem,
  PartialItem,
  RejectItem,
  ShardProgressItem,
} from '../../functions/core/table-layout';
import {
  ALL_BUCKETS,
  BUCKET_FINAL_SK,
  FINAL_SK,
  GLOBAL_SK,
  GSI_LATE,
  SHARD_SK_PREFIX,
  WATERMARK_PK,
  bucketOf,
  bucketPk,
  isPartialSk,
  progressPk,
  shardSk,
  windowPk,
} from '../../functions/core/table-layout';
import type { ControlPort, GlobalState, RunClaim } from '../../functions/store/control-store';
import type { RejectsPort } from '../../functions/store/rejects-store';
import type {
  BucketPartition,
  PartialsOutcome,
  WindowsPort,
  WriteOnceOutcome,
} from '../../functions/store/windows-store';
import { ModelError, type DynamoModel, type Item } from './dynamo-model';

/** The adapters' concurrency: windows-store writes, control-store progress, closer-tick buckets. */
const WRITE_CONCURRENCY = 16;
const PROGRESS_CONCURRENCY = 16;
const absent = (old: Item | undefined) => old === undefined;

export class WindowsModel implements WindowsPort {
  constructor(
    private readonly m: DynamoModel,
    private readonly table: string,
  ) {}

  async putOnce(item: PartialItem | BucketFinalItem | FinalItem): Promise<WriteOnceOutcome> {
    const out = this.m.put(this.table, item as unknown as Item, absent);
    return out === 'written' ? 'written' : 'already-there';
  }

  async putPartials(partials: readonly PartialItem[]): Promise<PartialsOutcome> {
    const o: PartialsOutcome = { written: 0, duplicates: 0, lateRecordsWritten: 0 };
    await this.m.concurrently(partials, WRITE_CONCURRENCY, async (p) => {
      if ((await this.putOnce(p)) === 'written') {
        o.written += 1;
        if (p.gsiPk === GSI_LATE) o.lateRecordsWritten += p.records;
      } else o.duplicates += 1;
    });
    return o;
  }

  async readBucket(windowStart: number, bucket: number): Promise<BucketPartition> {
    const items = this.m.query(this.table, bucketPk(windowStart, bucket), { consistent: true });
    return {
      partials: items.filter((i) => isPartialSk(String(i.sk))) as unknown as PartialItem[],
      final: items.find((i) => i.sk === BUCKET_FINAL_SK) as BucketFinalItem | undefined,
    };
  }

  async readBucketKeys(windowStart: number, bucket: number) {
    const { partials, final } = await this.readBucket(windowStart, bucket);
    return {
      partials: partials.map(({ pk, sk, windowStart: ws, records, gsiPk }): PartialKeys => ({
        pk,
        sk,
        windowStart: ws,
        records,
        ...(gsiPk !== undefined ? { gsiPk } : {}),
      })),
      final: final ? { included: final.included } : undefined,
    };
  }

  async readFinal(windowStart: number): Promise<FinalItem | undefined> {
    return this.m.get(this.table, windowPk(windowStart), FINAL_SK, true) as FinalItem | undefined;
  }

  async readBucketFinal(windowStart: number, bucket: number) {
    const pk = bucketPk(windowStart, bucket);
    return this.m.get(this.table, pk, BUCKET_FINAL_SK, true) as BucketFinalItem | undefined;
  }

  async flagLate(p: Pick<PartialItem, 'pk' | 'sk' | 'windowStart'>): Promise<void> {
    const out = this.m.update(this.table, p.pk, p.sk, (old) =>
      old ? { ...old, gsiPk: GSI_LATE, gsiSk: p.windowStart } : undefined,
    );
    if (out === 'condition-failed')
      throw new ModelError('ConditionalCheckFailedException', 'The conditional request failed');
  }
}

type Progress = Partial<ShardProgressItem> & Item;

export class ControlModel implements ControlPort {
  constructor(
    private readonly m: DynamoModel,
    private readonly table: string,
  ) {}

  async updateShardProgress(p: ProgressUpdate): Promise<void> {
    const always = {
      shardId: p.shardId,
      lastSequenceNumber: p.lastSequenceNumber,
      lastSeenAt: p.lastSeenAt,
      lastIteratorAgeMs: p.iteratorAgeMs,
      lastBatchPartial: p.partialBatch,
    };
    const withWindows = (old: Progress | undefined): Progress => {
      const windows = new Set<number>([...(old?.openWindows ?? []), ...p.openWindowStarts]);
      const next: Progress = {
        pk: progressPk(bucketOf(p.shardId)),
        sk: shardSk(p.shardId),
        ...old,
        ...always,
      };
      if (windows.size > 0) next.openWindows = windows;
      return next;
    };
    const sk = shardSk(p.shardId);
    const pk = progressPk(bucketOf(p.shardId));
    if (p.maxEventTime !== undefined && p.minEventTime !== undefined) {
      const max = p.maxEventTime;
      const min = p.minEventTime;
      const out = this.m.update(this.table, pk, sk, (old) => {
        const o = old as Progress | undefined;
        if (o?.maxEventTime !== undefined && !((o.maxEventTime as number) < max)) return undefined;
        return { ...withWindows(o), maxEventTime: max, minEventTime: o?.minEventTime ?? min };
      });
      if (out === 'written') return;
    }
    this.m.update(this.table, pk, sk, (old) => withWindows(old as Progress | undefined));
  }

  async pruneOpenWindows(shardId: string, starts: readonly number[]): Promise<void> {
    if (starts.length === 0) return;
    const pk = progressPk(bucketOf(shardId));
    this.m.update(this.table, pk, shardSk(shardId), (old) => {
      const next: Progress = { pk, sk: shardSk(shardId), ...old };
      const windows = new Set([...((next.openWindows as Set<number> | undefined) ?? [])]);
      for (const s of starts) windows.delete(s);
      if (windows.size > 0) next.openWindows = windows;
      else delete next.openWindows;
      return next;
    });
  }

  async pruneAll(prunes: ReadonlyArray<{ shardId: string; starts: readonly number[] }>) {
    const todo = prunes.filter((p) => p.starts.length > 0);
    await this.m.concurrently(todo, PROGRESS_CONCURRENCY, (p) =>
      this.pruneOpenWindows(p.shardId, p.starts),
    );
  }

  async readShardProgress(): Promise<ShardProgressItem[]> {
    const items: Item[] = [];
    await this.m.concurrently(ALL_BUCKETS, PROGRESS_CONCURRENCY, async (b) => {
      items.push(
        ...this.m.query(this.table, progressPk(b), { skPrefix: SHARD_SK_PREFIX, consistent: true }),
      );
    });
    return items
      .filter((i) => typeof i.maxEventTime === 'number')
      .sort((a, b) =>
        String(a.shardId) < String(b.shardId) ? -1 : 1,
      ) as unknown as ShardProgressItem[];
  }

  async readGlobal(): Promise<GlobalState> {
    return (this.m.get(this.table, WATERMARK_PK, GLOBAL_SK, true) ?? {}) as GlobalState;
  }

  private async forward(attr: string, value: number, nowMs: number): Promise<boolean> {
    const out = this.m.update(this.table, WATERMARK_PK, GLOBAL_SK, (old) => {
      const have = old?.[attr];
      if (typeof have === 'number' && !(have < value)) return undefined;
      return { pk: WATERMARK_PK, sk: GLOBAL_SK, ...old, [attr]: value, updatedAt: nowMs };
    });
    return out === 'written';
  }

  advanceWatermark(watermark: number, nowMs: number): Promise<boolean> {
    return this.forward('watermark', watermark, nowMs);
  }

  advanceCloseCursor(closedThrough: number, nowMs: number): Promise<boolean> {
    return this.forward('closedThrough', closedThrough, nowMs);
  }

  async renewCloserRun(startedAt: number, runUntil: number): Promise<boolean> {
    const out = this.m.update(this.table, WATERMARK_PK, GLOBAL_SK, (old) =>
      old?.closerRunStartedAt === startedAt ? { ...old, closerRunUntil: runUntil } : undefined,
    );
    return out === 'written';
  }

  /** ControlStore.claimCloserRun's condition on the model. */
  async claimCloserRun(c: RunClaim): Promise<boolean> {
    const out = this.m.update(this.table, WATERMARK_PK, GLOBAL_SK, (old) => {
      const owner = old?.closerRunStartedAt;
      const until = old?.closerRunUntil;
      const free =
        typeof owner !== 'number' ||
        (owner < c.startedAt && (typeof until !== 'number' || until <= c.handoverAt));
      if (!free) return undefined;
      return {
        pk: WATERMARK_PK,
        sk: GLOBAL_SK,
        ...old,
        closerRunStartedAt: c.startedAt,
        closerRunUntil: c.runUntil,
      };
    });
    return out === 'written';
  }
}

const BATCH_WRITE_MAX = 25;

export class RejectsModel implements RejectsPort {
  constructor(
    private readonly m: DynamoModel,
    private readonly table: string,
  ) {}

  async put(rejects: readonly RejectItem[]): Promise<void> {
    // One BatchWriteItem per 25 items: one round trip, every item metered on its own key.
    for (let i = 0; i < rejects.length; i += BATCH_WRITE_MAX) {
      const chunk = rejects.slice(i, i + BATCH_WRITE_MAX);
      await this.m.concurrently(chunk, BATCH_WRITE_MAX, async (r) => {
        this.m.put(this.table, r as unknown as Item);
      });
    }
  }
}
