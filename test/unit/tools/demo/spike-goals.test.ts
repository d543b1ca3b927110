/**
 * The demo's spike goals (tools/demo/spike-goals.ts) from a run's samples:
 * reaction, stalled samples, capacity, back to minimum, overshoot.
 */
import { describe, expect, it } from 'vitest';
import {
  spikeGoalLines,
  spikeGoals,
  stallRows,
  stallTable,
} from '../../../../tools/demo/spike-goals';

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
      sample(10, 2, 10_000, 8_000, 4_000), // trails arrivals: 100 were waiting at its start
      sample(15, 4, 12_000, 1_000, 12_000), // stalled: 1,000 < min(2,100 waiting, 20,000)
      sample(20, 4, 12_000, 14_000),
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

  it('a consumer that trails arrivals by a sample has not stalled (the 2026-12-02 04:07 demo’s samples)', () => {
    const arrived = [2_311, 5_032, 7_282, 12_950, 7_570, 21_945, 8_225, 3_606, 647];
    const processed = [3_120, 4_014, 9_687, 10_971, 9_813, 19_923, 8_217, 3_217, 606];
    const shards = [1, 1, 2, 2, 2, 4, 4, 4, 4];
    const rows = stallRows(
      arrived.map((a, k) => sample(5 * k, shards[k]!, a, processed[k]!)),
      5,
      1_000,
    );
    // the old rule (processed < min(arrived in the same sample, capacity)) failed 5 of these
    // (4 after the first scaling reaction, as that report said)
    expect(rows.filter((r) => r.processed < Math.min(r.arrived, r.shards * 5_000))).toHaveLength(5);
    expect(rows.filter((r) => r.stalled)).toEqual([]);
  });

  it('a consumer that stops, or falls behind by more than a sample, has stalled; one at the shards’ capacity has not', () => {
    const stopped = stallRows([sample(0, 1, 3_000, 3_000), sample(5, 1, 3_000, 0)], 5, 1_000);
    expect(stopped.map((r) => r.stalled)).toEqual([false, false]); // nothing was waiting at +5 s yet
    const stillStopped = stallRows(
      [sample(0, 1, 3_000, 3_000), sample(5, 1, 3_000, 0), sample(10, 1, 3_000, 0)],
      5,
      1_000,
    );
    expect(stillStopped.at(-1)).toMatchObject({
      waitingAtStart: 3_000,
      owed: 3_000,
      stalled: true,
    });
    // 2,000 rec/s arriving, 1,500 processed: the backlog outgrows a sample's work
    const behind = stallRows(
      Array.from({ length: 6 }, (_, k) => sample(5 * k, 2, 10_000, 7_500)),
      5,
      1_000,
    );
    expect(behind.map((r) => r.stalled)).toEqual([false, false, false, false, true, true]);
    // a backlog larger than the shards can serve in a sample: owed is capped at capacity
    const capped = stallRows([sample(0, 1, 40_000, 0), sample(5, 1, 0, 5_000)], 5, 1_000);
    expect(capped[1]).toMatchObject({ owed: 5_000, stalled: false });
    expect(stallTable(capped, s(0))[2]).toMatch(/\+5 s \| 1×1 .* no$/);
  });

  it('says which goals are not met', () => {
    const lines = spikeGoalLines(spikeGoals(input)).join('\n');
    expect(lines).toMatch(/stalled 5 s samples after it\s+1 of 3\s+\(goal 0: NOT met/);
    expect(lines).toMatch(/peak iterator age\s+12\.0 s\s+\(goal ≤ 10 s: NOT met/);
    expect(lines).toMatch(/enough capacity\s+7\.0 s .*met/);
  });
});
