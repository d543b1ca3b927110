/**
 * The chaos schedule: a seed replays its run exactly, faults strike within
 * the spike with their kind's durations, and over many seeds every kind of
 * fault (and the cloud kill) comes up.
 */
import { describe, expect, it } from 'vitest';
import { chaosSchedule, describeSchedule, type ScheduleOptions } from '../../chaos/schedule';

const OPTIONS = (seed: number): ScheduleOptions => ({
  seed,
  planMs: 16_000,
  faults: { min: 2, max: 5 },
  killShare: 0.3,
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
      expect(s.faults.length).toBeGreaterThanOrEqual(2);
      expect(s.faults.length).toBeLessThanOrEqual(5);
      for (const f of s.faults) {
        expect(f.atMs).toBeGreaterThanOrEqual(0);
        expect(f.atMs).toBeLessThan(16_000);
        expect(f.durationMs).toBeGreaterThanOrEqual(0);
      }
      expect(s.faults.map((f) => f.atMs)).toEqual(
        [...s.faults.map((f) => f.atMs)].sort((a, b) => a - b),
      );
      if (s.killAtMs !== undefined) {
        expect(s.killAtMs).toBeGreaterThan(0);
        expect(s.killAtMs).toBeLessThan(16_000);
      }
    }
  });

  it('brings every kind of fault and the cloud kill over 20 seeds', () => {
    const schedules = Array.from({ length: 20 }, (_, i) => chaosSchedule(OPTIONS(i + 1)));
    const kinds = new Set(schedules.flatMap((s) => s.faults.map((f) => f.kind)));
    expect([...kinds].sort()).toEqual(
      [
        'dynamodb-outage',
        'dynamodb-throttle',
        'function-crash',
        'poison',
        'throttling-storm',
      ].sort(),
    );
    expect(schedules.some((s) => s.killAtMs !== undefined)).toBe(true);
  });
});
