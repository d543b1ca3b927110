/**
 * The merge plan: what the consumer writes for one batch of one shard.
 *
 * One partial item per (batch, window), keyed by the batch's first sequence
 * number, in the window's partition of the shard's bucket (table-layout.ts). A retried batch (same records, same boundaries) yields the same
 * keys and the same aggregates, and the store writes each key only if
 * absent, so a replay adds nothing; concurrent lanes of one shard own
 * disjoint batches and so disjoint keys. See docs/correctness.md.
 *
 * A partial is late on arrival when its window is at or below the close
 * cursor the consumer read, or when the window ended more than the late
 * horizon before its records arrived (a function of the records alone, so a
 * retry a day later decides the same). Windows of partials that are not late
 * are reported in the shard's progress: the closer visits only those.
 */
import type { PartialItem, RejectItem, RejectReason } from './table-layout';
import { GSI_LATE, bucketOf, bucketPk, partialSk, rejectPk, rejectSk } from './table-layout';
import type { ValidEvent } from './event';
import { decodeRecord, wellFormed } from './event-schema';
import { addEvent, emptyAggregates, toStoredGroups, type WindowAggregates } from './partials';
import type { Window, WindowAssigner } from './windows';

/** A Kinesis record as the handler decodes it from the Lambda event. */
export interface KinesisRecordLike {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  data: Uint8Array;
  /** approximateArrivalTimestamp, epoch ms */
  arrivalMs: number;
}

export interface PlanContext {
  nowMs: number;
  /** Close cursor read at batch start: windows ending at or before it are closed. */
  closedThrough: number | undefined;
  windows: WindowAssigner;
  maxFutureSkewMs: number;
  rejectRawMaxBytes: number;
  /** A window that ended this long before its records arrived is late on arrival. */
  lateHorizonMs: number;
  /** The mapping's batch size: a smaller batch means the consumer read everything there was. */
  batchSize?: number;
}

/** The shard's progress after this batch (the store applies it forward-only). */
export interface ProgressUpdate {
  shardId: string;
  /** undefined when the batch held no valid record that was not late on arrival */
  maxEventTime: number | undefined;
  minEventTime: number | undefined;
  /** starts of the windows this batch wrote partials for that were not late: the closer visits them */
  openWindowStarts: number[];
  lastSequenceNumber: string;
  lastSeenAt: number;
  /** now - arrival of the batch's newest record, as Lambda's IteratorAge */
  iteratorAgeMs: number;
  /** fewer records than the batch size: caught up when the batch was read, whatever its age */
  partialBatch: boolean;
}

export interface BatchCounts {
  records: number;
  valid: number;
  rejected: number;
  late: number;
  rejectsByReason: Partial<Record<RejectReason, number>>;
}

export interface BatchPlan {
  partials: PartialItem[];
  rejects: RejectItem[];
  progress: ProgressUpdate;
  counts: BatchCounts;
}

interface WindowAccumulator {
  start: number;
  end: number;
  agg: WindowAggregates;
  records: number;
  firstArrivalMs: number;
  minEventTime: number;
  maxEventTime: number;
}

/** What one record contributes: an event in a window, or a reject. */
type RecordOutcome =
  | { ok: true; event: ValidEvent; window: Window }
  | { ok: false; reason: RejectReason; detail: string };

const utf8 = new TextDecoder('utf-8');
const DETAIL_MAX_CHARS = 200;

function truncatedRaw(data: Uint8Array, maxBytes: number): { raw: string; truncated: boolean } {
  if (data.byteLength <= maxBytes) return { raw: utf8.decode(data), truncated: false };
  // Decoding a cut multi-byte sequence yields U+FFFD at the end: harmless for an excerpt.
  return { raw: utf8.decode(data.subarray(0, maxBytes)), truncated: true };
}

/**
 * Decode, validate and place one record. Any error its data provokes (in
 * this code or below it) is that record's reject, never its batch's failure:
 * a thrown error would make Lambda retry the same batch forever and stop the
 * shard. Nothing is changed until this returns, so a failing record leaves
 * no trace in the aggregates.
 */
function planRecord(r: KinesisRecordLike, ctx: PlanContext): RecordOutcome {
  try {
    const decoded = decodeRecord(r.data, r.arrivalMs, { maxFutureSkewMs: ctx.maxFutureSkewMs });
    if (!decoded.ok) return decoded;
    return {
      ok: true,
      event: decoded.event,
      window: ctx.windows.assign(decoded.event.eventTimeMs),
    };
  } catch (err) {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return {
      ok: false,
      reason: 'unprocessable',
      detail: wellFormed(`the consumer failed on this record: ${message}`).slice(
        0,
        DETAIL_MAX_CHARS,
      ),
    };
  }
}

