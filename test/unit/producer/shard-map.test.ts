import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  hashKeyOf,
  openShardRanges,
  shardForHash,
  ShardMap,
  WHOLE_STREAM,
} from '../../../producer/shard-map';
import type { KinesisClient } from '@aws-sdk/client-kinesis';

const MAX = 2n ** 128n - 1n;
const half = 2n ** 127n;
const shards = [
  {
    ShardId: 'shardId-000000000000',
    HashKeyRange: { StartingHashKey: '0', EndingHashKey: MAX.toString() },
    SequenceNumberRange: { StartingSequenceNumber: '1', EndingSequenceNumber: '9' },
  },
  {
    ShardId: 'shardId-000000000002',
    HashKeyRange: { StartingHashKey: half.toString(), EndingHashKey: MAX.toString() },
    SequenceNumberRange: { StartingSequenceNumber: '10' },
  },
  {
    ShardId: 'shardId-000000000001',
    HashKeyRange: { StartingHashKey: '0', EndingHashKey: (half - 1n).toString() },
    SequenceNumberRange: { StartingSequenceNumber: '10' },
  },
];

describe('shard map (the KPL prediction of a key’s shard)', () => {
  it('hashes a partition key as Kinesis does: MD5 as a 128-bit number', () => {
    const hex = createHash('md5').update('user_42', 'utf8').digest('hex');
    expect(hashKeyOf('user_42')).toBe(BigInt(`0x${hex}`));
  });

  it('keeps only open shards, sorted, and finds the range holding a hash', () => {
    const ranges = openShardRanges(shards);
    expect(ranges.map((r) => r.shardId)).toEqual(['shardId-000000000001', 'shardId-000000000002']);
    expect(shardForHash(ranges, 0n)).toBe('shardId-000000000001');
    expect(shardForHash(ranges, half - 1n)).toBe('shardId-000000000001');
    expect(shardForHash(ranges, half)).toBe('shardId-000000000002');
    expect(shardForHash(ranges, MAX)).toBe('shardId-000000000002');
    expect(shardForHash([], 5n)).toBeUndefined();
  });

  it('loads with ListShards (following NextToken), and falls back to one pseudo-shard when it cannot', async () => {
    const calls: unknown[] = [];
    const client = {
      send: async (cmd: { input: Record<string, unknown> }) => {
        calls.push(cmd.input);
        return cmd.input.NextToken
          ? { Shards: shards.slice(2) }
          : { Shards: shards.slice(0, 2), NextToken: 'page2' };
      },
    } as unknown as KinesisClient;
    const map = new ShardMap({ client, streamName: 's', minRefreshIntervalMs: 1_000 });
    expect(map.shardFor('user_1')).toBe(WHOLE_STREAM);
    await map.refresh();
    expect(calls).toEqual([{ StreamName: 's' }, { NextToken: 'page2' }]);
    expect(map.openShards).toEqual(['shardId-000000000001', 'shardId-000000000002']);
    const key = 'user_7';
    expect(map.shardFor(key)).toBe(
      hashKeyOf(key) < half ? 'shardId-000000000001' : 'shardId-000000000002',
    );
    expect(map.version).toBe(1);

    const denied = {
      send: async () => {
        throw Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' });
      },
    } as unknown as KinesisClient;
    const none = new ShardMap({ client: denied, streamName: 's', minRefreshIntervalMs: 1_000 });
    await none.refresh();
    expect(none.lastError).toBeDefined();
    expect(none.shardFor('user_1')).toBe(WHOLE_STREAM);
    expect(none.openShards).toEqual([WHOLE_STREAM]);
  });
});
