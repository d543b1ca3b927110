/**
 * A consumer that drains a backlog processes its last batch with a large
 * iterator age (the records waited in the stream). If the stream then goes
 * quiet, no further batch ever comes to report a small age; the shard must
 * still count as idle — its last batch was not full, so the consumer had read
 * everything there was — or the last windows would never close.
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

describe('quiet after a backlog (dynalite)', () => {
  it('closes the last windows although the last batch was processed far behind the stream', async () => {
    const p = await makePipeline(db.endpoint); // batch size 500, caught up under 5 s of iterator age
    const feed = new ShardFeed('shardId-000000000000');
    const size = p.config.consumer.batchSize;
    // 40 s of records arrived while the consumer was down ...
    const payloads = Array.from({ length: size + 100 }, (_, i) =>
      eventJson({ t: T0 + Math.floor((i * 40_000) / (size + 100)) }),
    );
    const records = p.stream(feed.records(payloads, T0 + 40_000));
    // ... and are read 30 s later: a full batch, then the rest (iterator age 30 s on both)
    await p.consume(records.slice(0, size), T0 + 70_000);
    const last = await p.consume(records.slice(size), T0 + 70_500);
    expect(last?.progress.iteratorAgeMs).toBeGreaterThan(p.config.consumer.caughtUpIteratorAgeMs);
    const reports = await p.drain(T0 + 71_000);
    expect(reports.at(-1)?.shardStatus['shardId-000000000000']).toBe('idle');
    const actual = await p.actual();
    expect(actual.openPartials).toBe(0);
    expect(actual.finalRecords).toBe(size + 100);
    expect(await p.problems(T0 + 3_600_000)).toEqual([]);
  });

  it('keeps a shard whose last batch was full and far behind counting (its consumer may be stuck on more)', async () => {
    const p = await makePipeline(db.endpoint);
    const feed = new ShardFeed('shardId-000000000000');
    const size = p.config.consumer.batchSize;
    const payloads = Array.from({ length: size }, (_, i) => eventJson({ t: T0 + i * 10 }));
    await p.consume(p.stream(feed.records(payloads, T0 + 10_000)), T0 + 40_000);
    const tick = await p.tick(T0 + 200_000);
    expect(tick.shardStatus['shardId-000000000000']).toBe('live');
  });
});
