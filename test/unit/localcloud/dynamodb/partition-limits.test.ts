import { describe, expect, it } from 'vitest';
import { PartitionLimits, partitionKeyOf } from '../../../../localcloud/dynamodb/partition-limits';

describe('the partition key a call addresses', () => {
  it('reads it from the item, the key or the key condition', () => {
    const k = JSON.stringify({ S: 'W#1' });
    expect(partitionKeyOf('PutItem', { Item: { pk: { S: 'W#1' }, sk: { S: 'x' } } }, 'pk')).toBe(k);
    for (const op of ['GetItem', 'UpdateItem', 'DeleteItem'])
      expect(partitionKeyOf(op, { Key: { pk: { S: 'W#1' } } }, 'pk')).toBe(k);
    expect(
      partitionKeyOf(
        'Query',
        {
          KeyConditionExpression: '#s = :s AND #p = :p',
          ExpressionAttributeNames: { '#p': 'pk', '#s': 'sk' },
          ExpressionAttributeValues: { ':p': { S: 'W#1' }, ':s': { S: 'F' } },
        },
        'pk',
      ),
    ).toBe(k);
    expect(
      partitionKeyOf(
        'Query',
        { KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'W#1' } } },
        'pk',
      ),
    ).toBe(k);
  });

  it('charges no key for index queries, scans and batches', () => {
    const q = { IndexName: 'byKind', KeyConditionExpression: 'gsiPk = :k' };
    expect(partitionKeyOf('Query', q, 'gsiPk')).toBeUndefined();
    expect(partitionKeyOf('Scan', {}, 'pk')).toBeUndefined();
    expect(partitionKeyOf('BatchWriteItem', { RequestItems: {} }, 'pk')).toBeUndefined();
  });
});

describe('per-key budgets', () => {
  it('refuses a key once its units this second are spent, per kind, until the next second', () => {
    let now = 5_000;
    const limits = new PartitionLimits({ wcuPerSecond: 3, rcuPerSecond: 10 }, () => now);
    limits.admit('t', 'hot', 'write');
    limits.charge('t', 'hot', 'write', 3);
    expect(() => limits.admit('t', 'hot', 'write')).toThrow(
      expect.objectContaining({ code: 'ProvisionedThroughputExceededException' }),
    );
    limits.admit('t', 'hot', 'read'); // reads have their own budget
    limits.admit('t', 'cold', 'write'); // and every key its own
    limits.admit('other', 'hot', 'write'); // and every table
    now = 6_000;
    limits.admit('t', 'hot', 'write');
  });
});
