/**
 * The global watermark from per-shard progress (pure).
 *
 * A shard's watermark is its max event time minus the allowed lateness; the
 * global watermark is the minimum over the shards that can still deliver
 * records. Which shards those are:
 *  - an idle shard (caught up, and no batch for the idle timeout) does not
 *    count, as with Flink's idleness: otherwise a shard without traffic would
 *    hold every window open forever;
 *  - a closed parent shard counts until it is drained: one of its children
 *    has reported (Lambda reads a parent to its end before its children), or
 *    it went idle;
 *  - a child that has not reported yet inherits its parents' progress, so a
 *    reshard does not make the watermark jump past records still in flight;
 *  - when no shard counts any more, the stream is quiet: every shard is caught
 *    up, nothing is in flight, so event time is taken to follow processing
 *    time and the watermark is now − lateness. This is what closes the last
 *    windows after traffic stops. It is processing time only, not the max
 *    event time seen: a producer stamping ahead of this clock (up to
 *    maxFutureSkewMs is accepted) must not drag the watermark into the future
 *    and make the next minutes of correctly stamped records late; its windows
 *    close when real time gets there. Going past the last event seen is
 *    harmless: the windows after it are empty (nothing to write), the close
 *    cursor keeps up with real time (no catch-up burst after a long pause),
 *    and a record stamped before now − lateness that arrives later is late, as
 *    it would be on a live stream.
 * The store only ever moves the stored watermark forward (conditional write).
 */
import type { ShardProgressItem } from './table-layout';

export interface ShardLineage {
  shardId: string;
  parentShardId?: string;
  adjacentParentShardId?: string;
  /** has an EndingSequenceNumber: resharded away */
  closed: boolean;
}

export interface WatermarkSettings {
  allowedLatenessMs: number;
  idleTimeoutMs: number;
  caughtUpIteratorAgeMs: number;
}

export type ShardStatus = 'live' | 'idle' | 'drained' | 'silent';

export interface WatermarkResult {
  /** undefined when no shard has ever reported */
  watermark: number | undefined;
  /** per shard, why it counts or not (for logs and tests) */
  status: Record<string, ShardStatus>;
  quiet: boolean;
}

interface Progress {
  maxEventTime: number;
  lastSeenAt: number;
  lastIteratorAgeMs: number;
  lastBatchPartial?: boolean;
}

export function computeGlobalWatermark(
  progress: readonly ShardProgressItem[],
  lineage: readonly ShardLineage[] | undefined,
  nowMs: number,
  s: WatermarkSettings,
): WatermarkResult {
  const reported = new Map<string, Progress>();
  for (const p of progress) reported.set(p.shardId, p);
  if (reported.size === 0) return { watermark: undefined, status: {}, quiet: true };

  const shards = new Map<string, ShardLineage>();
  for (const l of lineage ?? []) shards.set(l.shardId, l);
  for (const id of reported.keys())
    if (!shards.has(id)) shards.set(id, { shardId: id, closed: false });

  const parentsOf = (l: ShardLineage): string[] =>
    [l.parentShardId, l.adjacentParentShardId].filter((x): x is string => x !== undefined);
  const childReported = new Set<string>();
  for (const l of shards.values()) {
    if (reported.has(l.shardId)) for (const p of parentsOf(l)) childReported.add(p);
  }

  /** A shard's own progress, or what it inherits from its parents until it reports. */
  const progressOf = (id: string, depth = 0): Progress | undefined => {
    const own = reported.get(id);
    if (own !== undefined) return own;
    const l = shards.get(id);
    if (l === undefined || depth > 32) return undefined;
    const inherited = parentsOf(l)
      .map((p) => progressOf(p, depth + 1))
      .filter((x): x is Progress => x !== undefined);
    if (inherited.length === 0) return undefined;
    return {
      maxEventTime: Math.min(...inherited.map((x) => x.maxEventTime)),
      lastSeenAt: Math.max(...inherited.map((x) => x.lastSeenAt)),
      lastIteratorAgeMs: 0,
    };
  };

  // Caught up: the last batch was read near the tip (small iterator age), or it was not full, so
  // the consumer had read all there was. The second matters when a backlog was drained and the
  // stream then went quiet: the last batch's age stays large forever, as no batch follows it.
  // A full batch far behind means more records were waiting: such a shard keeps counting.
  const isIdle = (p: Progress): boolean =>
    nowMs - p.lastSeenAt >= s.idleTimeoutMs &&
    (p.lastIteratorAgeMs <= s.caughtUpIteratorAgeMs || p.lastBatchPartial === true);

  const status: Record<string, ShardStatus> = {};
  let min = Infinity;
  for (const l of shards.values()) {
    const p = progressOf(l.shardId);
    if (p === undefined) {
      status[l.shardId] = 'silent';
      continue;
    }
    if (l.closed && childReported.has(l.shardId)) {
      status[l.shardId] = 'drained';
    } else if (isIdle(p)) {
      status[l.shardId] = 'idle';
    } else {
      status[l.shardId] = 'live';
      if (p.maxEventTime < min) min = p.maxEventTime;
    }
  }

  if (min !== Infinity) return { watermark: min - s.allowedLatenessMs, status, quiet: false };
  return { watermark: nowMs - s.allowedLatenessMs, status, quiet: true };
}
