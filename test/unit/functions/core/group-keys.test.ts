/**
 * Group names are user data: every name, `__proto__` and `constructor`
 * included, is a group like any other in partials, finals, late partials and
 * crash alerts, and survives the stored form. A record that makes the
 * consumer fail is that record's reject, never its batch's failure.
 */
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildBucketFinal, buildFinal, isCounted } from '../../../../functions/core/closing';
import type { ValidEvent } from '../../../../functions/core/event';
import { planBatch, type KinesisRecordLike } from '../../../../functions/core/merge-plan';
import {
  addEvent,
  aggregatesOf,
  courseRows,
  crashRows,
  emptyAggregates,
  mergeAggregates,
  toStoredGroups,
  type WindowAggregates,
} from '../../../../functions/core/partials';
import { tumblingWindows, type WindowAssigner } from '../../../../functions/core/windows';
import type { PartialItem } from '../../../../functions/core/table-layout';
import { ADVERSARIAL_NAMES, nameArb } from '../../../support/adversarial-names';
import { recompute, type WindowTotals } from '../../../support/oracle';

const T0 = Date.UTC(2026, 10, 23, 3, 0, 0);
const SIZE = 10_000;

const ev = (o: Partial<ValidEvent>): ValidEvent => ({
  event_id: 'e',
  eventTimeMs: T0,
  user_id: 'u',
  student_name: 'n',
  course: 'C',
  activity: 'a',
  lines_of_code: 10,
  cpu_usage_pct: 50,
  severity: 'High',
  content: 'crash',
  ...o,
});

const payload = (o: { t: number; course: string; user: string; crash: boolean; loc?: number }) =>
  JSON.stringify({
    event_id: 'e',
    timestamp: o.t / 1000,
    user_id: o.user,
    student_name: 'n',
    course: o.course,
    activity: 'a',
    lines_of_code: o.loc ?? 1,
    cpu_usage_pct: 12.5,
    severity: o.crash ? 'Critical' : 'Low',
    content: o.crash ? 'CRASH' : 'ok',
  });

let seq = 0;
const records = (payloads: readonly string[], arrivalMs = T0 + 40_000): KinesisRecordLike[] =>
  payloads.map((data) => ({
    shardId: 's-0',
    sequenceNumber: String(1_000_000 + ++seq),
    partitionKey: 'pk',
    data: new TextEncoder().encode(data),
    arrivalMs,
  }));

const ctx = (closedThrough?: number, windows: WindowAssigner = tumblingWindows(SIZE)) => ({
  nowMs: T0 + 41_000,
  closedThrough,
  windows,
  maxFutureSkewMs: 300_000,
  rejectRawMaxBytes: 64,
  lateHorizonMs: 86_400_000,
});

/** Differences between the oracle's totals and an aggregate, as readable lines. */
function differences(expected: WindowTotals | undefined, actual: WindowAggregates): string[] {
  const out: string[] = [];
  const e = expected ?? { courses: new Map(), crashes: new Map() };
  for (const name of new Set([...e.courses.keys(), ...actual.courses.keys()])) {
    const x = e.courses.get(name);
    const y = actual.courses.get(name);
    if (x?.events !== y?.events || x?.totalLoc !== y?.totalLoc || x?.cpuMax !== y?.cpuMax)
      out.push(
        `course ${JSON.stringify(name)}: ${JSON.stringify(y)} expected ${JSON.stringify(x)}`,
      );
  }
  for (const name of new Set([...e.crashes.keys(), ...actual.crashes.keys()])) {
    if (e.crashes.get(name) !== actual.crashes.get(name))
      out.push(`user ${JSON.stringify(name)}: ${actual.crashes.get(name)} crashes`);
  }
  return out;
}

