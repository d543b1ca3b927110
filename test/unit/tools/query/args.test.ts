import { describe, expect, it } from 'vitest';
import {
  parseDuration,
  parseInstant,
  parseQueryArgs,
  QUERY_NAMES,
  UsageError,
} from '../../../../tools/query/args';

const NOW = Date.parse('2026-11-23T03:14:15Z');

describe('query argument parsing', () => {
  it('defaults to the last 10 minutes, tables, provisional values included', () => {
    const a = parseQueryArgs(['crash-alerts'], NOW);
    expect(a).toEqual({
      help: false,
      query: 'crash-alerts',
      fromMs: NOW - 600_000,
      toMs: NOW,
      finalOnly: false,
      all: false,
      json: false,
    });
  });

  it('reads --since in s/m/h/d and the flags', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    const a = parseQueryArgs(
      ['crash-alerts', '--since', '5m', '--final-only', '--all', '--json', '--prefix', 'lab'],
      NOW,
    );
    expect(a).toMatchObject({
      query: 'crash-alerts',
      fromMs: NOW - 300_000,
      toMs: NOW,
      finalOnly: true,
      all: true,
      json: true,
      prefix: 'lab',
    });
  });

  it('reads --from/--to as ISO-8601, a zone-less time as UTC', () => {
    const a = parseQueryArgs(
      ['course-activity', '--from', '2026-11-23T03:00:00Z', '--to', '2026-11-23 03:10'],
      NOW,
    );
    expect(a).toMatchObject({
      fromMs: Date.parse('2026-11-23T03:00:00Z'),
      toMs: Date.parse('2026-11-23T03:10:00Z'),
    });
    expect(parseInstant('2026-11-23T04:00:00+01:00', '--from')).toBe(
      Date.parse('2026-11-23T03:00:00Z'),
    );
    expect(parseQueryArgs(['late', '--from', '2026-11-23T03:00:00Z'], NOW)).toMatchObject({
      toMs: NOW,
    });
  });

  it('--help wins', () => {
    expect(parseQueryArgs(['--help'], NOW)).toEqual({ help: true });
    expect(parseQueryArgs(['nonsense', '-h'], NOW)).toEqual({ help: true });
  });

  const bad: Array<[string[], RegExp]> = [
    [[], /which query\? one of: course-activity, crash-alerts, late, rejects/],
    [
      ['crashes'],
      /unknown query "crashes": use one of course-activity, crash-alerts, late, rejects/,
    ],
    [['late', 'rejects'], /one query at a time/],
    [['crash-alerts', '--since', '10'], /not a duration.*--since 10m/],
    [['crash-alerts', '--since', '0m'], /more than zero/],
    [['crash-alerts', '--from', 'yesterday'], /not an ISO-8601 time/],
    [['crash-alerts', '--from', '2026-13-45T00:00:00Z'], /not a valid time/],
    [['crash-alerts', '--to', '2026-11-23T03:00:00Z'], /--to needs --from/],
    [
      ['crash-alerts', '--since', '5m', '--from', '2026-11-23T03:00:00Z'],
      /either --since or --from\/--to/,
    ],
    [
      ['crash-alerts', '--from', '2026-11-23T03:10:00Z', '--to', '2026-11-23T03:00:00Z'],
      /--to must be after --from/,
    ],
    [['course-activity', '--all'], /--all only applies to crash-alerts/],
    [['crash-alerts', '--verbose'], /^unknown flag --verbose; see npm run query -- --help$/],
    [['crash-alerts', '--prefix', 'Bad_Prefix'], /not a resource prefix/],
  ];
  it.each(bad)('rejects %j with a one-line message', (argv, message) => {
    let error: unknown;
    try {
      parseQueryArgs(argv, NOW);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('knows exactly the four queries', () => {
    expect(QUERY_NAMES).toEqual(['course-activity', 'crash-alerts', 'late', 'rejects']);
  });
});
