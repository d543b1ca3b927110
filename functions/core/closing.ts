/**
 * Closing windows (the trigger), pure. A window closes when the global
 * watermark passes its end: its partials are merged into one final that
 * also names the partials it merged (`included`). A partial of the window
 * that the final does not name is late — whenever it was written — so
 * finals + late account for every valid record exactly once.
 */
import type { FinalItem, PartialItem } from './table-layout';
import { FINAL_SK, GSI_FINAL, GSI_LATE, windowPk } from './table-layout';
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

/**
 * The final of one window from the partials present now, or undefined when
 * there is nothing to merge. Partials the consumer already knew to be late
 * stay out.
 */
export function buildFinal(
  windowStart: number,
  sizeMs: number,
  partials: readonly PartialItem[],
  watermark: number,
  nowMs: number,
): FinalItem | undefined {
  const merged = partials
    .filter((p) => !isFlaggedLate(p))
    .sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));
  if (merged.length === 0) return undefined;
  const agg = mergeAll(merged.map(aggregatesOf));
  return {
    pk: windowPk(windowStart),
    sk: FINAL_SK,
    windowStart,
    windowEnd: windowStart + sizeMs,
    records: merged.reduce((n, p) => n + p.records, 0),
    included: merged.map((p) => p.sk),
    closedAt: nowMs,
    watermark,
    ...toStoredGroups(agg),
    gsiPk: GSI_FINAL,
    gsiSk: windowStart,
  };
}

/** Partials of a closed window that its final does not include: late. */
export function latePartials<P extends Pick<PartialItem, 'sk'>>(
  final: Pick<FinalItem, 'included'> | undefined,
  partials: readonly P[],
): P[] {
  const included = new Set(final?.included ?? []);
  return partials.filter((p) => !included.has(p.sk));
}

/** Late partials not yet in the LATE index: the closer flags them. */
export function lateToFlag<P extends Pick<PartialItem, 'sk' | 'gsiPk'>>(
  final: Pick<FinalItem, 'included'> | undefined,
  partials: readonly P[],
): P[] {
  return latePartials(final, partials).filter((p) => !isFlaggedLate(p));
}

/** Closed windows worth re-checking for partials that raced their close. */
export function windowsToRecheck(
  closedThrough: number | undefined,
  horizonMs: number,
  sizeMs: number,
): number[] {
  if (closedThrough === undefined) return [];
  const out: number[] = [];
  for (let s = closedThrough - sizeMs; s >= closedThrough - horizonMs; s -= sizeMs) out.push(s);
  return out;
}

/** The running value of an open window: the merge of its partials. */
export function provisional(partials: readonly PartialItem[]) {
  return mergeAll(partials.map(aggregatesOf));
}
