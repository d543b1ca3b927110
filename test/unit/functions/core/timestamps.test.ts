/**
 * Event time must not depend on the machine's time zone: the same record has
 * to land in the same window on a laptop (embedded cloud) and on Lambda (UTC).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { decodeRecord } from '../../../../functions/core/event-schema';
import { recompute } from '../../../support/oracle';

const NOW = Date.UTC(2026, 10, 23, 4, 0, 0);
const LIMITS = { maxFutureSkewMs: 300_000 };
const record = (timestamp: unknown) =>
  JSON.stringify({
    event_id: 'e1',
    timestamp,
    user_id: 'user_1',
    student_name: 'Ahmed Yar',
    course: 'CS-315',
    activity: 'debugging',
    lines_of_code: 42,
    cpu_usage_pct: 37.5,
    severity: 'High',
    content: 'app CRASH',
  });

const originalTz = process.env.TZ;
afterEach(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

const eventTime = (timestamp: unknown): number | undefined => {
  const r = decodeRecord(record(timestamp), NOW, LIMITS);
  return r.ok ? r.event.eventTimeMs : undefined;
};

describe('event time across time zones', () => {
  it('reads an ISO-8601 time without an offset as UTC, whatever the local zone', () => {
    const expected = Date.UTC(2026, 10, 23, 3, 59, 30);
    for (const tz of ['UTC', 'Asia/Tokyo', 'America/Los_Angeles']) {
      process.env.TZ = tz;
      expect(eventTime('2026-11-23T03:59:30'), tz).toBe(expected);
      expect(eventTime('2026-11-23 03:59:30'), tz).toBe(expected);
      expect(eventTime('2026-11-23T03:59:30Z'), tz).toBe(expected);
      expect(eventTime('2026-11-23T04:59:30+01:00'), tz).toBe(expected);
      expect(eventTime('2026-11-23T04:59:30+0100'), tz).toBe(expected);
    }
  });

  it('puts a zone-less ISO record in the same window in the oracle', () => {
    process.env.TZ = 'Asia/Tokyo';
    const out = recompute([{ data: record('2026-11-23T03:59:30') }], {
      windowSizeMs: 10_000,
      futureLimitMs: NOW + 300_000,
    });
    expect([...out.windows.keys()]).toEqual([Date.UTC(2026, 10, 23, 3, 59, 30)]);
  });
});
