import { describe, expect, it } from 'vitest';
import { DynamoModel, ModelError, keyClass } from '../../../../tools/scale-sim/dynamo-model';
import {
  itemBytes,
  readUnits,
  valueBytes,
  writeUnits,
} from '../../../../tools/scale-sim/item-size';

const limits = { wcuPerSecond: 10, rcuPerSecond: 20, maxItemBytes: 2048 };

describe('item size as DynamoDB counts it', () => {
  it('counts names and values: strings by UTF-8 bytes, numbers by digits, lists and maps with overhead', () => {
    expect(itemBytes({ pk: 'W#1' })).toBe(2 + 3);
    expect(valueBytes('é')).toBe(2);
    expect(valueBytes(12345)).toBe(4); // ceil(5/2) + 1
    expect(valueBytes(1.5)).toBe(2);
    expect(valueBytes(['ab', 'c'])).toBe(3 + (1 + 2) + (1 + 1));
    expect(valueBytes({ a: 1 })).toBe(3 + 1 + 1 + 2);
    expect(valueBytes(new Set([1, 22]))).toBe(2 + 2);
  });

  it('bills writes per started KB and strong reads per started 4 KB, eventual reads half', () => {
    expect(writeUnits(1)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
    expect(readUnits(4097, true)).toBe(2);
    expect(readUnits(100, false)).toBe(0.5);
  });
});

describe('the DynamoDB model', () => {
  it('writes once under attribute_not_exists, and a failed condition still costs its units', () => {
    const m = new DynamoModel(limits, 5);
    const absent = (old: unknown) => old === undefined;
    expect(m.put('t', { pk: 'a', sk: '1', v: 1 }, absent)).toBe('written');
    expect(m.put('t', { pk: 'a', sk: '1', v: 2 }, absent)).toBe('condition-failed');
    expect(m.get('t', 'a', '1', true)).toMatchObject({ v: 1 });
    expect(m.stats.writeUnits).toBe(2);
    expect(m.busyMs).toBe(15);
  });

  it('refuses a key over its write units in one second, and counts the demand', () => {
    const m = new DynamoModel(limits, 1);
    m.nowMs = 5_000;
    for (let i = 0; i < 10; i++) m.put('t', { pk: 'hot', sk: String(i) });
    expect(() => m.put('t', { pk: 'hot', sk: 'x' })).toThrow(
      expect.objectContaining({ name: 'ProvisionedThroughputExceededException' }),
    );
    m.put('t', { pk: 'cold', sk: 'x' }); // another key has its own budget
    m.nowMs = 6_000;
    m.put('t', { pk: 'hot', sk: 'y' }); // the next second too
    expect(m.stats.throttled).toBe(1);
    expect(m.stats.maxWcuPerSecond).toEqual({ key: 't|hot', units: 11 });
    expect(m.stats.byClass.get('t|hot')?.wcu).toBe(11);
  });

  it('meters a query by the size of every item it reads, and refuses oversized items', () => {
    const m = new DynamoModel(limits, 1);
    const big = 'x'.repeat(1500);
    for (let i = 0; i < 6; i++) {
      m.nowMs = i * 1000; // 2 units each: one a second stays in the key's budget
      m.put('t', { pk: 'p', sk: `s${i}`, big });
    }
    expect(m.query('t', 'p', { skPrefix: 's', consistent: true })).toHaveLength(6);
    expect(m.stats.readUnits).toBe(Math.ceil((6 * itemBytes({ pk: 'p', sk: 's0', big })) / 4096));
    m.nowMs = 10_000;
    expect(() => m.put('t', { pk: 'p', sk: 'huge', big: 'y'.repeat(3000) })).toThrow(ModelError);
    expect(m.stats.maxItem.bytes).toBeGreaterThan(limits.maxItemBytes);
  });

  it('updates conditionally, costing the larger of the item before and after', () => {
    const m = new DynamoModel(limits, 1);
    m.put('t', { pk: 'p', sk: 's', big: 'x'.repeat(1500) });
    const before = m.stats.writeUnits;
    expect(m.update('t', 'p', 's', () => ({ pk: 'p', sk: 's' }))).toBe('written');
    expect(m.stats.writeUnits - before).toBe(2);
    expect(m.update('t', 'p', 's', () => undefined)).toBe('condition-failed');
  });

  it('overlaps the latency of requests run concurrently', async () => {
    const m = new DynamoModel(limits, 4);
    await m.concurrently([1, 2, 3, 4], 4, async (i) => void m.put('t', { pk: 'p', sk: String(i) }));
    expect(m.busyMs).toBe(4);
  });

  it('classes keys by their shape, so every window partition is one class', () => {
    expect(keyClass('windows|W#1767225600000')).toBe(keyClass('windows|W#1767225610000'));
  });
});
