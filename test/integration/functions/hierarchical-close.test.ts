/**
 * The two-level close (issue 15) under races and crashes, on dynalite:
 * partials merge into bucket finals, bucket finals into the window's final,
 * every level write-once and naming what it merged. Whatever interleaves,
 * finals + late equal the offline recomputation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUCKET_FINAL_SK,
  bucketOf,
  bucketPk,
  type BucketFinalItem,
  type FinalItem,
  type PartialItem,
} from '../../../functions/core/table-layout';
import { closerTick } from '../../../functions/handlers/closer-tick';
import { consumeBatch } from '../../../functions/handlers/consumer';
import { RejectsStore } from '../../../functions/store/rejects-store';
import { WindowsStore } from '../../../functions/store/windows-store';
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

const shardId = (i: number) => `shardId-${String(i).padStart(12, '0')}`;

/** `n` shard ids in distinct buckets, or (sameBucket) in one bucket. */
function shards(n: number, sameBucket = false): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const id = shardId(i);
    const b = bucketOf(id);
    const first = out[0] === undefined ? b : bucketOf(out[0]);
    if (sameBucket ? b === first : !out.some((o) => bucketOf(o) === b)) out.push(id);
  }
  return out;
}

/** `count` events in the first window, from `seed` on. */
const payloads = (count: number, seed: number) =>
  Array.from({ length: count }, (_, i) =>
    eventJson({
      t: T0 + ((seed * 7 + i * 13) % 9_000),
      user: `user_${(seed + i) % 4}`,
      course: ['CS-101', 'MATH-201'][(seed + i) % 2] as string,
      severity: (seed + i) % 3 === 0 ? 'Critical' : 'Low',
      content: 'App CRASHED in parser',
    }),
  );

/** `count` records in the first window and one at T0 + 31 s, so the watermark passes the first window. */
function batch(p: Pipeline, feed: ShardFeed, count: number, seed: number) {
  const push = eventJson({ t: T0 + 31_000, user: 'user_9', course: 'CS-101' });
  return p.stream(feed.records([...payloads(count, seed), push], T0 + 32_000));
}

const firstWindow = (closed: readonly FinalItem[]) => closed.filter((f) => f.windowStart === T0);

/** A consumer that read the cursor before the closer moved it. */
function staleConsume(p: Pipeline, records: Parameters<Pipeline['consume']>[0], nowMs: number) {
  const control = Object.create(p.control) as typeof p.control;
  control.readGlobal = async () => ({});
  const rejects = new RejectsStore(p.db, `${p.prefix}-rejects`);
  return consumeBatch({ config: p.config, windows: p.windows, control, rejects }, records, nowMs);
}

/** The windows store with a hook before the Nth write-once put of a kind of item. */
class HookedStore extends WindowsStore {
  constructor(
    p: Pipeline,
    private readonly hook: (item: PartialItem | BucketFinalItem | FinalItem) => Promise<void>,
  ) {
    super(p.db, `${p.prefix}-windows`);
  }
  override async putOnce(item: PartialItem | BucketFinalItem | FinalItem) {
    await this.hook(item);
    return super.putOnce(item);
  }
}

const tickWith = (p: Pipeline, windows: WindowsStore, nowMs: number) =>
  closerTick(
    { config: p.config, windows, control: p.control, lineage: async () => undefined },
    nowMs,
  );

async function bucketFinals(p: Pipeline, buckets: readonly number[]) {
  const out: BucketFinalItem[] = [];
  for (const b of buckets) {
    const f = (await p.windows.readBucket(T0, b)).final;
    if (f) out.push(f);
  }
  return out;
}

