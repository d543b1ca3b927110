import { describe, expect, it } from 'vitest';
import {
  emptyMessage,
  formatInterval,
  formatJson,
  formatNumber,
  formatTable,
  rawExcerpt,
  shorten,
} from '../../../../tools/query/format';
import type { CourseRow, CrashRow, LateRow, RejectRow } from '../../../../tools/query/rows';

const T = Date.parse('2026-11-23T03:14:10Z');
const ctx = { allowedLatenessMs: 60_000, crashAlertThreshold: 2 };

const crash = (start: number, user: string, n: number, final: boolean): CrashRow => ({
  query: 'crash-alerts',
  windowStart: start,
  windowEnd: start + 10_000,
  group: user,
  final,
  crash_count: n,
});

describe('query formatting', () => {
  it('prints intervals in UTC like the lab console', () => {
    expect(formatInterval(T, T + 10_000)).toBe('2026-11-23 03:14:10 – 03:14:20');
    expect(
      formatInterval(Date.parse('2026-11-23T23:59:50Z'), Date.parse('2026-11-24T00:00:00Z')),
    ).toBe('2026-11-23 23:59:50 – 2026-11-24 00:00:00');
    expect(formatInterval(T, T + 2_500)).toBe('2026-11-23 03:14:10 – 03:14:12.500');
  });

  it('crash-alerts: Interval | user_id | crash_count, provisional rows marked with a legend', () => {
    const text = formatTable(
      'crash-alerts',
      [crash(T, 'user_1836', 3, true), crash(T + 10_000, 'user_7', 4, false)],
      ctx,
    );
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^Interval \(UTC\)\s+\| user_id\s+\| crash_count$/);
    expect(lines[2]).toBe('2026-11-23 03:14:10 – 03:14:20   | user_1836 |           3');
    expect(lines[3]).toBe('2026-11-23 03:14:20 – 03:14:30 * | user_7    |           4');
    expect(lines[4]).toMatch(/^\* provisional: .*~60 s after it ends/);
  });

  it('no legend when every row is final', () => {
    expect(formatTable('crash-alerts', [crash(T, 'u', 3, true)], ctx)).not.toContain('provisional');
  });

  it('course-activity: Interval | course | events | total_loc | avg_cpu | max_cpu', () => {
    const row: CourseRow = {
      query: 'course-activity',
      windowStart: T,
      windowEnd: T + 10_000,
      group: 'CS-315',
      final: true,
      events: 12,
      total_loc: 504,
      avg_cpu: 37.456,
      max_cpu: 91.5,
    };
    const lines = formatTable('course-activity', [row], ctx).split('\n');
    expect(lines[0]).toMatch(
      /^Interval \(UTC\)\s+\| course \| events \| total_loc \| avg_cpu \| max_cpu$/,
    );
    expect(lines[2]).toBe(
      '2026-11-23 03:14:10 – 03:14:20   | CS-315 |     12 |       504 |   37.46 |   91.50',
    );
  });

  it('late rows carry query, window, group and contribution; rejects carry reason, shard, sequence, raw excerpt', () => {
    const late: LateRow = {
      query: 'late',
      forQuery: 'crash-alerts',
      windowStart: T,
      windowEnd: T + 10_000,
      group: 'user_9',
      final: false,
      shardId: 'shardId-000000000001',
      firstSequenceNumber: '49650000000000000000000000000000000000000000000000000042',
      writtenAt: T + 75_000,
      values: { crash_count: 2 },
    };
    const lateText = formatTable('late', [late], ctx);
    expect(lateText.split('\n')[2]).toBe(
      '2026-11-23 03:14:10 – 03:14:20 | crash-alerts | user_9 | crash_count=2     | shardId-000000000001 | …000000000000042 | 03:15:25',
    );
    const reject: RejectRow = {
      query: 'rejects',
      arrivedAt: T,
      reason: 'invalid_json',
      detail: 'Unexpected token',
      shardId: 'shardId-000000000000',
      sequenceNumber: '123',
      partitionKey: 'user_1',
      raw: '{"event_id": 1,\n\u0007',
      truncated: false,
    };
    const rejectText = formatTable('rejects', [reject], ctx);
    expect(rejectText.split('\n')[0]).toMatch(
      /Arrived \(UTC\)\s+\| reason\s+\| detail\s+\| shard\s+\| sequence \| raw \(excerpt\)/,
    );
    expect(rejectText).toContain(
      '2026-11-23 03:14:10 | invalid_json | Unexpected token | shardId-000000000000 | 123      | {"event_id": 1,\\n\\x07',
    );
  });

  it('JSON: an array of {query, windowStart, windowEnd, group, final, ...aggregates} with ISO-8601 UTC times', () => {
    const rows = JSON.parse(
      formatJson([crash(T, 'user_1836', 3, true), crash(T, 'user_7', 4, false)]),
    ) as unknown[];
    expect(rows).toEqual([
      {
        query: 'crash-alerts',
        windowStart: '2026-11-23T03:14:10.000Z',
        windowEnd: '2026-11-23T03:14:20.000Z',
        group: 'user_1836',
        final: true,
        crash_count: 3,
      },
      {
        query: 'crash-alerts',
        windowStart: '2026-11-23T03:14:10.000Z',
        windowEnd: '2026-11-23T03:14:20.000Z',
        group: 'user_7',
        final: false,
        crash_count: 4,
      },
    ]);
    const late = JSON.parse(
      formatJson([
        {
          query: 'late',
          forQuery: 'course-activity',
          windowStart: T,
          windowEnd: T + 10_000,
          group: 'CS-1',
          final: false,
          shardId: 's',
          firstSequenceNumber: '1',
          writtenAt: T + 70_000,
          values: { events: 1, total_loc: 5, avg_cpu: 10, max_cpu: 10 },
        },
      ]),
    ) as Array<Record<string, unknown>>;
    expect(late[0]).toEqual({
      query: 'late',
      forQuery: 'course-activity',
      windowStart: '2026-11-23T03:14:10.000Z',
      windowEnd: '2026-11-23T03:14:20.000Z',
      group: 'CS-1',
      final: false,
      events: 1,
      total_loc: 5,
      avg_cpu: 10,
      max_cpu: 10,
      shardId: 's',
      firstSequenceNumber: '1',
      writtenAt: '2026-11-23T03:15:20.000Z',
    });
    expect(formatJson([])).toBe('[]');
  });

  it('empty results say what range was searched and why it may be empty', () => {
    const base = { ...ctx, fromMs: T - 600_000, toMs: T, finalOnly: false, all: false };
    const msg = emptyMessage({ ...base, query: 'crash-alerts' });
    expect(msg).toContain('between 2026-11-23 03:04:10 and 2026-11-23 03:14:10 UTC');
    expect(msg).toContain('crash_count > 2');
    expect(msg).toContain('~60 s (the allowed lateness) after they end');
    expect(msg).toContain('--all');
    expect(emptyMessage({ ...base, query: 'course-activity', finalOnly: true })).toContain(
      'drop --final-only',
    );
    expect(emptyMessage({ ...base, query: 'rejects' })).toMatch(
      /^no rejected records arrived between/,
    );
    expect(emptyMessage({ ...base, query: 'late' })).toMatch(/^no late records/);
  });

  it('small helpers', () => {
    expect(formatNumber(3)).toBe('3');
    expect(formatNumber(2.5)).toBe('2.5');
    expect(formatNumber(2.456)).toBe('2.46');
    expect(shorten('abcdef', 4)).toBe('…def');
    expect(rawExcerpt('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
