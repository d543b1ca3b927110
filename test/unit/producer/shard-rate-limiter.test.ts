import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ShardLimiterOptions } from '../../../producer/producer-config';
import { ShardRateLimiter } from '../../../producer/shard-rate-limiter';

const OPTS: ShardLimiterOptions = {
  initialRecordsPerSecond: 1000,
  maxRecordsPerSecond: 1500,
  minRecordsPerSecond: 10,
  increasePerSecond: 0.1,
  decreaseFactor: 0.7,
  burstSeconds: 0.2,
  rateWindowMs: 1_000,
};

/** Ask for `want` tokens every `stepMs` from `from` to `to`; returns tokens granted and the last time. */
function sendFor(
  l: ShardRateLimiter,
  shard: string,
  from: number,
  to: number,
  want: number,
  stepMs = 10,
) {
  let granted = 0;
  let t = from;
  for (; t <= to; t += stepMs) granted += l.take(shard, want, t);
  return { granted, t: t - stepMs };
}

describe('per-shard limit learned from throttling (AIMD)', () => {
  it('hands out tokens at the limit, with a small burst', () => {
    const l = new ShardRateLimiter(OPTS);
    expect(l.take('a', 10_000, 0)).toBe(200); // a fresh shard holds 0.2 s of its limit
    const { granted } = sendFor(l, 'a', 10, 10_000, 10_000);
    expect(granted).toBeGreaterThan(0);
    // While it binds the limit grows (additive increase), never past the maximum.
    expect(l.limitOf('a', 10_000)).toBe(OPTS.maxRecordsPerSecond);
  });

  it('grows linearly, by a fraction of the level last cut from, only while it holds records back', () => {
    const l = new ShardRateLimiter(OPTS);
    sendFor(l, 'a', 0, 1_000, 20); // 2,000 records/s wanted: binding
    l.throttled('a', 900, 1_000); // cut from the ~1,000/s just sent
    const cut = l.limitOf('a', 1_000);
    expect(cut).toBeGreaterThan(0.6 * 1000);
    expect(cut).toBeLessThan(0.8 * 1000);
    sendFor(l, 'a', 1_010, 3_000, 1_000); // binding for ~2 s
    const grown = l.limitOf('a', 3_000);
    expect(grown - cut).toBeGreaterThan(0.1 * (cut / 0.7) * 1.9);
    expect(grown - cut).toBeLessThan(0.1 * (cut / 0.7) * 2.1);
    // Asking for less than the limit allows: no growth (beyond the first step's 10 ms).
    sendFor(l, 'a', 3_010, 6_000, 1);
    expect(l.limitOf('a', 6_000)).toBeLessThan(grown + 2);
  });

  it('cuts to a fraction of the rate really sent, not of a limit that was never used', () => {
    const l = new ShardRateLimiter(OPTS);
    sendFor(l, 'a', 0, 1_000, 3); // 300 records/s, far below the 1,000 limit
    expect(l.throttled('a', 990, 1_000)).toBe(true);
    expect(l.limitOf('a', 1_000)).toBeGreaterThan(0.7 * 280);
    expect(l.limitOf('a', 1_000)).toBeLessThan(0.7 * 320);
  });

  it('cuts once per congestion event: throttles of calls sent before the cut are its echo', () => {
    const l = new ShardRateLimiter(OPTS);
    sendFor(l, 'a', 0, 1_000, 20);
    expect(l.throttled('a', 950, 1_000)).toBe(true);
    const after = l.limitOf('a', 1_000);
    expect(l.throttled('a', 990, 1_020)).toBe(false); // sent before the cut
    expect(l.throttled('a', 1_000, 1_030)).toBe(false);
    expect(l.limitOf('a', 1_030)).toBeGreaterThanOrEqual(after);
    sendFor(l, 'a', 1_040, 2_000, 20);
    expect(l.throttled('a', 1_500, 2_010)).toBe(true); // sent after: a new event
    expect(l.limitOf('a', 2_010)).toBeLessThan(after);
  });

  it('never leaves [min, max] whatever happens', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            dt: fc.integer({ min: 0, max: 500 }),
            want: fc.integer({ min: 0, max: 5_000 }),
            throttle: fc.boolean(),
          }),
          { maxLength: 200 },
        ),
        (steps) => {
          const l = new ShardRateLimiter(OPTS);
          let t = 0;
          for (const s of steps) {
            t += s.dt;
            l.take('a', s.want, t);
            if (s.throttle) l.throttled('a', t - 1, t);
            const lim = l.limitOf('a', t);
            if (lim < OPTS.minRecordsPerSecond || lim > OPTS.maxRecordsPerSecond) return false;
          }
          return true;
        },
      ),
    );
  });

  it('after a reshard the new shards start at the level learned, the closed ones are forgotten', () => {
    const l = new ShardRateLimiter(OPTS);
    l.retain(['s0'], 0);
    sendFor(l, 's0', 0, 1_000, 20);
    l.throttled('s0', 990, 1_000);
    const learned = l.limitOf('s0', 1_000);
    l.retain(['s1', 's2'], 1_000);
    const snap = l.snapshot();
    expect(snap.shards).toBe(2);
    expect(Object.keys(snap.byShard).sort()).toEqual(['s1', 's2']);
    expect(snap.perShard).toBeCloseTo(learned, 6);
    expect(snap.total).toBeCloseTo(2 * learned, 6);
    // A late throttle from the closed shard (a call in flight across the reshard) neither cuts nor revives it.
    expect(l.throttled('s0', 1_500, 1_600)).toBe(false);
    expect(l.snapshot().shards).toBe(2);
  });

  it('waits until the next token when a shard is empty', () => {
    const l = new ShardRateLimiter({ ...OPTS, initialRecordsPerSecond: 100 });
    expect(l.take('a', 1_000, 0)).toBe(20);
    expect(l.waitMs('a', 0)).toBeCloseTo(10, 6);
    expect(l.available('a', 5)).toBe(0);
    expect(l.take('a', 1, 10)).toBe(1);
  });
});
