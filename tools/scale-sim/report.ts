/**
 * What the scale simulation reports (pure): the figures issue 15 names, and
 * the largest rate the design holds. Every per-key load and item size of a
 * key class (all window partitions are one class, W#N) is fitted as a line
 * through two runs at different shard counts; the rate at which the first
 * line reaches its AWS limit (or the closer's tick outgrows its interval) is
 * where the design stops holding.
 */
import type { ClassPeak, PartitionLimits } from './dynamo-model';
import type { SimulationResult } from './simulate';

export interface ScaleJson {
  recordsPerSecond: number;
  shards: number;
  maxPartitionWcuPerSecond: number;
  maxPartitionRcuPerSecond: number;
  maxItemBytes: number;
  maxCloseMs: number;
  lambdaConcurrency: number;
  exact: boolean;
  hottestWriteKey: string;
  hottestReadKey: string;
  largestItem: string;
  throttledRequests: number;
  retriedBatches: number;
  writeUnitsPer1000Records: number;
  readUnitsPer1000Records: number;
  windowsClosed: number;
  finalRecords: number;
  lateRecords: number;
  rejects: number;
  differences: string[];
  maxRate?: MaxRate;
}

export interface MaxRate {
  recordsPerSecond: number;
  /** the limit reached first, and on what */
  limit: string;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function toJson(r: SimulationResult): ScaleJson {
  const { stats, exactness: e } = r;
  return {
    recordsPerSecond: r.options.shards * r.options.recordsPerShardPerSecond,
    shards: r.options.shards,
    maxPartitionWcuPerSecond: stats.maxWcuPerSecond.units,
    maxPartitionRcuPerSecond: stats.maxRcuPerSecond.units,
    maxItemBytes: stats.maxItem.bytes,
    maxCloseMs: Math.round(r.maxCloseMs),
    lambdaConcurrency: r.lambdaConcurrency,
    exact: e.exact && r.backloggedShards === 0,
    hottestWriteKey: stats.maxWcuPerSecond.key,
    hottestReadKey: stats.maxRcuPerSecond.key,
    largestItem: stats.maxItem.key,
    throttledRequests: stats.throttled,
    retriedBatches: r.retriedBatches,
    writeUnitsPer1000Records: round2((stats.writeUnits / r.records) * 1000),
    readUnitsPer1000Records: round2((stats.readUnits / r.records) * 1000),
    windowsClosed: r.windowsClosed,
    finalRecords: e.finalRecords,
    lateRecords: e.lateRecords,
    rejects: r.rejects,
    differences: e.differences,
  };
}

/** Shards at which a line through (x1, y1), (x2, y2) reaches `limit`; Infinity when it does not grow. */
function reach(x1: number, y1: number, x2: number, y2: number, limit: number): number {
  const slope = (y2 - y1) / (x2 - x1);
  if (!(slope > 0)) return y2 > limit ? 0 : Infinity;
  return x2 + (limit - y2) / slope;
}

/** The largest rate before a limit, from a smaller run `a` and a larger run `b` of the same design. */
export function maxRate(
  a: SimulationResult,
  b: SimulationResult,
  limits: PartitionLimits,
): MaxRate {
  const perShard = b.options.recordsPerShardPerSecond;
  const xa = a.options.shards;
  const xb = b.options.shards;
  let best = { shards: Infinity, limit: 'none reached' };
  const consider = (shards: number, limit: string) => {
    if (shards < best.shards) best = { shards, limit };
  };
  const zero: ClassPeak = { wcu: 0, rcu: 0, itemBytes: 0 };
  for (const [cls, pb] of b.stats.byClass) {
    const pa = a.stats.byClass.get(cls) ?? zero;
    consider(
      reach(xa, pa.wcu, xb, pb.wcu, limits.wcuPerSecond),
      `${limits.wcuPerSecond} WCU/s on ${cls}`,
    );
    consider(
      reach(xa, pa.rcu, xb, pb.rcu, limits.rcuPerSecond),
      `${limits.rcuPerSecond} RCU/s on ${cls}`,
    );
    consider(
      reach(xa, pa.itemBytes, xb, pb.itemBytes, limits.maxItemBytes),
      `${limits.maxItemBytes}-byte items in ${cls}`,
    );
  }
  const tickMs = b.options.config.closer.tickSeconds * 1000;
  consider(reach(xa, a.maxCloseMs, xb, b.maxCloseMs, tickMs), `the closer's ${tickMs} ms tick`);
  const shards = Math.max(0, Math.floor(best.shards));
  return {
    recordsPerSecond: Number.isFinite(best.shards) ? shards * perShard : Infinity,
    limit: best.limit,
  };
}