describe('two-level close (dynalite)', () => {
  it('counts a partial that races its bucket merge as late, once, and the recheck indexes it', async () => {
    const p = await makePipeline(db.endpoint);
    const [a, b] = shards(2, true);
    await p.consume(batch(p, new ShardFeed(a as string), 30, 1), T0 + 45_000);
    const racer = batch(p, new ShardFeed(b as string), 20, 2);
    let raced = false;
    const store = new HookedStore(p, async (item) => {
      // the bucket was read; before its final is written, another shard's partial lands there
      if (item.sk === BUCKET_FINAL_SK && !raced) {
        raced = true;
        await staleConsume(p, racer, T0 + 45_500);
      }
    });
    const first = await tickWith(p, store, T0 + 46_000);
    expect(firstWindow(first.closed).map((f) => f.records)).toEqual([30]);
    const bf = (await p.windows.readBucket(T0, bucketOf(a as string))).final;
    expect(bf?.included).toHaveLength(1); // a's partial only: b's arrived after the read
    const next = await p.tick(T0 + 51_000);
    expect(next.lateFlagged).toBe(20);
    await p.drain(T0 + 56_000);
    expect(await p.problems(FUTURE_LIMIT)).toEqual([]);
    expect((await p.actual()).lateRecords).toBe(20);
  });

  it('after a crash between the levels, the next run merges exactly the bucket finals written', async () => {
    const p = await makePipeline(db.endpoint);
    const ids = shards(3);
    const feeds = ids.map((id) => new ShardFeed(id));
    for (const [i, feed] of feeds.entries()) await p.consume(batch(p, feed, 25, i), T0 + 45_000);
    const crashing = new HookedStore(p, async (item) => {
      if (item.sk === 'F') throw new Error('injected crash: closer died before the final');
    });
    await expect(tickWith(p, crashing, T0 + 46_000)).rejects.toThrow('injected crash');
    const buckets = ids.map(bucketOf);
    const written = await bucketFinals(p, buckets);
    expect(written).toHaveLength(3);
    // a partial lands in a merged bucket between the levels: its bucket final does not name it
    await staleConsume(p, batch(p, feeds[0] as ShardFeed, 10, 9), T0 + 47_000);
    const tick = await p.tick(T0 + 51_000);
    const final = firstWindow(tick.closed)[0];
    expect(final?.included).toEqual(written.map((f) => f.pk).sort());
    expect(final?.records).toBe(75);
    // the bucket finals were not rewritten
    expect((await bucketFinals(p, buckets)).map((f) => f.closedAt)).toEqual(
      written.map((f) => f.closedAt),
    );
    await p.drain(T0 + 56_000);
    expect(await p.problems(FUTURE_LIMIT)).toEqual([]);
    expect((await p.actual()).lateRecords).toBe(10);
  });

  it('two closers: the one that loses a bucket final merges the winner’s, one final', async () => {
    const p = await makePipeline(db.endpoint);
    const ids = shards(3);
    for (const [i, id] of ids.entries())
      await p.consume(batch(p, new ShardFeed(id), 20, i), T0 + 45_000);
    let second: Promise<unknown> | undefined;
    const racing = new HookedStore(p, async (item) => {
      // before closer 1 writes its first bucket final, closer 2 runs a whole tick
      if (item.sk === BUCKET_FINAL_SK && !second) {
        second = p.tick(T0 + 46_100);
        await second;
      }
    });
    const one = await tickWith(p, racing, T0 + 46_000);
    const two = (await second) as Awaited<ReturnType<typeof p.tick>>;
    const finals = firstWindow([...one.closed, ...two.closed]);
    expect(finals).toHaveLength(1);
    const stored = await bucketFinals(p, ids.map(bucketOf));
    expect(finals[0]?.included).toEqual(stored.map((f) => f.pk).sort());
    // closer 2 won at least one bucket; whoever wrote each, the final merges exactly what is stored
    expect(stored.some((f) => f.closedAt === T0 + 46_100)).toBe(true);
    expect(finals[0]?.records).toBe(stored.reduce((n, f) => n + f.records, 0));
    await p.drain(T0 + 51_000);
    expect(await p.problems(FUTURE_LIMIT)).toEqual([]);
    expect((await p.actual()).finalRecords).toBe(60 + 3);
  });

  it('a closer that loses a bucket final to one that died before the final merges the stored one', async () => {
    const p = await makePipeline(db.endpoint);
    const ids = shards(2);
    const feeds = ids.map((id) => new ShardFeed(id));
    for (const [i, feed] of feeds.entries()) await p.consume(batch(p, feed, 20, i), T0 + 45_000);
    let other = false;
    const racing = new HookedStore(p, async (item) => {
      if (item.sk !== BUCKET_FINAL_SK || other) return;
      other = true;
      // after closer 1 read the buckets: a partial lands, closer 2 writes the bucket finals and dies
      await staleConsume(p, batch(p, feeds[0] as ShardFeed, 7, 5), T0 + 45_500);
      const dying = new HookedStore(p, async (i) => {
        if (i.sk === 'F') throw new Error('injected crash');
      });
      await expect(tickWith(p, dying, T0 + 46_100)).rejects.toThrow('injected crash');
    });
    const one = await tickWith(p, racing, T0 + 46_000);
    expect(firstWindow(one.closed)[0]?.records).toBe(47);
    await p.drain(T0 + 51_000);
    expect(await p.problems(FUTURE_LIMIT)).toEqual([]);
  });

  it('keeps every shard of a window in its own bucket partition', async () => {
    const p = await makePipeline(db.endpoint);
    const ids = shards(2);
    for (const [i, id] of ids.entries())
      await p.consume(batch(p, new ShardFeed(id), 5, i), T0 + 45_000);
    for (const id of ids) {
      const part = await p.windows.readBucket(T0, bucketOf(id));
      expect(part.partials.map((x) => [x.pk, x.shardId])).toEqual([
        [bucketPk(T0, bucketOf(id)), id],
      ]);
    }
  });
});
