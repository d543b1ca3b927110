/**
 * The closer never walks empty time. A valid record stamped 2001 in a new
 * pipeline's first batch used to make the closer start from 2001 and walk
 * forward a tick's worth of windows at a time (~12 days to reach now) while
 * on-time windows stayed provisional. Now a record whose window ended more
 * than the late horizon (the stream's retention) before it arrived is late on
 * arrival, and the closer visits only windows that hold on-time partials,
 * jumping over everything between.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createResultsReader } from '../../../functions/store/results-reader';
import { startDynalite, type Dynalite } from '../../support/dynalite';
import { eventJson, ShardFeed } from '../../support/kinesis-events';
import { makePipeline } from '../../support/pipeline-harness';

const T0 = Date.UTC(2026, 10, 23, 3, 0, 0);
const YEAR_2001 = Date.UTC(2001, 8, 1, 12, 0, 0);
/** How far behind its window's end a final may be written, in pipeline time. */
const FINAL_WITHIN_MS = (latenessMs: number) => latenessMs + 30_000;

let db: Dynalite;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});

describe('old records (dynalite)', () => {
  it('keeps on-time windows closing on time when a 2001 record comes first', async () => {
    const p = await makePipeline(db.endpoint); // 10 s windows, 20 s lateness
    const { windowSizeMs: size, allowedLatenessMs: lateness } = p.config.windowing;
    const reads = vi.spyOn(p.windows, 'readBucket');
    const feed = new ShardFeed('shardId-000000000000');
    const old = eventJson({
      t: YEAR_2001,
      course: 'CS-2001',
      severity: 'Critical',
      content: 'crash',
    });

    // Pipeline time: a batch every 2 s stamped 1 s before it arrives, the closer every 5 s.
    const runForMs = 120_000;
    const batchEveryMs = 2_000;
    const tickEveryMs = p.config.closer.tickSeconds * 1000;
    let firstLate: number | undefined;
    for (let dt = 0; dt <= runForMs; dt += 1_000) {
      const now = T0 + dt;
      if (dt % batchEveryMs === 0) {
        const onTime = [0, 1, 2].map((k) => eventJson({ t: now - 1_000 + k, course: 'CS-101' }));
        const payloads = dt === 0 ? [old, ...onTime] : onTime;
        const plan = await p.consume(p.stream(feed.records(payloads, now)), now);
        if (dt === 0) firstLate = plan?.counts.late;
      }
      if (dt % tickEveryMs === 0) await p.tick(now);
    }
    const closerReads = reads.mock.calls.length;

    const reader = createResultsReader({
      client: p.db,
      names: {
        windowsTable: `${p.prefix}-windows`,
        controlTable: `${p.prefix}-control`,
        rejectsTable: `${p.prefix}-rejects`,
      },
      windowSizeMs: size,
    });
    const finals = await reader.finals(T0 - size, T0 + runForMs);
    const due = finals.filter((f) => f.windowEnd + FINAL_WITHIN_MS(lateness) <= T0 + runForMs);
    // every window of the run that was due by its end has a final, written in time
    const expectedDue = Math.floor((runForMs - FINAL_WITHIN_MS(lateness)) / size);
    expect(due.length).toBeGreaterThanOrEqual(expectedDue);
    const closedAt = await Promise.all(
      due.map(
        async (f) => ((await p.windows.readFinal(f.windowStart))?.closedAt ?? 0) - f.windowEnd,
      ),
    );
    expect(Math.max(...closedAt)).toBeLessThanOrEqual(FINAL_WITHIN_MS(lateness));
    // the closer read each window with partials once, and nothing else
    expect(closerReads).toBe(finals.length);
    expect(firstLate).toBe(1); // the 2001 record: late on arrival, never a window to walk to

    await p.drain(T0 + runForMs + 1_000);
    expect(await p.problems(T0 + 3_600_000)).toEqual([]);
    const actual = await p.actual();
    expect(actual.lateRecords).toBe(1);
    const late = await reader.late(YEAR_2001 - size, YEAR_2001 + size);
    expect(late.map((l) => l.records)).toEqual([1]);
    // the shard's progress never learned 2001, and its open windows were all pruned
    const [progress] = await p.control.readShardProgress();
    expect(progress!.minEventTime).toBeGreaterThan(T0 - size);
    expect(progress!.openWindows ?? new Set()).toEqual(new Set());
  });
});
