/**
 * Exactly-once under faults: finals + late must equal the offline
 * recomputation of the records in the stream, against a real DynamoDB
 * emulator, whatever the delivery does. Each test stages one failure mode of
 * DESIGN.md's correctness contract.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KinesisRecordLike } from '../../../functions/core/merge-plan';
import { startDynalite, type Dynalite } from '../../support/dynalite';
import { eventJson, ShardFeed, type EventSpec } from '../../support/kinesis-events';
import { makePipeline, type Pipeline } from '../../support/pipeline-harness';

const T0 = Date.UTC(2026, 10, 23, 3, 0, 0);
const FUTURE_LIMIT = T0 + 3_600_000;
const COURSES = ['CS-101', 'CS-315', 'MATH-201'];
const USERS = ['user_1', 'user_2', 'user_3', 'user_4', 'user_5'];

let db: Dynalite;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});

/** A deterministic spread of events over `seconds` from T0, some of them crashes. */
function events(count: number, seconds: number, seed = 1): EventSpec[] {
  let x = seed;
  const rnd = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  return Array.from({ length: count }, (_, i) => ({
    t: T0 + Math.floor((i / count) * seconds * 1000),
    user: USERS[Math.floor(rnd() * USERS.length)] as string,
    course: COURSES[Math.floor(rnd() * COURSES.length)] as string,
    loc: Math.floor(rnd() * 200),
    cpu: Math.round(rnd() * 1000) / 10,
    severity: rnd() < 0.5 ? 'High' : 'Low',
    content: rnd() < 0.6 ? 'App CRASHED in parser' : 'tests passed',
  }));
}

function batches<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

const arrivalOf = (rs: readonly KinesisRecordLike[]) => Math.max(...rs.map((r) => r.arrivalMs));

async function expectExact(p: Pipeline) {
  expect(await p.problems(FUTURE_LIMIT)).toEqual([]);
}

