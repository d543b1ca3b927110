/**
 * From metric series to the policy's signals (functions/core/scaling/collect.ts):
 * rates over the window and the last period, source preference (pipeline
 * metrics first, AWS service metrics as fallback), iterator age now, and a
 * silent consumer read as a backlog.
 */
import { describe, expect, it } from 'vitest';
import { signalsFromSeries, type Series } from '../../../../../functions/core/scaling/collect';
import { signalWindow } from '../../../../../functions/telemetry/signal-reader';

const w = signalWindow(Date.UTC(2026, 10, 23, 12, 0, 22), 20, 5); // 12:00:00 .. 12:00:20 (4 whole periods)
const p = (k: number) => w.startMs + k * 5000; // start of period k (0..3)
const series = (vals: Array<number | undefined>): Series =>
  new Map(vals.flatMap((v, k) => (v === undefined ? [] : [[p(k), v] as [number, number]])));

describe('signal window', () => {
  it('ends at the last whole period before now and spans the window', () => {
    expect(new Date(w.endMs).toISOString()).toBe('2026-11-23T12:00:20.000Z');
    expect((w.endMs - w.startMs) / 1000).toBe(20);
    expect(w.endMs % 5000).toBe(0);
  });
});

describe('signals from series', () => {
  it('says since when records are known to have gone in: the newest period with input', () => {
    const s = signalsFromSeries({ kinesisIncomingRecords: series([100, 50, 0, undefined]) }, w);
    expect(s.inputArrivedAfter).toBe(p(1));
    expect(signalsFromSeries({}, w).inputArrivedAfter).toBeUndefined();
  });

  it('rates: window sum / window seconds; recent: the last half of the window', () => {
    const s = signalsFromSeries(
      {
        incomingRecords: series([2500, 2500, 5000, 10_000]), // 20,000 in 20 s = 1,000/s; last 10 s: 15,000 = 1,500/s
        incomingBytes: series([0, 0, 0, 3_000_000]),
        throttledRecords: series([0, 0, 1000, 4000]),
        producerRetries: series([0, 0, 0, 2000]),
        recordsProcessed: series([2500, 2500, 2500, 2500]),
      },
      w,
    );
    expect(s.incomingRecordsPerSecond).toBe(1000);
    expect(s.incomingBytesPerSecond).toBe(150_000);
    expect(s.throttledRecordsPerSecond).toBe(250);
    expect(s.producerRetriesPerSecond).toBe(100);
    expect(s.processedRecordsPerSecond).toBe(500);
    expect(s.recent).toEqual({
      incomingRecordsPerSecond: 1500,
      incomingBytesPerSecond: 300_000,
      throttledRecordsPerSecond: 500,
      producerRetriesPerSecond: 200,
    });
    expect(s.sources.input).toBe('pipeline');
  });

  it('recent counts whole publications: a producer that publishes every 10 s is not read as 0 or 2× its rate', () => {
    // one publication of 10 s of counts in period 1 and one in period 3 (2,000 each = 200/s)
    const s = signalsFromSeries({ incomingRecords: series([undefined, 2000, undefined, 2000]) }, w);
    expect(s.incomingRecordsPerSecond).toBe(200);
    expect(s.recent?.incomingRecordsPerSecond).toBe(200);
  });

  it('uses AWS/Kinesis when the producers publish nothing; throttled then counts every attempt', () => {
    const s = signalsFromSeries(
      {
        kinesisIncomingRecords: series([5000, 5000, 5000, 5000]),
        kinesisIncomingBytes: series([1, 1, 1, 1]),
        kinesisThrottled: series([0, 0, 0, 2000]),
        recordsProcessed: series([5000, 5000, 5000, 5000]),
      },
      w,
    );
    expect(s.incomingRecordsPerSecond).toBe(1000);
    expect(s.throttledRecordsPerSecond).toBe(100);
    expect(s.producerRetriesPerSecond).toBeUndefined();
    expect(s.sources).toMatchObject({ input: 'AWS/Kinesis', throttled: 'AWS/Kinesis' });
  });

  it('iterator age is the max of the last two periods over consumer and Lambda reports; busy lanes from Duration', () => {
    const s = signalsFromSeries(
      {
        incomingRecords: series([100, 100, 100, 100]),
        recordsProcessed: series([100, 100, 100, 100]),
        consumerIteratorAge: series([60_000, 1000, 3000, 2000]), // the old 60 s is history
        lambdaIteratorAge: series([undefined, undefined, 2500, 4000]),
        lambdaDuration: series([5000, 5000, 5000, 5000]), // 20 s of handler time in 20 s = 1 busy lane
      },
      w,
    );
    expect(s.iteratorAgeMs).toBe(4000);
    expect(s.busyLanes).toBe(1);
  });

  it('records in but no consumer report for the whole window reads as a window-old backlog', () => {
    const s = signalsFromSeries({ incomingRecords: series([100, 100, 100, 100]) }, w);
    expect(s.iteratorAgeMs).toBe(20_000);
    expect(s.sources.iteratorAge).toMatch(/no consumer report/);
  });

  it('nothing at all is an idle pipeline', () => {
    const s = signalsFromSeries({}, w);
    expect(s).toMatchObject({
      incomingRecordsPerSecond: 0,
      throttledRecordsPerSecond: 0,
      processedRecordsPerSecond: 0,
      iteratorAgeMs: 0,
    });
    expect(s.sources.input).toBe('none');
  });
});
