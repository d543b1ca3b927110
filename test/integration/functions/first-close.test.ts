/**
 * The very first close of a pipeline has no close cursor yet, so the closer
 * starts from the earliest event time the shards reported. That is each
 * shard's first batch's minimum (progress keeps it with if_not_exists), so an
 * out-of-order record that arrives in a later batch, within the allowed
 * lateness but older than that minimum, lands in a window below it. Such a
 * record is on time (no window was closed when it arrived, and it is within
 * lateness of its shard); it must be in the final, not reported late.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, type Dynalite } from '../../support/dynalite';
import { eventJson, ShardFeed } from '../../support/kinesis-events';
import { makePipeline } from '../../support/pipeline-harness';

const T0 = Date.UTC(2026, 10, 23, 3, 0, 0);

let db: Dynalite;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});

describe('first close of a new pipeline (dynalite)', () => {
  it('keeps an on-time out-of-order record older than the first batch in its final', async () => {
    const p = await makePipeline(db.endpoint); // 10 s windows, 20 s lateness
    const feed = new ShardFeed('shardId-000000000000');
    // first batch: events at T0+30..35 s
    const first = Array.from({ length: 10 }, (_, i) => eventJson({ t: T0 + 30_000 + i * 500 }));
    await p.consume(p.stream(feed.records(first, T0 + 36_000)), T0 + 36_000);
    // second batch: one event at T0+15 s, 15-20 s behind the shard's max: within the 20 s lateness
    const ooo = eventJson({ t: T0 + 15_000, severity: 'Critical', content: 'CRASH' });
    const plan = await p.consume(p.stream(feed.records([ooo], T0 + 37_000)), T0 + 37_000);
    expect(plan?.counts.late).toBe(0);
    await p.drain(T0 + 38_000);
    const actual = await p.actual();
    expect(actual.lateRecords).toBe(0);
    expect(actual.finalRecords).toBe(11);
    expect(await p.problems(T0 + 3_600_000)).toEqual([]);
  });
});
