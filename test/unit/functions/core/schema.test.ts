import { describe, expect, it } from 'vitest';
import { decodeRecord } from '../../../../functions/core/event-schema';

const NOW = Date.UTC(2026, 10, 23, 3, 0, 0);
const LIMITS = { maxFutureSkewMs: 300_000 };
const base = {
  event_id: '5f0c',
  timestamp: NOW / 1000 - 1.5,
  user_id: 'user_1836',
  student_name: 'Ahmed Yar',
  course: 'CS-315',
  activity: 'debugging',
  lines_of_code: 42,
  cpu_usage_pct: 37.5,
  severity: 'High',
  content: 'Segmentation fault: app CRASH in parser',
};
const decode = (o: unknown) =>
  decodeRecord(typeof o === 'string' ? o : JSON.stringify(o), NOW, LIMITS);

describe('event schema', () => {
  it('accepts the DESIGN example and normalises event time to ms', () => {
    const r = decode(base);
    expect(r.ok && r.event.eventTimeMs).toBe(NOW - 1500);
  });

  it('accepts epoch seconds, epoch milliseconds and ISO-8601 for the same instant', () => {
    const iso = new Date(NOW - 2000).toISOString();
    const times = [(NOW - 2000) / 1000, NOW - 2000, iso].map((timestamp) => {
      const r = decode({ ...base, timestamp });
      return r.ok ? r.event.eventTimeMs : r.detail;
    });
    expect(times).toEqual([NOW - 2000, NOW - 2000, NOW - 2000]);
  });

  it('decodes bytes as Kinesis delivers them', () => {
    const r = decodeRecord(new TextEncoder().encode(JSON.stringify(base)), NOW, LIMITS);
    expect(r.ok).toBe(true);
  });

  it.each([
    ['{oops', 'invalid_json'],
    ['"a string"', 'not_an_object'],
    ['[1]', 'not_an_object'],
    [{ ...base, user_id: undefined }, 'missing_field'],
    [{ ...base, lines_of_code: '42' }, 'wrong_type'],
    [{ ...base, cpu_usage_pct: 100.5 }, 'out_of_range'],
    [{ ...base, lines_of_code: -1 }, 'out_of_range'],
    [{ ...base, lines_of_code: 1.5 }, 'out_of_range'],
    [{ ...base, severity: 'Catastrophic' }, 'out_of_range'],
    [{ ...base, course: '' }, 'out_of_range'],
    [{ ...base, timestamp: 'yesterday' }, 'bad_timestamp'],
    [{ ...base, timestamp: true }, 'wrong_type'],
    [{ ...base, timestamp: NOW / 1000 + 301 }, 'future_timestamp'],
  ])('rejects %j as %s, with a detail', (input, reason) => {
    const r = decode(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe(reason);
      expect(r.detail.length).toBeGreaterThan(5);
    }
  });

  it('rejects invalid UTF-8 without throwing', () => {
    const r = decodeRecord(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), NOW, LIMITS);
    expect(r.ok ? 'ok' : r.reason).toBe('invalid_json');
  });
});