function rejectItem(
  r: KinesisRecordLike,
  outcome: { reason: RejectReason; detail: string },
  rawMaxBytes: number,
): RejectItem {
  const { raw, truncated } = truncatedRaw(r.data, rawMaxBytes);
  return {
    pk: rejectPk(r.arrivalMs, bucketOf(r.shardId)),
    sk: rejectSk(r.shardId, r.sequenceNumber),
    shardId: r.shardId,
    sequenceNumber: r.sequenceNumber,
    partitionKey: r.partitionKey,
    arrivalMs: r.arrivalMs,
    reason: outcome.reason,
    detail: outcome.detail,
    raw,
    truncated,
  };
}

/** The batch's valid records grouped by window, and its rejects. */
interface BatchContents {
  windows: Map<number, WindowAccumulator>;
  rejects: RejectItem[];
  rejectsByReason: Partial<Record<RejectReason, number>>;
  valid: number;
}

function collect(records: readonly KinesisRecordLike[], ctx: PlanContext): BatchContents {
  const c: BatchContents = {
    windows: new Map(),
    rejects: [],
    rejectsByReason: {},
    valid: 0,
  };
  for (const r of records) {
    const outcome = planRecord(r, ctx);
    if (!outcome.ok) {
      c.rejectsByReason[outcome.reason] = (c.rejectsByReason[outcome.reason] ?? 0) + 1;
      c.rejects.push(rejectItem(r, outcome, ctx.rejectRawMaxBytes));
      continue;
    }
    const { event: e, window: w } = outcome;
    const t = e.eventTimeMs;
    c.valid += 1;
    let acc = c.windows.get(w.start);
    if (acc === undefined) {
      acc = {
        ...w,
        agg: emptyAggregates(),
        records: 0,
        firstArrivalMs: r.arrivalMs,
        minEventTime: t,
        maxEventTime: t,
      };
      c.windows.set(w.start, acc);
    }
    addEvent(acc.agg, e);
    acc.records += 1;
    acc.firstArrivalMs = Math.min(acc.firstArrivalMs, r.arrivalMs);
    acc.minEventTime = Math.min(acc.minEventTime, t);
    acc.maxEventTime = Math.max(acc.maxEventTime, t);
  }
  return c;
}

/** Late on arrival: below the cursor the consumer read, or beyond the late horizon. */
function isLateOnArrival(acc: WindowAccumulator, ctx: PlanContext): boolean {
  const closed = ctx.closedThrough !== undefined && acc.end <= ctx.closedThrough;
  return closed || acc.end <= acc.firstArrivalMs - ctx.lateHorizonMs;
}

export function planBatch(records: readonly KinesisRecordLike[], ctx: PlanContext): BatchPlan {
  const first = records[0];
  const last = records[records.length - 1];
  if (first === undefined || last === undefined)
    throw new Error('planBatch needs at least one record');
  const shardId = first.shardId;
  const stranger = records.find((r) => r.shardId !== shardId);
  if (stranger)
    throw new Error(`a batch holds one shard's records (${shardId} and ${stranger.shardId})`);
  const c = collect(records, ctx);

  const sk = partialSk(shardId, first.sequenceNumber);
  const bucket = bucketOf(shardId);
  let late = 0;
  const partials: PartialItem[] = [];
  const open: WindowAccumulator[] = [];
  for (const acc of [...c.windows.values()].sort((a, b) => a.start - b.start)) {
    const isLate = isLateOnArrival(acc, ctx);
    if (isLate) late += acc.records;
    else open.push(acc);
    partials.push({
      pk: bucketPk(acc.start, bucket),
      sk,
      windowStart: acc.start,
      windowEnd: acc.end,
      bucket,
      shardId,
      firstSequenceNumber: first.sequenceNumber,
      lastSequenceNumber: last.sequenceNumber,
      records: acc.records,
      writtenAt: ctx.nowMs,
      firstArrivalMs: acc.firstArrivalMs,
      ...toStoredGroups(acc.agg),
      ...(isLate ? { gsiPk: GSI_LATE, gsiSk: acc.start } : {}),
    });
  }
  const newestArrival = records.reduce((m, r) => Math.max(m, r.arrivalMs), -Infinity);
  return {
    partials,
    rejects: c.rejects,
    progress: {
      shardId,
      // Late records say nothing about where the shard is in event time.
      maxEventTime: open.length > 0 ? Math.max(...open.map((a) => a.maxEventTime)) : undefined,
      minEventTime: open.length > 0 ? Math.min(...open.map((a) => a.minEventTime)) : undefined,
      openWindowStarts: open.map((a) => a.start),
      lastSequenceNumber: last.sequenceNumber,
      lastSeenAt: ctx.nowMs,
      iteratorAgeMs: Math.max(0, ctx.nowMs - newestArrival),
      partialBatch: ctx.batchSize !== undefined && records.length < ctx.batchSize,
    },
    counts: {
      records: records.length,
      valid: c.valid,
      rejected: c.rejects.length,
      late,
      rejectsByReason: c.rejectsByReason,
    },
  };
}
