import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../../../localcloud/logs/filter-pattern';

describe('CloudWatch Logs filter patterns', () => {
  it('matches terms, phrases, alternatives and exclusions', () => {
    expect(compileFilter('ERROR')('x ERROR y')).toBe(true);
    expect(compileFilter('ERROR')('x error y')).toBe(false);
    expect(compileFilter('ERROR timeout')('ERROR: read timeout')).toBe(true);
    expect(compileFilter('ERROR timeout')('ERROR: refused')).toBe(false);
    expect(compileFilter('"read timeout"')('a read timeout b')).toBe(true);
    expect(compileFilter('?WARN ?ERROR')('WARN low disk')).toBe(true);
    expect(compileFilter('?WARN ?ERROR')('INFO fine')).toBe(false);
    expect(compileFilter('ERROR -retry')('ERROR then retry')).toBe(false);
    expect(compileFilter('')('anything')).toBe(true);
  });

  it('matches JSON patterns with comparisons, wildcards, && and ||', () => {
    const line = JSON.stringify({ level: 'ERROR', latency: 250, user: { id: 'u-17' } });
    expect(compileFilter('{ $.level = "ERROR" }')(line)).toBe(true);
    expect(compileFilter('{ $.level != "ERROR" }')(line)).toBe(false);
    expect(compileFilter('{ $.latency > 200 && $.user.id = "u-*" }')(line)).toBe(true);
    expect(compileFilter('{ $.latency < 100 || $.level = "WARN" }')(line)).toBe(false);
    expect(compileFilter('{ $.level = "ERROR" }')('not json')).toBe(false);
  });
});
