import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  buildBucketFinal,
  buildFinal,
  bucketsOf,
  isCounted,
  latePartials,
  racedBuckets,
  passedWindows,
  windowsToClose,
} from '../../../../functions/core/closing';
import type { ValidEvent } from '../../../../functions/core/event';
import { planBatch } from '../../../../functions/core/merge-plan';
import {
  addEvent,
  courseRows,
  crashRows,
  emptyAggregates,
  mergeAggregates,
} from '../../../../functions/core/partials';
import { isCrashAlertEvent } from '../../../../functions/core/queries';
import { tumblingWindows } from '../../../../functions/core/windows';
import { bucketOf, type PartialItem } from '../../../../functions/core/table-layout';

const T0 = Date.UTC(2026, 10, 23, 3, 0, 0);
const ev = (o: Partial<ValidEvent>): ValidEvent => ({
  event_id: 'e',
  eventTimeMs: T0,
  user_id: 'u1',
  student_name: 'n',
  course: 'CS-1',
  activity: 'coding',
  lines_of_code: 10,
  cpu_usage_pct: 50,
  severity: 'Low',
  content: '',
  ...o,
});

describe('windows and queries', () => {
  it('assigns tumbling windows aligned to the size, end exclusive', () => {
    const w = tumblingWindows(10_000);
    expect(w.assign(T0 + 9_999)).toEqual({ start: T0, end: T0 + 10_000 });
    expect(w.assign(T0 + 10_000).start).toBe(T0 + 10_000);
  });

  it('flags crashes case-insensitively only at High or Critical severity', () => {
    expect(isCrashAlertEvent({ content: 'app CRASHED', severity: 'High' })).toBe(true);
    expect(isCrashAlertEvent({ content: 'Crash', severity: 'Critical' })).toBe(true);
    expect(isCrashAlertEvent({ content: 'crash', severity: 'Medium' })).toBe(false);
    expect(isCrashAlertEvent({ content: 'all good', severity: 'Critical' })).toBe(false);
  });

  it('applies the > threshold rule on read and keeps every group stored', () => {
    const agg = emptyAggregates();
    for (let i = 0; i < 3; i++)
      addEvent(agg, ev({ user_id: 'a', severity: 'High', content: 'crash' }));
    for (let i = 0; i < 2; i++)
      addEvent(agg, ev({ user_id: 'b', severity: 'High', content: 'crash' }));
    expect(agg.crashes).toEqual(
      new Map([
        ['a', 3],
        ['b', 2],
      ]),
    );
    expect(crashRows(agg, 2)).toEqual([{ user_id: 'a', crash_count: 3 }]);
    expect(crashRows(agg, 2, true)).toHaveLength(2);
  });

  it('derives course rows (avg from sum/count)', () => {
    const agg = emptyAggregates();
    addEvent(agg, ev({ cpu_usage_pct: 20, lines_of_code: 5 }));
    addEvent(agg, ev({ cpu_usage_pct: 40, lines_of_code: 7 }));
    expect(courseRows(agg)).toEqual([
      { course: 'CS-1', events: 2, total_loc: 12, avg_cpu: 30, max_cpu: 40 },
    ]);
  });

  it('merges partials associatively and commutatively (property)', () => {
    const arbEvent = fc.record({
      course: fc.constantFrom('A', 'B', 'C'),
      user_id: fc.constantFrom('u1', 'u2'),
      lines_of_code: fc.nat(100),
      cpu_usage_pct: fc.integer({ min: 0, max: 100 }),
      severity: fc.constantFrom('Low', 'High') as fc.Arbitrary<ValidEvent['severity']>,
      content: fc.constantFrom('crash', 'ok'),
    });
    const aggOf = (es: Partial<ValidEvent>[]) => {
      const a = emptyAggregates();
      for (const e of es) addEvent(a, ev(e));
      return a;
    };
    fc.assert(
      fc.property(fc.array(arbEvent), fc.array(arbEvent), fc.array(arbEvent), (x, y, z) => {
        const [a, b, c] = [aggOf(x), aggOf(y), aggOf(z)];
        expect(mergeAggregates(a, b)).toEqual(mergeAggregates(b, a));
        expect(mergeAggregates(mergeAggregates(a, b), c)).toEqual(
          mergeAggregates(a, mergeAggregates(b, c)),
        );
        expect(mergeAggregates(a, b)).toEqual(aggOf([...x, ...y]));
      }),
      { numRuns: 50 },
    );
  });
});

