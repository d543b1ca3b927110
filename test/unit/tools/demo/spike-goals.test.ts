/**
 * The demo's spike goals (tools/demo/spike-goals.ts) from a run's samples:
 * reaction, stalled samples, capacity, back to minimum, overshoot.
 */
import { describe, expect, it } from 'vitest';
import { spikeGoalLines, spikeGoals } from '../../../../tools/demo/spike-goals';

const T0 = Date.UTC(2026, 11, 2, 3, 0, 0);
const s = (sec: number) => T0 + sec * 1000;
const sample = (sec: number, shards: number, arrived: number, processed: number, ageMs = 500) => ({
  t: s(sec),
  shards,
  parallelization: 1,
  incomingRecords: arrived,
  incomingBytes: arrived * 250,
  recordsProcessed: processed,
  iteratorAgeMs: ageMs,
});

describe('spike goals', () => {
  const input = {
    samples: [
      sample(0, 1, 3_000, 3_000),
      sample(5, 1, 5_000, 4_900), // before the first reaction: not checked
      sample(10, 2, 10_000, 10_000, 4_000),
      sample(15, 4, 12_000, 9_000, 12_000), // stalled: 9,000 < min(12,000, 20,000)
      sample(20, 4, 12_000, 12_500),
    ],
    periodSeconds: 5,
    states: [
      { t: s(0), shards: 1, parallelization: 1 },
      { t: s(7), shards: 2, parallelization: 1 },
      { t: s(12), shards: 4, parallelization: 1 },
      { t: s(60), shards: 2, parallelization: 1 },
      { t: s(100), shards: 1, parallelization: 1 },
      { t: s(110), shards: 1, parallelization: 1 },
    ],
    spikeStartMs: s(5),
    spikeEndMs: s(30),
    spikeDemand: 2_400,
    shardRecordsPerSecond: 1_000,
    targetUtilisation: 0.7,
    minShards: 1,
    minParallelization: 1,
    accepted: 40_000,
    throttled: 2_000,
  };

  it('measures each figure from the samples', () => {
    const g = spikeGoals(input);
    expect(g.throttledPerAccepted).toBe(0.05);
    expect(g.reactionS).toBe(2);
    expect(g.enoughCapacityS).toBe(7); // 4 shards × 1,000 ≥ 2,400 at +12 s
    expect(g.backToMinimumS).toBe(70);
    expect(g.stalledSamples).toBe(1);
    expect(g.samplesChecked).toBe(3);
    expect(g.peakIteratorAgeS).toBe(12);
    expect([g.peakShards, g.shardsNeeded]).toEqual([4, 4]); // 2,400 / 700 = 3.4 → 4 (1 → 2 → 4)
  });

  it('says which goals are not met', () => {
    const lines = spikeGoalLines(spikeGoals(input)).join('\n');
    expect(lines).toMatch(/stalled 5 s samples after it\s+1 of 3\s+\(goal 0: NOT met/);
    expect(lines).toMatch(/peak iterator age\s+12\.0 s\s+\(goal ≤ 10 s: NOT met/);
    expect(lines).toMatch(/enough capacity\s+7\.0 s .*met/);
  });
});
