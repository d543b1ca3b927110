import { describe, expect, it } from 'vitest';
import { computeGlobalWatermark } from '../../../../functions/core/watermark';
import type { ShardProgressItem } from '../../../../functions/core/table-layout';

const NOW = Date.UTC(2026, 10, 23, 3, 0, 0);
const S = { allowedLatenessMs: 60_000, idleTimeoutMs: 30_000, caughtUpIteratorAgeMs: 5_000 };
const shard = (
  shardId: string,
  maxEventTime: number,
  lastSeenAt: number,
  lastIteratorAgeMs = 0,
): ShardProgressItem => ({
  pk: 'WM',
  sk: `SHARD#${shardId}`,
  shardId,
  maxEventTime,
  minEventTime: maxEventTime - 1,
  lastSequenceNumber: '1',
  lastSeenAt,
  lastIteratorAgeMs,
});

describe('global watermark', () => {
  it('is the minimum over live shards minus the allowed lateness', () => {
    const r = computeGlobalWatermark(
      [shard('a', NOW - 1_000, NOW), shard('b', NOW - 9_000, NOW - 2_000)],
      undefined,
      NOW,
      S,
    );
    expect(r.watermark).toBe(NOW - 9_000 - 60_000);
    expect(r.quiet).toBe(false);
  });

  it('stops counting a caught-up shard after the idle timeout', () => {
    const r = computeGlobalWatermark(
      [shard('a', NOW - 1_000, NOW), shard('b', NOW - 50_000, NOW - 31_000)],
      undefined,
      NOW,
      S,
    );
    expect(r.status).toEqual({ a: 'live', b: 'idle' });
    expect(r.watermark).toBe(NOW - 1_000 - 60_000);
  });

  it('keeps counting a silent shard that was behind (consumer stalled, not idle)', () => {
    const r = computeGlobalWatermark(
      [shard('a', NOW - 1_000, NOW), shard('b', NOW - 50_000, NOW - 31_000, 20_000)],
      undefined,
      NOW,
      S,
    );
    expect(r.status.b).toBe('live');
    expect(r.watermark).toBe(NOW - 50_000 - 60_000);
  });

  it('follows processing time when every shard is idle, so windows close after traffic stops', () => {
    const r = computeGlobalWatermark([shard('a', NOW - 40_000, NOW - 40_000)], undefined, NOW, S);
    expect(r).toMatchObject({ quiet: true, watermark: NOW - 60_000 });
  });

  it('holds a closed parent until a child reports, and lets unreported children inherit it', () => {
    const lineage = [
      { shardId: 'p', closed: true },
      { shardId: 'c1', parentShardId: 'p', closed: false },
      { shardId: 'c2', parentShardId: 'p', closed: false },
    ];
    const before = computeGlobalWatermark([shard('p', NOW - 5_000, NOW - 1_000)], lineage, NOW, S);
    expect(before.status).toEqual({ p: 'live', c1: 'live', c2: 'live' });
    expect(before.watermark).toBe(NOW - 5_000 - 60_000);
    const after = computeGlobalWatermark(
      [shard('p', NOW - 5_000, NOW - 1_000), shard('c1', NOW - 500, NOW)],
      lineage,
      NOW,
      S,
    );
    expect(after.status.p).toBe('drained');
    // c2 has not reported: it still holds the parent's progress
    expect(after.watermark).toBe(NOW - 5_000 - 60_000);
  });

  it('is undefined before any shard reported', () => {
    expect(
      computeGlobalWatermark([], [{ shardId: 'a', closed: false }], NOW, S).watermark,
    ).toBeUndefined();
  });
});
