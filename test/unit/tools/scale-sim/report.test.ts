import { describe, expect, it } from 'vitest';
import { maxRate } from '../../../../tools/scale-sim/report';
import type { SimulationResult } from '../../../../tools/scale-sim/simulate';
import { scaleOptions } from '../../../bench/sections/scale';
import type { ClassPeak } from '../../../../tools/scale-sim/dynamo-model';

const run = (shards: number, byClass: Record<string, ClassPeak>, maxCloseMs = 0) =>
  ({
    options: scaleOptions(shards, 10),
    stats: { byClass: new Map(Object.entries(byClass)) },
    maxCloseMs,
  }) as unknown as SimulationResult;

const limits = { wcuPerSecond: 1000, rcuPerSecond: 3000, maxItemBytes: 400_000 };

describe('the largest rate the design holds', () => {
  it('is where the first per-class line reaches its limit', () => {
    const a = run(100, { hot: { wcu: 100, rcu: 10, itemBytes: 1000 } });
    const b = run(200, { hot: { wcu: 200, rcu: 20, itemBytes: 2000 } });
    // writes grow 1 WCU/s per shard: 1,000 shards of 1,000 records/s
    expect(maxRate(a, b, limits)).toEqual({
      recordsPerSecond: 1_000_000,
      limit: '1000 WCU/s on hot',
    });
  });

  it('ignores loads that do not grow with the rate', () => {
    const a = run(100, {
      flat: { wcu: 900, rcu: 10, itemBytes: 1000 },
      grows: { wcu: 0, rcu: 0, itemBytes: 100 },
    });
    const b = run(200, {
      flat: { wcu: 900, rcu: 10, itemBytes: 1000 },
      grows: { wcu: 0, rcu: 0, itemBytes: 200 },
    });
    expect(maxRate(a, b, limits).limit).toBe('400000-byte items in grows');
  });

  it('counts the closer outgrowing its tick', () => {
    const a = run(100, {}, 1000);
    const b = run(200, {}, 2000);
    expect(maxRate(a, b, limits)).toEqual({
      recordsPerSecond: 500_000,
      limit: "the closer's 5000 ms tick",
    });
  });
});
