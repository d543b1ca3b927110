/**
 * The chaos schedule: a seed replays its run exactly, faults strike within
 * the spike with their kind's durations, and every schedule brings every
 * kind of fault (a run that misses one proves nothing about it) and the
 * cloud kill.
 */
import { describe, expect, it } from 'vitest';
import {
  chaosSchedule,
  describeSchedule,
  FAULT_KINDS,
  type ScheduleOptions,
} from '../../chaos/schedule';

const OPTIONS = (seed: number): ScheduleOptions => ({
  seed,
  planMs: 8_000,
  faults: { min: 6, max: 8 },
  killShare: 1,
});

describe('chaosSchedule', () => {
  it('gives the same schedule for the same seed, another for another seed', () => {
    expect(chaosSchedule(OPTIONS(7))).toEqual(chaosSchedule(OPTIONS(7)));
    expect(describeSchedule(chaosSchedule(OPTIONS(7)))).not.toBe(
      describeSchedule(chaosSchedule(OPTIONS(8))),
    );
  });

  it('strikes within the spike, in order, between the bounds of faults per run', () => {
    for (let seed = 0; seed < 200; seed++) {
      const s = chaosSchedule(OPTIONS(seed));
      expect(s.faults.length).toBeGreaterThanOrEqual(6);
      expect(s.faults.length).toBeLessThanOrEqual(8);
      for (const f of s.faults) {
        expect(f.atMs).toBeGreaterThanOrEqual(0);
        expect(f.atMs).toBeLessThan(8_000);
        expect(f.durationMs).toBeGreaterThanOrEqual(0);
      }
      expect(s.faults.map((f) => f.atMs)).toEqual(
        [...s.faults.map((f) => f.atMs)].sort((a, b) => a - b),
      );
      expect(s.killAtMs).toBeGreaterThan(0);
      expect(s.killAtMs).toBeLessThan(8_000);
    }
  });

  it('brings every kind of fault in every schedule', () => {
    expect([...FAULT_KINDS].sort()).toEqual(
      [
        'duplicates',
        'dynamodb-outage',
        'dynamodb-throttle',
        'function-crash',
        'poison',
        'throttling-storm',
      ].sort(),
    );
    for (let seed = 0; seed < 200; seed++) {
      const kinds = new Set(chaosSchedule(OPTIONS(seed)).faults.map((f) => f.kind));
      expect(kinds.size).toBe(FAULT_KINDS.length);
    }
  });

  it('a control run (no faults) has neither faults nor a kill', () => {
    const s = chaosSchedule({ ...OPTIONS(3), faults: { min: 0, max: 0 }, killShare: 0 });
    expect(s).toEqual({ faults: [] });
    expect(describeSchedule(s)).toBe('none');
  });
});
