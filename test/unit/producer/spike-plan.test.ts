import { describe, expect, it } from 'vitest';
import { phaseAt, plannedRecords, planSpike, producerActive } from '../../../producer/spike-plan';

describe('spike plan', () => {
  const plan = planSpike({
    producers: 1,
    spikeProducers: 3,
    baselineS: 10,
    spikeS: 20,
    cooldownS: 5,
  });

  it('runs baseline, spike and cooldown back to back with N, N+M and N producers', () => {
    expect(plan.phases).toEqual([
      { name: 'baseline', startMs: 0, endMs: 10_000, producers: 1 },
      { name: 'spike', startMs: 10_000, endMs: 30_000, producers: 4 },
      { name: 'cooldown', startMs: 30_000, endMs: 35_000, producers: 1 },
    ]);
    expect(plan.totalMs).toBe(35_000);
    expect(plan.maxProducers).toBe(4);
  });

  it('knows the phase at any time and nothing after the end', () => {
    expect(phaseAt(plan, 0)?.name).toBe('baseline');
    expect(phaseAt(plan, 9_999)?.name).toBe('baseline');
    expect(phaseAt(plan, 10_000)?.name).toBe('spike');
    expect(phaseAt(plan, 34_999)?.name).toBe('cooldown');
    expect(phaseAt(plan, 35_000)).toBeUndefined();
  });

  it('adds the spike producers only during the spike', () => {
    expect(producerActive(plan, 0, 5_000)).toBe(true);
    expect(producerActive(plan, 1, 5_000)).toBe(false);
    expect(producerActive(plan, 3, 15_000)).toBe(true);
    expect(producerActive(plan, 4, 15_000)).toBe(false);
    expect(producerActive(plan, 1, 31_000)).toBe(false);
    expect(producerActive(plan, 0, 36_000)).toBe(false);
  });

  it('skips empty phases and counts the planned records', () => {
    const p = planSpike({ producers: 2, spikeProducers: 5, baselineS: 0, spikeS: 0, cooldownS: 3 });
    expect(p.phases.map((x) => x.name)).toEqual(['cooldown']);
    expect(p.maxProducers).toBe(2);
    expect(plannedRecords(plan, 100)).toBe(10 * 1 * 100 + 20 * 4 * 100 + 5 * 1 * 100);
  });
});
