/**
 * AWS's event filter-pattern grammar as the embedded Lambda applies it to
 * FilterCriteria (pure): each operator, nesting, arrays, OR across filters,
 * and clear errors for what AWS refuses.
 */
import { describe, expect, it } from 'vitest';
import {
  compilePattern,
  FilterPatternError,
} from '../../../localcloud/lambda/event-sources/filter/filter-pattern';
import {
  filterCriteriaView,
  parseFilterCriteria,
  passesFilter,
} from '../../../localcloud/lambda/event-sources/filter/filter-criteria';
import { kinesisFilterView } from '../../../localcloud/lambda/event-sources/kinesis/kinesis-event';

const matches = (pattern: unknown, record: unknown) =>
  compilePattern(JSON.stringify(pattern))(record);

describe('filter patterns', () => {
  it('exact values: strings, numbers, booleans, null; nested fields; all keys must match', () => {
    const p = { data: { order: { type: ['buy', 'hold'], qty: [100] }, ok: [true] } };
    expect(matches(p, { data: { order: { type: 'buy', qty: 100 }, ok: true } })).toBe(true);
    expect(matches(p, { data: { order: { type: 'sell', qty: 100 }, ok: true } })).toBe(false);
    expect(matches(p, { data: { order: { type: 'buy', qty: '100' }, ok: true } })).toBe(false);
    expect(matches(p, { data: { order: { type: 'buy' }, ok: true } })).toBe(false);
    expect(matches({ a: [null] }, { a: null })).toBe(true);
    expect(matches({ a: [null] }, {})).toBe(false);
    expect(matches({ a: [''] }, { a: '' })).toBe(true);
  });

  it('an array field matches when any element does', () => {
    expect(matches({ tags: ['red'] }, { tags: ['blue', 'red'] })).toBe(true);
    expect(matches({ tags: ['red'] }, { tags: ['blue'] })).toBe(false);
    expect(matches({ items: { sku: ['A'] } }, { items: [{ sku: 'B' }, { sku: 'A' }] })).toBe(true);
  });

  it('prefix, suffix, equals-ignore-case, wildcard apply to strings only', () => {
    expect(matches({ k: [{ prefix: 'us-' }] }, { k: 'us-east-1' })).toBe(true);
    expect(matches({ k: [{ prefix: 'us-' }] }, { k: 'eu-west-1' })).toBe(false);
    expect(matches({ k: [{ suffix: '.png' }] }, { k: 'a.png' })).toBe(true);
    expect(matches({ k: [{ suffix: '.png' }] }, { k: 'a.jpg' })).toBe(false);
    expect(matches({ k: [{ 'equals-ignore-case': 'CRASH' }] }, { k: 'Crash' })).toBe(true);
    expect(matches({ k: [{ wildcard: 'img/*.png' }] }, { k: 'img/cat.png' })).toBe(true);
    expect(matches({ k: [{ wildcard: 'img/*.png' }] }, { k: 'doc/cat.png' })).toBe(false);
    expect(matches({ k: [{ prefix: '1' }] }, { k: 10 })).toBe(false);
  });

  it('numeric ranges and equality on numbers only', () => {
    const p = { t: [{ numeric: ['>', 0, '<=', 5] }] };
    expect(matches(p, { t: 5 })).toBe(true);
    expect(matches(p, { t: 0 })).toBe(false);
    expect(matches(p, { t: 5.5 })).toBe(false);
    expect(matches(p, { t: '3' })).toBe(false);
    expect(matches({ t: [{ numeric: ['=', 3] }] }, { t: 3.0 })).toBe(true);
  });

  it('exists true/false, and anything-but (values, prefix, suffix) on present fields', () => {
    expect(matches({ a: [{ exists: true }] }, { a: 0 })).toBe(true);
    expect(matches({ a: [{ exists: true }] }, {})).toBe(false);
    expect(matches({ a: [{ exists: false }] }, {})).toBe(true);
    expect(matches({ x: { a: [{ exists: false }] } }, {})).toBe(true);
    expect(matches({ s: [{ 'anything-but': ['bad', 'worse'] }] }, { s: 'good' })).toBe(true);
    expect(matches({ s: [{ 'anything-but': ['bad', 'worse'] }] }, { s: 'bad' })).toBe(false);
    expect(matches({ s: [{ 'anything-but': 'bad' }] }, {})).toBe(false);
    expect(matches({ n: [{ 'anything-but': 3 }] }, { n: 4 })).toBe(true);
    expect(matches({ s: [{ 'anything-but': { prefix: 'tmp/' } }] }, { s: 'tmp/x' })).toBe(false);
    expect(matches({ s: [{ 'anything-but': { suffix: '.tmp' } }] }, { s: 'x.csv' })).toBe(true);
  });

  it('$or alternatives at one level', () => {
    const p = { $or: [{ a: ['1'] }, { b: [{ numeric: ['>', 10] }] }] };
    expect(matches(p, { a: '1' })).toBe(true);
    expect(matches(p, { b: 11 })).toBe(true);
    expect(matches(p, { a: '2', b: 1 })).toBe(false);
  });

  it('refuses what AWS refuses, naming the problem', () => {
    const bad = [
      '{"a": "x"}',
      'not json',
      '{}',
      '{"a": []}',
      '{"a": [{"numeric": [">", "x"]}]}',
      '{"a": [{"nope": 1}]}',
      '{"a": [{"prefix": 1}]}',
      '{"a": [{"exists": "yes"}]}',
    ];
    for (const p of bad) expect(() => compilePattern(p), p).toThrow(FilterPatternError);
  });
});

describe('FilterCriteria', () => {
  it('OR across filters; returned as given; an empty list clears; more than five refused', () => {
    const patterns = ['{"data":{"kind":["a"]}}', '{"data":{"kind":["b"]}}'];
    const c = parseFilterCriteria({ Filters: patterns.map((Pattern) => ({ Pattern })) })!;
    expect(filterCriteriaView(c)).toEqual({ Filters: patterns.map((Pattern) => ({ Pattern })) });
    expect(passesFilter(c, { data: { kind: 'b' } })).toBe(true);
    expect(passesFilter(c, { data: { kind: 'c' } })).toBe(false);
    expect(parseFilterCriteria({ Filters: [] })).toBeUndefined();
    expect(parseFilterCriteria({})).toBeUndefined();
    expect(passesFilter(undefined, {})).toBe(true);
    const six = Array.from({ length: 6 }, () => ({ Pattern: patterns[0] }));
    expect(() => parseFilterCriteria({ Filters: six })).toThrow(/at most 5/);
  });

  it('Kinesis data is decoded from base64 and parsed as JSON; non-JSON data fails a data pattern', () => {
    const c = parseFilterCriteria({ Filters: [{ Pattern: '{"data":{"level":["ERROR"]}}' }] })!;
    const record = (data: string) => ({
      sequenceNumber: '1',
      partitionKey: 'pk',
      data: Buffer.from(data).toString('base64'),
      arrivalMs: 0,
    });
    expect(passesFilter(c, kinesisFilterView(record('{"level":"ERROR"}')))).toBe(true);
    expect(passesFilter(c, kinesisFilterView(record('{"level":"INFO"}')))).toBe(false);
    expect(passesFilter(c, kinesisFilterView(record('ERROR plain text')))).toBe(false);
    const byKey = parseFilterCriteria({ Filters: [{ Pattern: '{"partitionKey":["pk"]}' }] })!;
    expect(passesFilter(byKey, kinesisFilterView(record('not json')))).toBe(true);
  });
});
