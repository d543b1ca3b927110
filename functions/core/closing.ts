/**
 * Closing windows (the trigger), pure. A window closes when the global
 * watermark passes its end, in two levels (issue 15): each bucket's partials
 * are merged into one bucket final that names the partials it merged, then
 * the bucket finals into the window's final, which names the bucket finals.
 * A partial counts when both levels name it; every other partial of the
 * window is late — whenever it was written — so finals + late account for
 * every valid record exactly once, and no inclusion list grows with more
 * than one bucket's batches.
 */
import type {
  BucketFinalItem,
  FinalItem,
  PartialItem,
  ShardProgressItem,
  StoredGroups,
} from './table-layout';
import {
  BUCKET_FINAL_SK,
  FINAL_SK,
  GSI_FINAL,
  GSI_LATE,
  bucketOf,
  bucketPk,
  windowPk,
} from './table-layout';
import { aggregatesOf, mergeAll, toStoredGroups } from './partials';

export interface VisitPlan {
  /** window starts to close now, ascending */
  windowStarts: number[];
  /** the close cursor after visiting them */
  closedThrough: number | undefined;
}

/**
 * Windows to close now: those with open partials (the shards' open-window
 * sets) whose end the watermark passed and the cursor has not, oldest first,
 * at most `maxWindows` so one tick stays short. The cursor then jumps to the
 * last window end at or below the watermark — over empty time, however long
 * — or, when windows were left for the next tick, to the end of the last one
 * visited.
 */
export function windowsToClose(
  openWindows: Iterable<number>,
  cursor: number | undefined,
  watermark: number | undefined,
  sizeMs: number,
  maxWindows: number,
): VisitPlan {
  if (watermark === undefined) return { windowStarts: [], closedThrough: cursor };
  const due = [...new Set(openWindows)]
    .filter((s) => (cursor === undefined || s >= cursor) && s + sizeMs <= watermark)
    .sort((a, b) => a - b);
  const windowStarts = due.slice(0, maxWindows);
  const lastStart = windowStarts[windowStarts.length - 1];
  const reached =
    due.length > maxWindows && lastStart !== undefined
      ? lastStart + sizeMs
      : Math.floor(watermark / sizeMs) * sizeMs;
  return {
    windowStarts,
    closedThrough: cursor === undefined ? reached : Math.max(cursor, reached),
  };
}

/** Entries of an open-window set that the cursor has passed: closed, or late by definition. */
export function passedWindows(
  openWindows: Iterable<number>,
  closedThrough: number | undefined,
  sizeMs: number,
): number[] {
  if (closedThrough === undefined) return [];
  return [...openWindows].filter((s) => s + sizeMs <= closedThrough);
}

const isFlaggedLate = (p: Pick<PartialItem, 'gsiPk'>): boolean => p.gsiPk === GSI_LATE;

/** What late detection needs of a partial (the closer's recheck reads only these attributes). */
export type PartialKeys = Pick<PartialItem, 'pk' | 'sk' | 'windowStart' | 'records' | 'gsiPk'>;

const bySk = (a: { sk: string }, b: { sk: string }) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0);
const byPk = (a: { pk: string }, b: { pk: string }) => (a.pk < b.pk ? -1 : a.pk > b.pk ? 1 : 0);

/** The buckets that hold on-time partials of a window: those of the shards that reported it open. */
export function bucketsOf(
  progress: readonly Pick<ShardProgressItem, 'shardId' | 'openWindows'>[],
  windowStart: number,
): number[] {
  const buckets = new Set<number>();
  for (const p of progress) if (p.openWindows?.has(windowStart)) buckets.add(bucketOf(p.shardId));
  return [...buckets].sort((a, b) => a - b);
}

/**
 * The first level: one bucket's partials present now, merged, or undefined
 * when there is nothing to merge. Partials the consumer already knew to be
 * late stay out.
 */