describe('exactly-once merge under faults (dynalite)', () => {
  it('counts a batch delivered twice once', async () => {
    const p = await makePipeline(db.endpoint);
    const feed = new ShardFeed('shardId-000000000000');
    const all = p.stream(feed.records(events(300, 35).map(eventJson), T0 + 36_000));
    const bs = batches(all, 50);
    for (const b of bs) await p.consume(b, T0 + 36_000);
    const replay = await p.consume(bs[2] as KinesisRecordLike[], T0 + 37_000);
    expect(
      replay && (replay as { outcome?: { duplicates: number } }).outcome?.duplicates,
    ).toBeGreaterThan(0);
    await p.drain(T0 + 40_000);
    await expectExact(p);
    const actual = await p.actual();
    expect(actual.lateRecords).toBe(0);
    expect(actual.finalRecords).toBe(300);
  });

  it('counts a batch once when the invocation dies after some writes and is retried', async () => {
    const p = await makePipeline(db.endpoint);
    const feed = new ShardFeed('shardId-000000000000');
    // one batch spanning four windows, so it writes four partials
    const batch = p.stream(feed.records(events(120, 38).map(eventJson), T0 + 39_000));
    await expect(p.consume(batch, T0 + 39_000, p.crashingStore(2))).rejects.toThrow(
      /injected crash/,
    );
    // Lambda retries the same batch; this time it gets through
    await p.consume(batch, T0 + 40_000);
    await p.drain(T0 + 41_000);
    await expectExact(p);
    expect((await p.actual()).finalRecords).toBe(120);
  });

  it('stays exact when the retry of a crashed invocation comes after the closer moved on', async () => {
    const p = await makePipeline(db.endpoint);
    const feed = new ShardFeed('shardId-000000000000');
    await p.consume(
      p.stream(feed.records(events(10, 5, 9).map(eventJson), T0 + 6_000)),
      T0 + 6_000,
    );
    const batch = p.stream(feed.records(events(120, 38).map(eventJson), T0 + 39_000));
    await expect(p.consume(batch, T0 + 39_000, p.crashingStore(2))).rejects.toThrow(
      /injected crash/,
    );
    // retries take longer than the idle timeout: the shard counts as quiet and the
    // closer closes every window, two of them with the crashed attempt's partials
    await p.drain(T0 + 40_000);
    // the retry now sees those windows closed: what it re-writes must not disturb the finals
    const retry = await p.consume(batch, T0 + 200_000);
    expect(retry?.counts.late).toBe(120);
    await p.drain(T0 + 201_000);
    await expectExact(p);
    const actual = await p.actual();
    expect(actual.finalRecords + actual.lateRecords).toBe(130);
    expect(actual.lateRecords).toBeGreaterThan(0);
  });

  it('keeps concurrent lanes of one shard (ParallelizationFactor > 1) exact', async () => {
    const p = await makePipeline(db.endpoint);
    const feed = new ShardFeed('shardId-000000000000');
    const all = p.stream(feed.records(events(400, 30).map(eventJson), T0 + 31_000));
    // lanes by partition key, as Lambda does: order holds only per key
    const lanes = new Map<string, KinesisRecordLike[]>();
    for (const r of all) lanes.set(r.partitionKey, [...(lanes.get(r.partitionKey) ?? []), r]);
    await Promise.all(
      [...lanes.values()].map(async (laneRecords) => {
        for (const b of batches(laneRecords, 20)) await p.consume(b, T0 + 31_000);
      }),
    );
    await p.drain(T0 + 32_000);
    await expectExact(p);
  });

  it('follows a reshard: parent read to its end, then its children', async () => {
    const p = await makePipeline(db.endpoint);
    const parent = new ShardFeed('shardId-000000000000');
    const childA = new ShardFeed('shardId-000000000001');
    const childB = new ShardFeed('shardId-000000000002');
    const evs = events(300, 40);
    const before = p.stream(parent.records(evs.slice(0, 150).map(eventJson), T0 + 20_000));
    p.setLineage([
      { shardId: 'shardId-000000000000', closed: true },
      { shardId: 'shardId-000000000001', parentShardId: 'shardId-000000000000', closed: false },
      { shardId: 'shardId-000000000002', parentShardId: 'shardId-000000000000', closed: false },
    ]);
    for (const b of batches(before, 50)) await p.consume(b, T0 + 21_000);
    // the closer runs between parent and children: children inherit the parent's progress
    const mid = await p.tick(T0 + 22_000);
    expect(mid.shardStatus['shardId-000000000001']).toBe('live');
    const rest = evs.slice(150);
    const a = p.stream(
      childA.records(rest.filter((_, i) => i % 2 === 0).map(eventJson), T0 + 41_000),
    );
    const b = p.stream(
      childB.records(rest.filter((_, i) => i % 2 === 1).map(eventJson), T0 + 41_000),
    );
    await Promise.all([
      (async () => {
        for (const x of batches(a, 25)) await p.consume(x, T0 + 41_000);
      })(),
      (async () => {
        for (const x of batches(b, 25)) await p.consume(x, T0 + 41_000);
      })(),
    ]);
    const after = await p.tick(T0 + 42_000);
    expect(after.shardStatus['shardId-000000000000']).toBe('drained');
    await p.drain(T0 + 43_000);
    await expectExact(p);
  });

  it('adds out-of-order events to their windows and keeps late ones out of finals, counted', async () => {
    const p = await makePipeline(db.endpoint);
    const feed = new ShardFeed('shardId-000000000000');
    const evs = events(200, 60);
    // shuffle within 15 s: out of order but within the allowed lateness
    const shuffled = [...evs].sort(
      (x, y) => x.t + ((x.loc ?? 0) % 15) * 1000 - (y.t + ((y.loc ?? 0) % 15) * 1000),
    );
    for (const b of batches(p.stream(feed.records(shuffled.map(eventJson), T0 + 61_000)), 40))
      await p.consume(b, T0 + 61_000);
    await p.drain(T0 + 62_000);
    const closedFirst = (await p.actual()).finalRecords;
    expect(closedFirst).toBe(200);
    // records for windows that closed long ago arrive now: late
    const late = p.stream(feed.records(events(30, 20, 7).map(eventJson), T0 + 300_000));
    const plan = await p.consume(late, T0 + 300_000);
    expect(plan?.counts.late).toBe(30);
    await p.drain(T0 + 301_000);
    const actual = await p.actual();
    expect(actual.finalRecords).toBe(200);
    expect(actual.lateRecords).toBe(30);
    await expectExact(p);
  });

  it('rejects malformed records with a reason, keeps them, and never fails the batch', async () => {
    const p = await makePipeline(db.endpoint);
    const feed = new ShardFeed('shardId-000000000000');
    const good = events(60, 20).map(eventJson);
    const bad = [
      '{not json',
      JSON.stringify({ event_id: 'x' }),
      JSON.stringify({ ...JSON.parse(good[0] as string), cpu_usage_pct: 140 }),
      JSON.stringify({ ...JSON.parse(good[0] as string), lines_of_code: 'many' }),
      JSON.stringify({ ...JSON.parse(good[0] as string), timestamp: (T0 + 86_400_000) / 1000 }),
      '[1,2,3]',
    ];
    const mixed = [...good.slice(0, 30), ...bad, ...good.slice(30)];
    const records = p.stream(feed.records(mixed, T0 + 21_000));
    await p.consume(records, T0 + 21_000);
    await p.drain(T0 + 22_000);
    await expectExact(p);
    const actual = await p.actual();
    const expected = p.expected(FUTURE_LIMIT);
    expect(actual.rejects).toHaveLength(bad.length);
    expect(expected.rejected).toHaveLength(bad.length);
    expect(new Set(actual.rejects.map((r) => r.reason))).toEqual(
      new Set([
        'invalid_json',
        'missing_field',
        'out_of_range',
        'wrong_type',
        'future_timestamp',
        'not_an_object',
      ]),
    );
    expect(
      actual.rejects.every((r) => typeof r.raw === 'string' && (r.raw as string).length > 0),
    ).toBe(true);
  });

  it('does not let an idle shard hold the watermark back forever', async () => {
    const p = await makePipeline(db.endpoint);
    const busy = new ShardFeed('shardId-000000000000');
    const idle = new ShardFeed('shardId-000000000001');
    await p.consume(p.stream(idle.records([eventJson({ t: T0 + 1_000 })], T0 + 1_000)), T0 + 1_000);
    for (let s = 0; s < 120; s += 10) {
      const now = T0 + (s + 10) * 1000;
      const evs = events(20, 10, s + 3).map((e) => ({ ...e, t: e.t + s * 1000 }));
      await p.consume(p.stream(busy.records(evs.map(eventJson), now)), now);
    }
    // before the idle timeout the quiet shard holds the watermark at its own progress
    const early = await p.tick(T0 + 20_000);
    expect(early.watermark).toBeLessThanOrEqual(T0 + 1_000 - 20_000);
    const later = await p.tick(T0 + 130_000);
    expect(later.shardStatus['shardId-000000000001']).toBe('idle');
    expect(later.watermark).toBeGreaterThan(T0 + 60_000);
    expect(later.closed.length).toBeGreaterThan(0);
    await p.drain(T0 + 131_000);
    await expectExact(p);
  });

  it('closes the last windows after the stream goes quiet', async () => {
    const p = await makePipeline(db.endpoint);
    const feed = new ShardFeed('shardId-000000000000');
    await p.consume(
      p.stream(feed.records(events(50, 25).map(eventJson), T0 + 26_000)),
      T0 + 26_000,
    );
    const whileFresh = await p.tick(T0 + 27_000);
    expect(whileFresh.closed).toHaveLength(0); // lateness not yet passed
    const reports = await p.drain(T0 + 28_000);
    expect(reports.some((r) => r.quiet)).toBe(true);
    const actual = await p.actual();
    expect(actual.openPartials).toBe(0);
    expect(actual.finalRecords).toBe(50);
    await expectExact(p);
  });

  it('counts a partial that races the close as late, and the recheck indexes it', async () => {
    const p = await makePipeline(db.endpoint);
    const feed = new ShardFeed('shardId-000000000000');
    await p.consume(p.stream(feed.records(events(40, 9).map(eventJson), T0 + 10_000)), T0 + 10_000);
    // a consumer read the cursor (nothing closed yet) ...
    const raced = p.stream(
      feed.records(
        [eventJson({ t: T0 + 5_000, severity: 'Critical', content: 'crash' })],
        T0 + 10_500,
      ),
    );
    const staleControl = Object.create(p.control) as typeof p.control;
    staleControl.readGlobal = async () => ({});
    // ... the closer closes the window meanwhile ...
    await p.drain(T0 + 11_000);
    // ... then the consumer's partial lands
    const { consumeBatch } = await import('../../../functions/handlers/consumer');
    const { RejectsStore } = await import('../../../functions/store/rejects-store');
    await consumeBatch(
      {
        config: p.config,
        windows: p.windows,
        control: staleControl,
        rejects: new RejectsStore(p.db, `${p.prefix}-rejects`),
      },
      raced,
      T0 + 80_000,
    );
    const tick = await p.tick(T0 + 90_000);
    expect(tick.lateFlagged).toBe(1);
    const actual = await p.actual();
    expect(actual.lateRecords).toBe(1);
    await expectExact(p);
  });

  it('stays exact with two closers running at once', async () => {
    const p = await makePipeline(db.endpoint);
    const feed = new ShardFeed('shardId-000000000000');
    for (const b of batches(
      p.stream(feed.records(events(200, 50).map(eventJson), T0 + 51_000)),
      40,
    ))
      await p.consume(b, T0 + 51_000);
    const now = T0 + 200_000;
    await Promise.all([p.tick(now), p.tick(now), p.tick(now + 10)]);
    await p.drain(now + 1_000);
    await expectExact(p);
  });

  it('holds for random events under random duplicate, crash and lane schedules (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            dt: fc.integer({ min: 0, max: 45_000 }),
            user: fc.constantFrom(...USERS),
            course: fc.constantFrom(...COURSES),
            loc: fc.nat(500),
            cpu: fc.integer({ min: 0, max: 1000 }).map((x) => x / 10),
            crash: fc.boolean(),
            high: fc.boolean(),
          }),
          { minLength: 1, maxLength: 120 },
        ),
        fc.integer({ min: 5, max: 40 }), // batch size
        fc.array(fc.constantFrom('ok', 'dup', 'crash'), { minLength: 1, maxLength: 12 }),
        fc.boolean(), // lanes
        async (evs, batchSize, faults, useLanes) => {
          const p = await makePipeline(db.endpoint);
          const feed = new ShardFeed('shardId-000000000000');
          const payloads = evs.map((e) =>
            eventJson({
              t: T0 + e.dt,
              user: e.user,
              course: e.course,
              loc: e.loc,
              cpu: e.cpu,
              severity: e.high ? 'High' : 'Medium',
              content: e.crash ? 'fatal Crash' : 'ok',
            }),
          );
          const records = p.stream(feed.records(payloads, T0 + 46_000));
          const byKey = new Map<string, KinesisRecordLike[]>();
          for (const r of records)
            byKey.set(r.partitionKey, [...(byKey.get(r.partitionKey) ?? []), r]);
          const groups = useLanes ? [...byKey.values()] : [records];
          let f = 0;
          await Promise.all(
            groups.map(async (lane) => {
              for (const b of batches(lane, batchSize)) {
                const fault = faults[f++ % faults.length];
                if (fault === 'crash') {
                  await p.consume(b, arrivalOf(b), p.crashingStore(0)).catch(() => undefined);
                }
                await p.consume(b, arrivalOf(b));
                if (fault === 'dup') await p.consume(b, arrivalOf(b));
              }
            }),
          );
          await p.drain(T0 + 47_000);
          expect(await p.problems(FUTURE_LIMIT)).toEqual([]);
        },
      ),
      { numRuns: 12 },
    );
  });
});
