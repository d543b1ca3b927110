/**
 * When is a silent shard idle? It must be caught up: its last batch was read
 * near the tip of the stream (small iterator age) or was not full (the
 * consumer read everything there was). A full batch read far behind means
 * more records were waiting, so the shard keeps holding the watermark.
 */
import { describe, expect, it } from 'vitest';
import { computeGlobalWatermark } from '../../../../functions/core/watermark';
import type { ShardProgressItem } from '../../../../functions/core/table-layout';

const S = { allowedLatenessMs: 10_000, idleTimeoutMs: 30_000, caughtUpIteratorAgeMs: 5_000 };
const NOW = 1_800_000_000_000;
const progress = (o: Partial<ShardProgressItem>): ShardProgressItem => ({
  pk: 'WM',
  sk: 'SHARD#a',
  shardId: 'a',
  maxEventTime: NOW - 100_000,
  minEventTime: NOW - 200_000,
  lastSequenceNumber: '1',
  lastSeenAt: NOW - 60_000,
  lastIteratorAgeMs: 40_000,
  ...o,
});

describe('idle needs caught up', () => {
  it('treats a drained backlog (partial last batch, large age) as idle after the timeout', () => {
    const r = computeGlobalWatermark([progress({ lastBatchPartial: true })], undefined, NOW, S);
    expect(r.status.a).toBe('idle');
    expect(r.quiet).toBe(true);
    expect(r.watermark).toBe(NOW - S.allowedLatenessMs);
  });

  it('keeps a shard whose last batch was full and far behind', () => {
    const r = computeGlobalWatermark([progress({ lastBatchPartial: false })], undefined, NOW, S);
    expect(r.status.a).toBe('live');
    expect(r.watermark).toBe(NOW - 100_000 - S.allowedLatenessMs);
  });

  it('still needs the idle timeout, partial batch or not', () => {
    const r = computeGlobalWatermark(
      [progress({ lastBatchPartial: true, lastSeenAt: NOW - 1_000 })],
      undefined,
      NOW,
      S,
    );
    expect(r.status.a).toBe('live');
  });

  it('reads progress items written before the flag existed as not partial', () => {
    const r = computeGlobalWatermark([progress({})], undefined, NOW, S);
    expect(r.status.a).toBe('live');
  });
});

describe('quiet stream', () => {
  it('follows processing time only: a record stamped ahead of the clock does not drag the watermark into the future', () => {
    const ahead = progress({
      maxEventTime: NOW + 240_000,
      lastSeenAt: NOW - 60_000,
      lastIteratorAgeMs: 0,
    });
    const r = computeGlobalWatermark([ahead], undefined, NOW, S);
    expect(r.quiet).toBe(true);
    expect(r.watermark).toBe(NOW - S.allowedLatenessMs);
  });
});