describe('merge plan', () => {
  const rec = (seq: string, t: number) => ({
    shardId: 's-0',
    sequenceNumber: seq,
    partitionKey: 'u1',
    data: new TextEncoder().encode(
      JSON.stringify({
        event_id: seq,
        timestamp: t / 1000,
        user_id: 'u1',
        student_name: 'n',
        course: 'C',
        activity: 'a',
        lines_of_code: 1,
        cpu_usage_pct: 1,
        severity: 'Low',
        content: '',
      }),
    ),
    arrivalMs: T0 + 30_000,
  });
  const ctx = {
    nowMs: T0 + 31_000,
    closedThrough: undefined,
    windows: tumblingWindows(10_000),
    maxFutureSkewMs: 300_000,
    rejectRawMaxBytes: 8,
    lateHorizonMs: 86_400_000,
  };

  it('writes one partial per window, keyed by the batch’s first sequence number', () => {
    const plan = planBatch([rec('11', T0 + 1), rec('12', T0 + 15_000), rec('13', T0 + 2)], ctx);
    expect(plan.partials.map((p) => [p.pk, p.sk, p.records])).toEqual([
      [`W#${T0}#${bucketOf('s-0')}`, 'P#s-0#11', 2],
      [`W#${T0 + 10_000}#${bucketOf('s-0')}`, 'P#s-0#11', 1],
    ]);
    expect(plan.progress).toMatchObject({
      maxEventTime: T0 + 15_000,
      minEventTime: T0 + 1,
      lastSequenceNumber: '13',
      iteratorAgeMs: 1_000,
    });
  });

  it('is deterministic: the same batch gives the same items', () => {
    const batch = [rec('21', T0 + 1), rec('22', T0 + 12_000)];
    const strip = (ps: PartialItem[]) => ps.map(({ writtenAt: _w, ...rest }) => rest);
    expect(strip(planBatch(batch, ctx).partials)).toEqual(
      strip(planBatch(batch, { ...ctx, nowMs: ctx.nowMs + 5 }).partials),
    );
  });

  it('marks partials of closed windows late and keeps rejects with a truncated raw payload', () => {
    const bad = { ...rec('31', T0), data: new TextEncoder().encode('not json at all') };
    const plan = planBatch([bad, rec('32', T0 + 1), rec('33', T0 + 25_000)], {
      ...ctx,
      closedThrough: T0 + 10_000,
    });
    expect(plan.counts).toMatchObject({ records: 3, valid: 2, rejected: 1, late: 1 });
    expect(plan.partials[0]?.gsiPk).toBe('LATE');
    expect(plan.partials[1]?.gsiPk).toBeUndefined();
    expect(plan.rejects[0]).toMatchObject({
      reason: 'invalid_json',
      raw: 'not json',
      truncated: true,
      sequenceNumber: '31',
    });
  });
});

