/**
 * The merge plan: what the consumer writes for one batch of one shard.
 *
 * One partial item per (batch, window), keyed by the batch's first sequence
 * number. A retried batch (same records, same boundaries) yields the same
 * keys and the same aggregates, and the store writes each key only if
 * absent, so a replay adds nothing; concurrent lanes of one shard own
 * disjoint batches and so disjoint keys. See docs/correctness.md.
 */
import type {
  PartialItem,
  RejectItem,
  RejectReason,
  WindowAggregates,
} from '../store/table-layout';
import { GSI_LATE, partialSk, rejectPk, rejectSk, windowPk } from '../store/table-layout';
import { decodeRecord } from './event-schema';
import { addEvent, emptyAggregates } from './partials';
import type { WindowAssigner } from './windows';

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
  /** The mapping's batch size: a smaller batch means the consumer read everything there was. */
  batchSize?: number;
}

/** The shard's progress after this batch (the store applies it forward-only). */
export interface ProgressUpdate {
  shardId: string;
  /** undefined when the batch held no valid record */
  maxEventTime: number | undefined;
  minEventTime: number | undefined;
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
}

const utf8 = new TextDecoder('utf-8');

function truncatedRaw(data: Uint8Array, maxBytes: number): { raw: string; truncated: boolean } {
  if (data.byteLength <= maxBytes) return { raw: utf8.decode(data), truncated: false };
  // Decoding a cut multi-byte sequence yields U+FFFD at the end: harmless for an excerpt.
  return { raw: utf8.decode(data.subarray(0, maxBytes)), truncated: true };
}

export function planBatch(records: readonly KinesisRecordLike[], ctx: PlanContext): BatchPlan {
  const first = records[0];
  const last = records[records.length - 1];
  if (first === undefined || last === undefined)
    throw new Error('planBatch needs at least one record');
  const shardId = first.shardId;
  const windows = new Map<number, WindowAccumulator>();
  const rejects: RejectItem[] = [];
  const rejectsByReason: Partial<Record<RejectReason, number>> = {};
  let maxEventTime: number | undefined;
  let minEventTime: number | undefined;
  let newestArrival = -Infinity;
  let valid = 0;
  const limits = { maxFutureSkewMs: ctx.maxFutureSkewMs };

  for (const r of records) {
    if (r.shardId !== shardId)
      throw new Error(`a batch holds one shard's records (${shardId} and ${r.shardId})`);
    if (r.arrivalMs > newestArrival) newestArrival = r.arrivalMs;
    const decoded = decodeRecord(r.data, ctx.nowMs, limits);
    if (!decoded.ok) {
      rejectsByReason[decoded.reason] = (rejectsByReason[decoded.reason] ?? 0) + 1;
      const { raw, truncated } = truncatedRaw(r.data, ctx.rejectRawMaxBytes);
      rejects.push({
        pk: rejectPk(r.arrivalMs),
        sk: rejectSk(r.shardId, r.sequenceNumber),
        shardId: r.shardId,
        sequenceNumber: r.sequenceNumber,
        partitionKey: r.partitionKey,
        arrivalMs: r.arrivalMs,
        reason: decoded.reason,
        detail: decoded.detail,
        raw,
        truncated,
      });
      continue;
    }
    valid += 1;
    const e = decoded.event;
    const t = e.eventTimeMs;
    if (maxEventTime === undefined || t > maxEventTime) maxEventTime = t;
    if (minEventTime === undefined || t < minEventTime) minEventTime = t;
    const w = ctx.windows.assign(t);
    let acc = windows.get(w.start);
    if (acc === undefined) {
      acc = {
        start: w.start,
        end: w.end,
        agg: emptyAggregates(),
        records: 0,
        firstArrivalMs: r.arrivalMs,
      };
      windows.set(w.start, acc);
    }
    addEvent(acc.agg, e);
    acc.records += 1;
    if (r.arrivalMs < acc.firstArrivalMs) acc.firstArrivalMs = r.arrivalMs;
  }

  const sk = partialSk(shardId, first.sequenceNumber);
  let late = 0;
  const partials: PartialItem[] = [];
  for (const acc of [...windows.values()].sort((a, b) => a.start - b.start)) {
    const isLate = ctx.closedThrough !== undefined && acc.end <= ctx.closedThrough;
    if (isLate) late += acc.records;
    partials.push({
      pk: windowPk(acc.start),
      sk,
      windowStart: acc.start,
      windowEnd: acc.end,
      shardId,
      firstSequenceNumber: first.sequenceNumber,
      lastSequenceNumber: last.sequenceNumber,
      records: acc.records,
      writtenAt: ctx.nowMs,
      firstArrivalMs: acc.firstArrivalMs,
      courses: acc.agg.courses,
      crashes: acc.agg.crashes,
      ...(isLate ? { gsiPk: GSI_LATE, gsiSk: acc.start } : {}),
    });
  }

  return {
    partials,
    rejects,
    progress: {
      shardId,
      maxEventTime,
      minEventTime,
      lastSequenceNumber: last.sequenceNumber,
      lastSeenAt: ctx.nowMs,
      iteratorAgeMs: Math.max(0, ctx.nowMs - newestArrival),
      partialBatch: ctx.batchSize !== undefined && records.length < ctx.batchSize,
    },
    counts: { records: records.length, valid, rejected: rejects.length, late, rejectsByReason },
  };
}
