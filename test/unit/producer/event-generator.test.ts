import { describe, expect, it } from 'vitest';
import { COURSES, CRASH_MESSAGES } from '../../../producer/event-catalogue';
import { decodeRecord } from '../../../functions/core/event-schema';
import {
  EventGenerator,
  MALFORMED_KINDS,
  userPopulation,
  type GeneratedRecord,
} from '../../../producer/event-generator';

const NOW = 1_763_820_000_000;
const base = { allowedLatenessMs: 60_000, windowSizeMs: 10_000 };
const take = (g: EventGenerator, n: number, now = NOW): GeneratedRecord[] =>
  Array.from({ length: n }, (_, i) => g.next(now + i));

describe('event generator', () => {
  it('is deterministic under a seed and differs across seeds', () => {
    const a = take(
      new EventGenerator({
        seed: 5,
        ...base,
        lateFraction: 0.1,
        malformedFraction: 0.1,
        outOfOrderS: 3,
      }),
      300,
    );
    const b = take(
      new EventGenerator({
        seed: 5,
        ...base,
        lateFraction: 0.1,
        malformedFraction: 0.1,
        outOfOrderS: 3,
      }),
      300,
    );
    const c = take(
      new EventGenerator({
        seed: 6,
        ...base,
        lateFraction: 0.1,
        malformedFraction: 0.1,
        outOfOrderS: 3,
      }),
      300,
    );
    expect(a).toEqual(b);
    expect(a.map((r) => r.data)).not.toEqual(c.map((r) => r.data));
  });

  it('makes DESIGN.md events with partition key = user_id and stable names', () => {
    const users = userPopulation(1, 3000, 5);
    expect(new Set(users.map((u) => u.id)).size).toBe(3000);
    const names = new Map(users.map((u) => [u.id, u.name]));
    for (const r of take(new EventGenerator({ seed: 1, ...base }), 2000)) {
      const e = JSON.parse(r.data);
      expect(Object.keys(e).sort()).toEqual([
        'activity',
        'content',
        'course',
        'cpu_usage_pct',
        'event_id',
        'lines_of_code',
        'severity',
        'student_name',
        'timestamp',
        'user_id',
      ]);
      expect(r.partitionKey).toBe(e.user_id);
      expect(e.student_name).toBe(names.get(e.user_id));
      expect(e.timestamp).toBeCloseTo(NOW / 1000, -1);
      expect(Number.isInteger(e.lines_of_code) && e.lines_of_code >= 0).toBe(true);
      expect(e.cpu_usage_pct >= 0 && e.cpu_usage_pct <= 100).toBe(true);
      expect(COURSES.map((c) => c.code)).toContain(e.course);
    }
  });

  it('has believable distributions: popular courses, mostly Low/Medium, skewed lines of code, busy activities burn CPU', () => {
    const events = take(new EventGenerator({ seed: 2, ...base }), 20_000).map((r) =>
      JSON.parse(r.data),
    );
    const count = (f: (e: (typeof events)[number]) => boolean) => events.filter(f).length;
    expect(count((e) => e.course === 'CS-101')).toBeGreaterThan(
      3 * count((e) => e.course === 'ML-450'),
    );
    expect(count((e) => e.severity === 'Low' || e.severity === 'Medium')).toBeGreaterThan(
      0.7 * events.length,
    );
    const loc = events.map((e) => e.lines_of_code as number).sort((a, b) => a - b);
    const median = loc[loc.length >> 1]!;
    const mean = loc.reduce((a, b) => a + b, 0) / loc.length;
    expect(mean).toBeGreaterThan(median * 1.2); // right-skewed
    const avgCpu = (activity: string) => {
      const xs = events
        .filter((e) => e.activity === activity)
        .map((e) => e.cpu_usage_pct as number);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    expect(avgCpu('compiling')).toBeGreaterThan(avgCpu('reading docs') + 40);
    const contents = new Set(events.filter((e) => /crash/i.test(e.content)).map((e) => e.content));
    expect(contents.size).toBe(CRASH_MESSAGES.length); // mixed case, all of them
  });

  it('has crash-prone users with more than 2 High/Critical crashes per 10 s window at 800 rec/s', () => {
    const g = new EventGenerator({ seed: 3, ...base });
    const perUser = new Map<string, number>();
    for (let i = 0; i < 8000; i++) {
      const e = JSON.parse(g.next(NOW + i * 1.25).data);
      if (/crash/i.test(e.content) && (e.severity === 'High' || e.severity === 'Critical'))
        perUser.set(e.user_id, (perUser.get(e.user_id) ?? 0) + 1);
    }
    const alerting = [...perUser.values()].filter((n) => n > 2);
    expect(alerting.length).toBeGreaterThanOrEqual(3);
  });

  it('makes late, out-of-order and malformed records in the asked proportions', () => {
    const g = new EventGenerator({
      seed: 4,
      ...base,
      lateFraction: 0.1,
      malformedFraction: 0.1,
      outOfOrderS: 5,
    });
    const rs = take(g, 5000, NOW);
    const late = rs.filter((r) => r.kind === 'late');
    const bad = rs.filter((r) => r.kind === 'malformed');
    expect(late.length / rs.length).toBeGreaterThan(0.07);
    expect(late.length / rs.length).toBeLessThan(0.13);
    expect(bad.length / rs.length).toBeGreaterThan(0.07);
    expect(bad.length / rs.length).toBeLessThan(0.13);
    for (const r of late)
      expect(NOW + 5000 - JSON.parse(r.data).timestamp * 1000).toBeGreaterThan(60_000 + 10_000);
    const valid = rs.filter((r) => r.kind === 'valid').map((r, i) => ({ r, i }));
    for (const { r } of valid) {
      const lag = NOW + 5000 - JSON.parse(r.data).timestamp * 1000;
      expect(lag).toBeGreaterThanOrEqual(-1);
      expect(lag).toBeLessThanOrEqual(5000 + 5000 + 1);
    }
    expect(new Set(bad.map((r) => r.malformed))).toEqual(new Set(MALFORMED_KINDS));
    for (const r of bad) {
      let e: Record<string, unknown> | undefined;
      try {
        e = JSON.parse(r.data);
      } catch {
        expect(r.malformed).toBe('invalid_json');
        continue;
      }
      if (r.malformed === 'missing_field') expect(Object.keys(e!).length).toBe(9);
      if (r.malformed === 'wrong_type')
        expect(typeof e!.lines_of_code !== 'number' || typeof e!.cpu_usage_pct !== 'number').toBe(
          true,
        );
      if (r.malformed === 'out_of_range')
        expect((e!.cpu_usage_pct as number) > 100 || (e!.lines_of_code as number) < 0).toBe(true);
      if (r.malformed === 'future_timestamp')
        expect((e!.timestamp as number) * 1000 - NOW).toBeGreaterThan(5 * 60_000);
    }
  });

  it("makes records the pipeline's schema accepts exactly when they are not malformed", () => {
    const g = new EventGenerator({
      seed: 9,
      ...base,
      lateFraction: 0.1,
      malformedFraction: 0.2,
      outOfOrderS: 5,
      futureSkewMs: 20 * 60_000,
    });
    const rs = take(g, 4000);
    for (const r of rs) {
      const d = decodeRecord(r.data, NOW + 5_000, { maxFutureSkewMs: 5 * 60_000 });
      if (d.ok !== (r.kind !== 'malformed'))
        throw new Error(`${r.kind}/${r.malformed}: ${JSON.stringify(d)} ${r.data}`);
    }
    const reasons = new Set(
      rs
        .filter((r) => r.kind === 'malformed')
        .map((r) => {
          const d = decodeRecord(r.data, NOW + 5_000, { maxFutureSkewMs: 5 * 60_000 });
          return d.ok ? 'ok' : d.reason;
        }),
    );
    expect(reasons).toEqual(
      new Set(['invalid_json', 'missing_field', 'wrong_type', 'out_of_range', 'future_timestamp']),
    );
  });
});