export function buildBucketFinal(
  windowStart: number,
  bucket: number,
  sizeMs: number,
  partials: readonly PartialItem[],
  nowMs: number,
): BucketFinalItem | undefined {
  const merged = partials.filter((p) => !isFlaggedLate(p)).sort(bySk);
  if (merged.length === 0) return undefined;
  return {
    pk: bucketPk(windowStart, bucket),
    sk: BUCKET_FINAL_SK,
    windowStart,
    windowEnd: windowStart + sizeMs,
    bucket,
    records: merged.reduce((n, p) => n + p.records, 0),
    included: merged.map((p) => p.sk),
    closedAt: nowMs,
    ...toStoredGroups(mergeAll(merged.map(aggregatesOf))),
  };
}

/** The second level: the window's final from its bucket finals, or undefined when there are none. */
export function buildFinal(
  windowStart: number,
  sizeMs: number,
  bucketFinals: readonly (StoredGroups & Pick<BucketFinalItem, 'pk' | 'records'>)[],
  watermark: number,
  nowMs: number,
): FinalItem | undefined {
  const merged = [...bucketFinals].sort(byPk);
  if (merged.length === 0) return undefined;
  return {
    pk: windowPk(windowStart),
    sk: FINAL_SK,
    windowStart,
    windowEnd: windowStart + sizeMs,
    records: merged.reduce((n, b) => n + b.records, 0),
    included: merged.map((b) => b.pk),
    closedAt: nowMs,
    watermark,
    ...toStoredGroups(mergeAll(merged.map(aggregatesOf))),
    gsiPk: GSI_FINAL,
    gsiSk: windowStart,
  };
}

type Included = Pick<FinalItem, 'included'> | undefined;

/** A partial counts in its window's final when its bucket final names it and the final names its bucket. */
export function isCounted(
  p: Pick<PartialItem, 'pk' | 'sk'>,
  bucketFinal: Included,
  final: Included,
): boolean {
  // Array.from: a list, or a string set as some writers store it
  const named = (f: Included, key: string) => Array.from(f?.included ?? []).includes(key);
  return named(final, p.pk) && named(bucketFinal, p.sk);
}

/** Partials of one closed window's bucket that its finals do not count: late. */
export function latePartials<P extends Pick<PartialItem, 'pk' | 'sk'>>(
  bucketFinal: Included,
  final: Included,
  partials: readonly P[],
): P[] {
  const inFinal = new Set(Array.from(final?.included ?? []));
  const inBucket = new Set(Array.from(bucketFinal?.included ?? []));
  return partials.filter((p) => !(inFinal.has(p.pk) && inBucket.has(p.sk)));
}

/** Late partials not yet in the LATE index: the closer flags them. */
export function lateToFlag<P extends Pick<PartialItem, 'pk' | 'sk' | 'gsiPk'>>(
  bucketFinal: Included,
  final: Included,
  partials: readonly P[],
): P[] {
  return latePartials(bucketFinal, final, partials).filter((p) => !isFlaggedLate(p));
}

/**
 * Buckets of closed windows to re-check for partials that raced their
 * close: a shard still reports a window the cursor had passed, so its
 * consumer wrote on-time partials there after reading a cursor that had not
 * moved yet. Only within `horizonMs` behind the cursor (the consumer's
 * timeout bounds how late such a write comes).
 */
export function racedBuckets(
  progress: readonly Pick<ShardProgressItem, 'shardId' | 'openWindows'>[],
  closedThrough: number | undefined,
  horizonMs: number,
  sizeMs: number,
): Array<{ windowStart: number; bucket: number }> {
  if (closedThrough === undefined) return [];
  const found = new Map<string, { windowStart: number; bucket: number }>();
  for (const p of progress) {
    for (const start of p.openWindows ?? []) {
      if (start + sizeMs > closedThrough || start < closedThrough - horizonMs) continue;
      const bucket = bucketOf(p.shardId);
      found.set(`${start}#${bucket}`, { windowStart: start, bucket });
    }
  }
  return [...found.values()].sort((a, b) => a.windowStart - b.windowStart || a.bucket - b.bucket);
}

/** The running value of an open window: the merge of its partials. */
export function provisional(partials: readonly PartialItem[]) {
  return mergeAll(partials.map(aggregatesOf));
}
