/**
 * Which shard a partition key goes to, as the KPL predicts it: MD5 of the
 * key as a 128-bit number, looked up in the open shards' hash key ranges
 * (ListShards). The map is refreshed when Kinesis puts a record on another
 * shard than predicted (a reshard happened), at most once per interval and
 * one ListShards walk at a time. Without a map (ListShards not allowed, say)
 * every key maps to one pseudo-shard, so the limiter learns the stream's
 * limit as a whole.
 */
import { createHash } from 'node:crypto';
import { ListShardsCommand, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';

export interface ShardRange {
  shardId: string;
  start: bigint;
  end: bigint;
}

/** The key every record maps to while no shard map is known. */
export const WHOLE_STREAM = 'stream';

export function hashKeyOf(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}

/** Open shards (no ending sequence number) as sorted hash key ranges. Pure. */
export function openShardRanges(shards: readonly Shard[]): ShardRange[] {
  return shards
    .filter((s) => s.ShardId && s.HashKeyRange && !s.SequenceNumberRange?.EndingSequenceNumber)
    .map((s) => ({
      shardId: s.ShardId!,
      start: BigInt(s.HashKeyRange!.StartingHashKey!),
      end: BigInt(s.HashKeyRange!.EndingHashKey!),
    }))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

/** The range holding `hash` (binary search over sorted ranges), or undefined. Pure. */
export function shardForHash(ranges: readonly ShardRange[], hash: bigint): string | undefined {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid]!;
    if (hash < r.start) hi = mid - 1;
    else if (hash > r.end) lo = mid + 1;
    else return r.shardId;
  }
  return undefined;
}

/** Partition keys repeat (users); hashing each once is enough, up to this many. */
const HASH_CACHE_SIZE = 50_000;

export interface ShardMapOptions {
  client: KinesisClient;
  streamName: string;
  minRefreshIntervalMs: number;
  now?: () => number;
  /** Called after each successful refresh with the open shards. */
  onChange?: (shardIds: string[]) => void;
}

export class ShardMap {
  private ranges: ShardRange[] = [];
  private readonly hashes = new Map<string, bigint>();
  private refreshing?: Promise<void>;
  private lastRefreshAt = -Infinity;
  private queued?: NodeJS.Timeout;
  /** Grows with every refresh that changed the map. */
  version = 0;
  /** The last refresh's error, if it failed (the map keeps its previous shards). */
  lastError: unknown;

  constructor(private readonly o: ShardMapOptions) {}

  get openShards(): string[] {
    return this.ranges.length > 0 ? this.ranges.map((r) => r.shardId) : [WHOLE_STREAM];
  }

  shardFor(partitionKey: string): string {
    if (this.ranges.length === 0) return WHOLE_STREAM;
    let h = this.hashes.get(partitionKey);
    if (h === undefined) {
      if (this.hashes.size >= HASH_CACHE_SIZE) this.hashes.clear();
      h = hashKeyOf(partitionKey);
      this.hashes.set(partitionKey, h);
    }
    return shardForHash(this.ranges, h) ?? WHOLE_STREAM;
  }

  /** Kinesis put a record elsewhere than predicted: refresh soon (rate-limited). */
  stale(): void {
    if (this.refreshing || this.queued) return;
    const now = (this.o.now ?? Date.now)();
    const wait = Math.max(0, this.lastRefreshAt + this.o.minRefreshIntervalMs - now);
    this.queued = setTimeout(() => {
      this.queued = undefined;
      void this.refresh();
    }, wait);
  }

  /** ListShards now (one walk at a time); never throws — a failed refresh keeps the old map. */
  refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => {
      this.refreshing = undefined;
      this.lastRefreshAt = (this.o.now ?? Date.now)();
    });
    return this.refreshing;
  }

  /** Stop a queued refresh (the run is over). */
  close(): void {
    if (this.queued) clearTimeout(this.queued);
    this.queued = undefined;
  }

  private async load(): Promise<void> {
    try {
      const shards: Shard[] = [];
      let token: string | undefined;
      do {
        const out = await this.o.client.send(
          new ListShardsCommand(token ? { NextToken: token } : { StreamName: this.o.streamName }),
        );
        shards.push(...(out.Shards ?? []));
        token = out.NextToken;
      } while (token);
      const next = openShardRanges(shards);
      const same =
        next.length === this.ranges.length &&
        next.every((r, i) => r.shardId === this.ranges[i]!.shardId);
      this.lastError = undefined;
      if (same) return;
      this.ranges = next;
      this.version++;
      this.o.onChange?.(this.openShards);
    } catch (err) {
      this.lastError = err;
    }
  }
}
