/**
 * Kinesis hash-key arithmetic (pure): which open shard a record lands on, the
 * uniform hash ranges UpdateShardCount aims for, and the next split or merge
 * that moves a stream's open shards towards them.
 */
import { createHash } from 'node:crypto';

export const HASH_SPACE = 1n << 128n;

export interface ShardRange {
  shardId: string;
  start: bigint;
  end: bigint;
}

/** Partition keys repeat (users, devices): their hashes are kept, up to this many. */
const HASH_CACHE_SIZE = 100_000;
const hashCache = new Map<string, bigint>();

/** MD5 of the partition key as a 128-bit big-endian integer, or the ExplicitHashKey. */
export function recordHashKey(partitionKey: string, explicitHashKey?: string): bigint {
  if (explicitHashKey !== undefined) return BigInt(explicitHashKey);
  let h = hashCache.get(partitionKey);
  if (h === undefined) {
    h = BigInt('0x' + createHash('md5').update(partitionKey, 'utf8').digest('hex'));
    if (hashCache.size >= HASH_CACHE_SIZE) hashCache.clear();
    hashCache.set(partitionKey, h);
  }
  return h;
}

/** Open shards sorted by StartingHashKey; binary search. */
export function shardFor(openShards: readonly ShardRange[], hash: bigint): ShardRange | undefined {
  let lo = 0;
  let hi = openShards.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = openShards[mid]!;
    if (hash < s.start) hi = mid - 1;
    else if (hash > s.end) lo = mid + 1;
    else return s;
  }
  return undefined;
}

/** Starting hash keys of `count` uniform shards, as AWS lays them out: floor(i * 2^128 / count). */
export function uniformStarts(count: number): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) out.push((BigInt(i) * HASH_SPACE) / BigInt(count));
  return out;
}

export type ReshardStep =
  | { kind: 'split'; shardId: string; newStartingHashKey: bigint }
  | { kind: 'merge'; shardId: string; adjacentShardId: string }
  | { kind: 'done' };

/**
 * The next emulator operation towards `target` uniform shards: first split
 * every open shard at each target boundary strictly inside it, then merge
 * neighbours that lie inside the same target range. Repeating this until
 * 'done' gives the target ranges with AWS's lineage (split children name
 * their ParentShardId, merge children also their AdjacentParentShardId).
 */
export function nextReshardStep(open: readonly ShardRange[], target: number): ReshardStep {
  const sorted = [...open].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const starts = uniformStarts(target);
  for (const s of sorted) {
    // kinesalite (like AWS) needs start + 1 < key < end
    const b = starts.find((k) => k > s.start + 1n && k < s.end);
    if (b !== undefined) return { kind: 'split', shardId: s.shardId, newStartingHashKey: b };
  }
  const rangeOf = (hash: bigint): number => {
    let ix = 0;
    for (let i = 0; i < starts.length; i++) if (starts[i]! <= hash) ix = i;
    return ix;
  };
  for (let i = 0; i + 1 < sorted.length; i++) {
    const a = sorted[i]!;
    const b = sorted[i + 1]!;
    if (rangeOf(a.start) === rangeOf(b.start) && a.end + 1n === b.start) {
      return { kind: 'merge', shardId: a.shardId, adjacentShardId: b.shardId };
    }
  }
  return { kind: 'done' };
}

/** Bytes of a base64 string once decoded, without decoding it. */
export function base64DecodedLength(b64: string): number {
  const len = b64.length;
  if (len === 0) return 0;
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.floor((len * 3) / 4) - pad;
}
