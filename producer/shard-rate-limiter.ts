/**
 * A per-shard write limit learned from throttling (pure: the caller passes
 * the clock), as a KPL-like producer needs it: each shard has a token bucket
 * whose rate is its limit, and the limit follows AIMD —
 *
 *  - additive increase: while the limit is what holds records back (a take
 *    got fewer tokens than asked), it grows linearly, by a fraction of the
 *    level it was last cut from per second; a limit that holds nothing back
 *    stays where it is, so an idle or lightly used shard is never probed;
 *  - multiplicative decrease: a throttle cuts the limit to a fraction of the
 *    rate just sent to that shard (not of the limit: a limit far above what
 *    was sent says nothing), once per congestion event — a throttle from a
 *    call sent before the last cut is that cut's echo and changes nothing.
 *
 * Shards that appear (a reshard) start at the level the other shards have
 * learned, so the total limit rises with the shard count at once.
 */
import type { ShardLimiterOptions } from './producer-config';

interface ShardState {
  limit: number;
  /** The level the limit was last cut from: the additive step is a fraction of it. */
  ref: number;
  tokens: number;
  lastMs: number;
  /** The last take asked for more tokens than the bucket held. */
  binding: boolean;
  lastCutMs: number;
  sinceMs: number;
  /** Tokens handed out, for the send rate a cut starts from. */
  taken: Array<{ t: number; n: number }>;
}

export interface LimitSnapshot {
  /** Open shards the limiter knows. */
  shards: number;
  /** Sum of the shards' limits (records/s). */
  total: number;
  /** Mean limit per shard (records/s). */
  perShard: number;
  byShard: Record<string, number>;
}

/** The shortest window a send rate is measured over, so that a first call does not read as a huge rate. */
const MIN_RATE_WINDOW_MS = 50;

export class ShardRateLimiter {
  private readonly shards = new Map<string, ShardState>();

  constructor(private readonly o: ShardLimiterOptions) {}

  /** Hand out up to `want` tokens for `shard`; returns how many. */
  take(shard: string, want: number, nowMs: number): number {
    const s = this.refill(shard, nowMs);
    const n = Math.max(0, Math.min(Math.floor(s.tokens), Math.floor(want)));
    s.tokens -= n;
    s.binding = n < want;
    if (n > 0) s.taken.push({ t: nowMs, n });
    this.prune(s, nowMs);
    return n;
  }

  /** Whole tokens `shard` could hand out now (nothing is taken). */
  available(shard: string, nowMs: number): number {
    return Math.floor(this.refill(shard, nowMs).tokens);
  }

  /** Milliseconds until `shard` has a token. */
  waitMs(shard: string, nowMs: number): number {
    const s = this.refill(shard, nowMs);
    return s.tokens >= 1 ? 0 : ((1 - s.tokens) / s.limit) * 1000;
  }

  /**
   * A record sent to `shard` at `sentAtMs` was throttled. Returns whether
   * the limit was cut (false for the echo of an earlier cut).
   */
  throttled(shard: string, sentAtMs: number, nowMs: number): boolean {
    // A throttle from a shard no longer open (a call in flight across a reshard) says nothing about the open ones.
    if (!this.shards.has(shard)) return false;
    const s = this.refill(shard, nowMs);
    if (sentAtMs <= s.lastCutMs) return false;
    const base = Math.min(s.limit, Math.max(this.sendRate(s, nowMs), this.o.minRecordsPerSecond));
    s.ref = base;
    s.limit = Math.max(this.o.minRecordsPerSecond, this.o.decreaseFactor * base);
    s.tokens = 0;
    s.lastCutMs = nowMs;
    return true;
  }

  limitOf(shard: string, nowMs: number): number {
    return this.refill(shard, nowMs).limit;
  }

  /** Keep exactly these shards (the open ones); new ones start at what the others learned. */
  retain(shardIds: readonly string[], nowMs: number): void {
    const keep = new Set(shardIds);
    const level = this.learnedLevel();
    for (const id of keep) if (!this.shards.has(id)) this.shards.set(id, this.fresh(level, nowMs));
    for (const id of [...this.shards.keys()]) if (!keep.has(id)) this.shards.delete(id);
  }

  snapshot(): LimitSnapshot {
    const byShard: Record<string, number> = {};
    let total = 0;
    for (const [id, s] of this.shards) {
      byShard[id] = s.limit;
      total += s.limit;
    }
    const shards = this.shards.size;
    return { shards, total, perShard: shards > 0 ? total / shards : 0, byShard };
  }

  private learnedLevel(): number {
    if (this.shards.size === 0) return this.o.initialRecordsPerSecond;
    let sum = 0;
    for (const s of this.shards.values()) sum += s.limit;
    return sum / this.shards.size;
  }

  private fresh(limit: number, nowMs: number): ShardState {
    return {
      limit,
      ref: limit,
      tokens: limit * this.o.burstSeconds,
      lastMs: nowMs,
      binding: false,
      lastCutMs: -Infinity,
      sinceMs: nowMs,
      taken: [],
    };
  }

  private refill(shard: string, nowMs: number): ShardState {
    let s = this.shards.get(shard);
    if (!s) {
      s = this.fresh(this.learnedLevel(), nowMs);
      this.shards.set(shard, s);
    }
    const dt = (nowMs - s.lastMs) / 1000;
    if (dt > 0) {
      if (s.binding)
        s.limit = Math.min(
          this.o.maxRecordsPerSecond,
          s.limit + this.o.increasePerSecond * s.ref * dt,
        );
      s.tokens = Math.min(Math.max(1, s.limit * this.o.burstSeconds), s.tokens + dt * s.limit);
      s.lastMs = nowMs;
    }
    return s;
  }

  private sendRate(s: ShardState, nowMs: number): number {
    this.prune(s, nowMs);
    const sent = s.taken.reduce((a, x) => a + x.n, 0);
    const window = Math.max(MIN_RATE_WINDOW_MS, Math.min(this.o.rateWindowMs, nowMs - s.sinceMs));
    return (sent / window) * 1000;
  }

  private prune(s: ShardState, nowMs: number): void {
    const from = nowMs - this.o.rateWindowMs;
    let i = 0;
    while (i < s.taken.length && s.taken[i]!.t <= from) i++;
    if (i > 0) s.taken.splice(0, i);
  }
}
