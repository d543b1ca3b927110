/**
 * Group names that collide with the language, through the whole merge on a
 * real DynamoDB emulator: consumer -> partial items -> closer -> finals and
 * late partials -> the results reader, compared exactly with the oracle.
 * Before groups were Maps stored as lists, a course `__proto__` made every
 * retry of its batch throw (the shard stopped) and `constructor` or
 * `toString` were silently dropped.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashRows, courseRows } from '../../../functions/core/partials';
import { createResultsReader } from '../../../functions/store/results-reader';
import { ADVERSARIAL_NAMES, PROTOTYPE_NAMES, nameArb } from '../../support/adversarial-names';
import { startDynalite, type Dynalite } from '../../support/dynalite';
import { eventJson, ShardFeed } from '../../support/kinesis-events';
import { makePipeline, type Pipeline } from '../../support/pipeline-harness';

const T0 = Date.UTC(2026, 10, 23, 3, 0, 0);
const FUTURE_LIMIT = T0 + 3_600_000;

let db: Dynalite;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});

const readerOf = (p: Pipeline) =>
  createResultsReader({
    client: p.db,
    names: {
      windowsTable: `${p.prefix}-windows`,
      controlTable: `${p.prefix}-control`,
      rejectsTable: `${p.prefix}-rejects`,
    },
    windowSizeMs: p.config.windowing.windowSizeMs,
  });

describe('adversarial group names (dynalite)', () => {
  it('counts the __proto__ batch in finals, crash alerts and late, and never fails the batch', async () => {
    const p = await makePipeline(db.endpoint);
    const feed = new ShardFeed('shardId-000000000000');
    const crash = { severity: 'Critical', content: 'app CRASHED' } as const;
    const batch = PROTOTYPE_NAMES.flatMap((name, i) =>
      [0, 1, 2].map((k) => eventJson({ t: T0 + i * 100 + k, course: name, user: name, ...crash })),
    );
    const plan = await p.consume(p.stream(feed.records(batch, T0 + 2_000)), T0 + 2_000);
    expect(plan?.counts).toMatchObject({ valid: batch.length, rejected: 0 });
    await p.drain(T0 + 3_000);
    // the same names arrive for the closed window: late, with their groups
    const late = ['__proto__', 'constructor'].map((name) =>
      eventJson({ t: T0 + 500, course: name, user: name, ...crash }),
    );
    const latePlan = await p.consume(p.stream(feed.records(late, T0 + 200_000)), T0 + 200_000);
    expect(latePlan?.counts.late).toBe(2);
    await p.drain(T0 + 201_000);
    expect(await p.problems(FUTURE_LIMIT)).toEqual([]);

    const reader = readerOf(p);
    const [w] = await reader.finals(T0, T0 + 10_000);
    const alerts = crashRows(w!.aggregates, p.config.windowing.crashAlertThreshold);
    expect(alerts.map((r) => [r.user_id, r.crash_count]).sort()).toEqual(
      PROTOTYPE_NAMES.map((n) => [n, 3]).sort(),
    );
    expect(courseRows(w!.aggregates)).toHaveLength(PROTOTYPE_NAMES.length);
    const latePartials = await reader.late(T0, T0 + 10_000);
    expect(
      latePartials.flatMap((l) => courseRows(l.aggregates).map((r) => r.course)).sort(),
    ).toEqual(['__proto__', 'constructor']);
  });

  it('keeps empty-ish, key-like and 512-unit names apart', async () => {
    const p = await makePipeline(db.endpoint);
    const feed = new ShardFeed('shardId-000000000000');
    const batch = ADVERSARIAL_NAMES.map((name, i) =>
      eventJson({ t: T0 + i, course: name, user: name, severity: 'High', content: 'crash' }),
    );
    await p.consume(p.stream(feed.records(batch, T0 + 2_000)), T0 + 2_000);
    await p.drain(T0 + 3_000);
    expect(await p.problems(FUTURE_LIMIT)).toEqual([]);
    const [w] = await readerOf(p).finals(T0, T0 + 10_000);
    expect(w!.aggregates.courses.size).toBe(ADVERSARIAL_NAMES.length);
    expect(w!.aggregates.crashes.size).toBe(ADVERSARIAL_NAMES.length);
  });

  it('merges any names exactly, on time and late, like the oracle (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            dt: fc.integer({ min: 0, max: 25_000 }),
            course: nameArb,
            user: nameArb,
            crash: fc.boolean(),
            late: fc.boolean(),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.integer({ min: 1, max: 15 }),
        async (evs, batchSize) => {
          const p = await makePipeline(db.endpoint);
          const feed = new ShardFeed('shardId-000000000000');
          const payloads = (late: boolean) =>
            evs
              .filter((e) => e.late === late)
              .map((e) =>
                eventJson({
                  t: T0 + e.dt,
                  course: e.course,
                  user: e.user,
                  severity: e.crash ? 'High' : 'Low',
                  content: 'a crash',
                }),
              );
          const onTime = p.stream(feed.records(payloads(false), T0 + 26_000));
          for (let i = 0; i < onTime.length; i += batchSize)
            await p.consume(onTime.slice(i, i + batchSize), T0 + 26_000);
          await p.drain(T0 + 27_000);
          const late = p.stream(feed.records(payloads(true), T0 + 300_000));
          for (let i = 0; i < late.length; i += batchSize)
            await p.consume(late.slice(i, i + batchSize), T0 + 300_000);
          await p.drain(T0 + 301_000);
          expect(await p.problems(FUTURE_LIMIT)).toEqual([]);
          const actual = await p.actual();
          expect(actual.finalRecords + actual.lateRecords).toBe(evs.length);
        },
      ),
      { numRuns: 6 },
    );
  }, 180_000); // six pipelines on a shared machine: a generous bound, not an assertion
});