describe('group names that collide with the language', () => {
  it('counts every adversarial name as its own group, in courses and crash alerts', () => {
    const agg = emptyAggregates();
    for (const name of ADVERSARIAL_NAMES)
      for (let i = 0; i < 3; i++) addEvent(agg, ev({ course: name, user_id: name }));
    expect(courseRows(agg).map((r) => [r.course, r.events])).toEqual(
      [...ADVERSARIAL_NAMES].sort().map((n) => [n, 3]),
    );
    expect(crashRows(agg, 2).map((r) => [r.user_id, r.crash_count])).toEqual(
      [...ADVERSARIAL_NAMES].sort().map((n) => [n, 3]),
    );
    expect(Object.getPrototypeOf({})).toBe(Object.prototype); // nothing leaked into the language
  });

  it('keeps every group through the stored form and DynamoDB marshalling', () => {
    const agg = emptyAggregates();
    for (const name of ADVERSARIAL_NAMES) addEvent(agg, ev({ course: name, user_id: name }));
    const item = unmarshall(marshall({ pk: 'W#0', sk: 'F', ...toStoredGroups(agg) }));
    const back = aggregatesOf(item);
    expect(back).toEqual(agg);
    expect(mergeAggregates(back, back).courses.get('__proto__')?.events).toBe(2);
  });

  it('merges any names exactly like the oracle: finals plus late partials (property)', () => {
    const eventArb = fc.record({
      dt: fc.integer({ min: 0, max: 3 * SIZE - 1 }),
      course: nameArb,
      user: nameArb,
      crash: fc.boolean(),
      loc: fc.nat(100),
    });
    fc.assert(
      fc.property(
        fc.array(eventArb, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
        (evs, batchSize, lateSchedule) => {
          const payloads = evs.map((e) => payload({ ...e, t: T0 + e.dt }));
          const partials: PartialItem[] = [];
          for (let i = 0, b = 0; i < payloads.length; i += batchSize, b++) {
            // some batches arrive after the first window closed: their partials there are late
            const closed = lateSchedule[b % lateSchedule.length] ? T0 + SIZE : undefined;
            const plan = planBatch(records(payloads.slice(i, i + batchSize)), ctx(closed));
            expect(plan.rejects).toEqual([]);
            partials.push(...plan.partials);
          }
          const expected = recompute(
            payloads.map((data) => ({ data })),
            { windowSizeMs: SIZE, futureLimitMs: T0 + 3_600_000 },
          );
          expect(expected.valid).toBe(evs.length);
          for (const start of [T0, T0 + SIZE, T0 + 2 * SIZE]) {
            const mine = partials.filter((p) => p.windowStart === start);
            const buckets = [...new Set(mine.map((p) => p.bucket))];
            const bucketFinals = buckets
              .map((b) =>
                buildBucketFinal(
                  start,
                  b,
                  SIZE,
                  mine.filter((p) => p.bucket === b),
                  T0,
                ),
              )
              .filter((f) => f !== undefined);
            const final = buildFinal(start, SIZE, bucketFinals, start + SIZE, T0);
            const late = mine.filter(
              (p) =>
                !isCounted(
                  p,
                  bucketFinals.find((f) => f.pk === p.pk),
                  final,
                ),
            );
            const total = [final, ...late]
              .filter((x) => x !== undefined)
              .map(aggregatesOf)
              .reduce(mergeAggregates, emptyAggregates());
            expect(differences(expected.windows.get(start), total)).toEqual([]);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('a poison record never fails its batch', () => {
  it('turns a record the consumer fails on into an unprocessable reject; the rest count', () => {
    const t = T0 + 5_000;
    const poisoned: WindowAssigner = {
      sizeMs: SIZE,
      assign(ms) {
        if (ms === t) throw new RangeError('no window for this record');
        return tumblingWindows(SIZE).assign(ms);
      },
    };
    const batch = records([
      payload({ t: T0 + 1_000, course: 'CS-1', user: 'u1', crash: false }),
      payload({ t, course: 'CS-1', user: 'u1', crash: false }),
      payload({ t: T0 + 2_000, course: 'CS-1', user: 'u1', crash: false }),
    ]);
    const plan = planBatch(batch, ctx(undefined, poisoned));
    expect(plan.counts).toMatchObject({ records: 3, valid: 2, rejected: 1 });
    expect(plan.rejects[0]).toMatchObject({
      reason: 'unprocessable',
      sequenceNumber: batch[1]!.sequenceNumber,
    });
    expect(plan.rejects[0]!.detail).toMatch(/RangeError: no window for this record/);
    expect(plan.partials.map((p) => p.records)).toEqual([2]);
  });

  it('rejects a lone surrogate in a name as invalid_text, with a detail that is text', () => {
    const plan = planBatch(
      records([
        payload({ t: T0, course: 'ok\ud800', user: 'u', crash: false }),
        payload({ t: T0, course: 'fine', user: '\udc00', crash: true }),
        payload({ t: T0, course: '😀', user: '😀', crash: true }),
      ]),
      ctx(),
    );
    expect(plan.rejects.map((r) => r.reason)).toEqual(['invalid_text', 'invalid_text']);
    expect(plan.rejects.every((r) => !/\p{Cs}/u.test(r.detail + r.raw))).toBe(true);
    expect(plan.counts.valid).toBe(1);
  });
});
