import { describe, expect, it } from 'vitest';
import { emptyStats } from '../../../producer/producer-stats';
import { progressLine } from '../../../producer/progress-view';
import { liveLines, type LiveSnapshot } from '../../../tools/demo/live-view';

describe("the producers' limit in the views", () => {
  const stats = emptyStats();
  stats.limit = { total: 1840.4, perShard: 920.2, shards: 2, streamCapacity: 2000 };

  it('the spike progress line shows the learned limit next to the stream capacity', () => {
    const line = progressLine(
      { elapsedMs: 12_000, phase: 'spike', activeProducers: 4, pending: 10, stats },
      900,
    );
    expect(line).toContain('limit 1,840 rec/s (920/shard × 2; stream capacity 2,000)');
    expect(
      progressLine(
        { elapsedMs: 0, phase: 'baseline', activeProducers: 1, pending: 0, stats: emptyStats() },
        0,
      ),
    ).not.toContain('limit');
  });

  it("the demo's live block shows it on the producers' line", () => {
    const snap: LiveSnapshot = {
      elapsedS: 12,
      phase: 'spike',
      producers: 4,
      inputRate: 900,
      processedRate: 800,
      throttledRate: 3,
      sent: 1,
      accepted: 1,
      throttled: 0,
      retried: 0,
      producerLimit: stats.limit,
      windowsClosed: 0,
      alerts: 0,
      rejected: 0,
      late: 0,
      decisions: [],
    };
    expect(liveLines(snap, 1000)[3]).toContain('limit 1,840 rec/s (920/shard) of capacity 2,000');
  });
});