describe('closing', () => {
  const partial = (sk: string, n: number, late = false, bucket = 3): PartialItem => ({
    pk: `W#${T0}#${bucket}`,
    sk,
    windowStart: T0,
    windowEnd: T0 + 10_000,
    bucket,
    shardId: 's',
    firstSequenceNumber: sk,
    lastSequenceNumber: sk,
    records: n,
    writtenAt: 0,
    firstArrivalMs: 0,
    courses: [{ course: 'C', events: n, totalLoc: n, cpuSum: n, cpuMin: 1, cpuMax: 1 }],
    crashes: [],
    ...(late ? { gsiPk: 'LATE', gsiSk: T0 } : {}),
  });

  it('visits windows with partials whose end the watermark passed, bounded per tick', () => {
    const open = [T0, T0 + 10_000, T0 + 20_000, T0 + 40_000];
    expect(windowsToClose(open, undefined, T0 + 30_000, 10_000, 10)).toEqual({
      windowStarts: [T0, T0 + 10_000, T0 + 20_000],
      closedThrough: T0 + 30_000,
    });
    expect(windowsToClose(open, T0 + 10_000, T0 + 29_999, 10_000, 10)).toEqual({
      windowStarts: [T0 + 10_000],
      closedThrough: T0 + 20_000,
    });
    expect(windowsToClose(open, T0, T0 + 100_000, 10_000, 2)).toEqual({
      windowStarts: [T0, T0 + 10_000],
      closedThrough: T0 + 20_000,
    });
    expect(windowsToClose(open, T0, undefined, 10_000, 2).windowStarts).toEqual([]);
  });

  it('jumps over empty time to the next window with partials, never walking it', () => {
    const year2001 = Date.UTC(2001, 0, 1);
    // a shard reported a 2001 window and a current one; the cursor is in 2001
    const plan = windowsToClose([year2001, T0], year2001, T0 + 25_000, 10_000, 360);
    expect(plan).toEqual({ windowStarts: [year2001, T0], closedThrough: T0 + 20_000 });
    // nothing open: the cursor follows the watermark in one step
    expect(windowsToClose([], year2001, T0 + 25_000, 10_000, 360)).toEqual({
      windowStarts: [],
      closedThrough: T0 + 20_000,
    });
    // never backwards, and stale entries below the cursor are not visited again
    expect(windowsToClose([T0 - 50_000], T0 + 30_000, T0 + 25_000, 10_000, 360)).toEqual({
      windowStarts: [],
      closedThrough: T0 + 30_000,
    });
    expect(passedWindows([T0, T0 + 10_000, T0 + 20_000], T0 + 20_000, 10_000)).toEqual([
      T0,
      T0 + 10_000,
    ]);
  });

  it('builds bucket finals naming their partials, and a final naming its bucket finals; others are late', () => {
    const ps = [partial('P#b', 2), partial('P#a', 3), partial('P#c', 1, true)];
    const b3 = buildBucketFinal(T0, 3, 10_000, ps, T0 + 70_000);
    expect(b3).toMatchObject({ pk: `W#${T0}#3`, sk: 'BF', records: 5, included: ['P#a', 'P#b'] });
    const b7 = buildBucketFinal(T0, 7, 10_000, [partial('P#e', 4, false, 7)], T0 + 70_000);
    const f = buildFinal(T0, 10_000, [b7!, b3!], T0 + 10_000, T0 + 70_000);
    expect(f).toMatchObject({
      pk: `W#${T0}`,
      records: 9,
      included: [`W#${T0}#3`, `W#${T0}#7`],
      sk: 'F',
      gsiPk: 'FINAL',
    });
    expect(f?.courses).toEqual([
      { course: 'C', events: 9, totalLoc: 9, cpuSum: 9, cpuMin: 1, cpuMax: 1 },
    ]);
    // a partial that raced its bucket's merge, and the flagged one, are late
    expect(latePartials(b3, f, [...ps, partial('P#d', 4)]).map((p) => p.sk)).toEqual([
      'P#c',
      'P#d',
    ]);
    // a bucket final the window's final does not name: all its partials are late
    const b9 = buildBucketFinal(T0, 9, 10_000, [partial('P#x', 1, false, 9)], T0 + 80_000);
    expect(isCounted(partial('P#x', 1, false, 9), b9, f)).toBe(false);
    expect(isCounted(partial('P#a', 3), b3, f)).toBe(true);
    expect(buildFinal(T0, 10_000, [], T0, T0)).toBeUndefined();
    expect(buildBucketFinal(T0, 3, 10_000, [partial('P#c', 1, true)], T0)).toBeUndefined();
  });

  it('finds the buckets of a window from the shards that reported it open', () => {
    const progress = [
      { shardId: 'a', openWindows: new Set([T0]) },
      { shardId: 'b', openWindows: new Set([T0 + 10_000]) },
      { shardId: 'c' },
    ];
    expect(bucketsOf(progress, T0)).toEqual([bucketOf('a')]);
    expect(bucketsOf(progress, T0 + 20_000)).toEqual([]);
  });

  it('rechecks the buckets of passed windows a shard still reports, within the horizon only', () => {
    const progress = [
      { shardId: 'a', openWindows: new Set([T0, T0 + 10_000, T0 + 30_000]) },
      { shardId: 'b', openWindows: new Set([T0 - 60_000]) },
    ];
    expect(racedBuckets(progress, T0 + 20_000, 30_000, 10_000)).toEqual([
      { windowStart: T0, bucket: bucketOf('a') },
      { windowStart: T0 + 10_000, bucket: bucketOf('a') },
    ]);
    expect(racedBuckets(progress, undefined, 30_000, 10_000)).toEqual([]);
  });
});
