import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../../producer/backoff';
import { MAX_BYTES_PER_CALL, recordBytes, takeForCall } from '../../../producer/put-batches';
import { TokenBucket } from '../../../producer/token-bucket';

describe('token bucket', () => {
  it('hands out the rate over time, in whole tokens', () => {
    const b = new TokenBucket(100, 50, 0);
    let total = 0;
    for (let t = 20; t <= 10_000; t += 20) total += b.take(t);
    expect(total).toBeGreaterThanOrEqual(999);
    expect(total).toBeLessThanOrEqual(1000);
  });

  it('caps a catch-up burst and honours a max', () => {
    const b = new TokenBucket(100, 20, 0);
    expect(b.take(60_000)).toBe(20);
    expect(b.take(60_000)).toBe(0);
    expect(b.take(60_100, 3)).toBe(3);
    expect(b.take(60_100)).toBe(7);
  });
});

describe('backoff with full jitter', () => {
  it('grows exponentially up to the cap and spreads over [0, ceiling)', () => {
    const o = { baseMs: 50, capMs: 1_000 };
    expect(backoffDelayMs(1, 0.999, o)).toBe(49);
    expect(backoffDelayMs(3, 0.999, o)).toBe(199);
    expect(backoffDelayMs(20, 0.999, o)).toBe(999);
    expect(backoffDelayMs(5, 0, o)).toBe(0);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        (a, r) => {
          const d = backoffDelayMs(a, r, o);
          return d >= 0 && d < Math.min(1_000, 50 * 2 ** (a - 1));
        },
      ),
    );
  });
});

describe('PutRecords batches', () => {
  it('takes at most 500 records', () => {
    expect(takeForCall(Array.from({ length: 1200 }, () => ({ bytes: 100 })))).toBe(500);
  });

  it('takes at most 5 MiB (data + partition key)', () => {
    const big = Array.from({ length: 10 }, () => ({ bytes: 1024 * 1024 }));
    expect(takeForCall(big)).toBe(5);
    expect(takeForCall([{ bytes: MAX_BYTES_PER_CALL - 10 }, { bytes: 11 }])).toBe(1);
    expect(recordBytes('é', 'ab')).toBe(4);
  });

  it('never exceeds either limit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 1024 * 1024 }), { minLength: 1, maxLength: 800 }),
        (sizes) => {
          const q = sizes.map((bytes) => ({ bytes }));
          const n = takeForCall(q);
          const bytes = sizes.slice(0, n).reduce((a, b) => a + b, 0);
          const next = sizes[n];
          const full =
            n === 500 ||
            n === sizes.length ||
            (next !== undefined && bytes + next > MAX_BYTES_PER_CALL);
          return n >= 1 && n <= 500 && bytes <= MAX_BYTES_PER_CALL && full;
        },
      ),
    );
  });
});
