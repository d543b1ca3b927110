/**
 * Old and future event times are decided against the record's arrival at the
 * stream, never the consumer's clock: a retry a day later plans exactly the
 * same partials, flags and rejects as the first attempt.
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../../functions/config';
import { planBatch, type KinesisRecordLike } from '../../../../functions/core/merge-plan';
import { tumblingWindows } from '../../../../functions/core/windows';

const ARRIVAL = Date.UTC(2026, 10, 23, 3, 0, 0);
const HOUR = 3_600_000;
const HORIZON = 24 * HOUR;

const record = (seq: number, t: number): KinesisRecordLike => ({
  shardId: 's-0',
  sequenceNumber: String(seq),
  partitionKey: 'u',
  data: new TextEncoder().encode(
    JSON.stringify({
      event_id: String(seq),
      timestamp: t / 1000,
      user_id: 'u',
      student_name: 'n',
      course: 'C',
      activity: 'a',
      lines_of_code: 1,
      cpu_usage_pct: 1,
      severity: 'Low',
      content: '',
    }),
  ),
  arrivalMs: ARRIVAL,
});

const ctx = (nowMs: number) => ({
  nowMs,
  closedThrough: undefined,
  windows: tumblingWindows(10_000),
  maxFutureSkewMs: 300_000,
  rejectRawMaxBytes: 64,
  lateHorizonMs: HORIZON,
});

describe('late horizon and future skew, decided by arrival time', () => {
  const batch = [
    record(1, ARRIVAL - 1_000), // on time
    record(2, Date.UTC(2001, 8, 1)), // 25 years before it arrived
    record(3, ARRIVAL - HORIZON - 10_000), // its window ended just beyond the horizon
    record(4, ARRIVAL - HORIZON + 10_000), // just inside it: an ordinary record for a window
    record(5, ARRIVAL + 6 * 60_000), // 6 min ahead of its arrival
  ];

  it('makes a record beyond the horizon late on arrival, outside progress and open windows', () => {
    const plan = planBatch(batch, ctx(ARRIVAL + 500));
    const late = plan.partials.filter((p) => p.gsiPk === 'LATE').map((p) => p.windowStart);
    expect(late).toEqual([Date.UTC(2001, 8, 1), ARRIVAL - HORIZON - 10_000]);
    expect(plan.counts).toMatchObject({ valid: 4, late: 2, rejected: 1 });
    expect(plan.progress.openWindowStarts).toEqual([ARRIVAL - HORIZON + 10_000, ARRIVAL - 10_000]);
    expect(plan.progress.minEventTime).toBe(ARRIVAL - HORIZON + 10_000);
    expect(plan.progress.maxEventTime).toBe(ARRIVAL - 1_000);
    expect(plan.rejects.map((r) => r.reason)).toEqual(['future_timestamp']);
  });

  it('plans a retry a day later exactly as the first attempt', () => {
    const strip = (p: ReturnType<typeof planBatch>) => ({
      partials: p.partials.map(({ writtenAt: _w, ...rest }) => rest),
      rejects: p.rejects,
      open: p.progress.openWindowStarts,
      counts: p.counts,
    });
    // by the consumer's clock the future record is no longer in the future, and the
    // record just inside the horizon is beyond it now: neither decision may change
    expect(strip(planBatch(batch, ctx(ARRIVAL + 25 * HOUR)))).toEqual(
      strip(planBatch(batch, ctx(ARRIVAL + 500))),
    );
  });

  it('defaults the horizon to the stream retention and refuses one shorter than lateness', () => {
    expect(resolveConfig().windowing.lateHorizonMs).toBe(24 * HOUR);
    expect(resolveConfig({ stream: { retentionHours: 48 } }).windowing.lateHorizonMs).toBe(
      48 * HOUR,
    );
    expect(
      resolveConfig({ stream: { retentionHours: 48 }, windowing: { lateHorizonMs: HOUR } })
        .windowing.lateHorizonMs,
    ).toBe(HOUR);
    expect(() => resolveConfig({ windowing: { lateHorizonMs: 30_000 } })).toThrow(/lateHorizonMs/);
  });
});
