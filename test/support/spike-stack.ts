/**
 * The stack the spike tests deploy: short windows, two lanes per shard
 * throughout, on a cloud with 30x schedules and a 250 records/s shard. One
 * configuration, so the spike end-to-end test (deploy:local) and the
 * cdklocal test (the CDK CLI) deploy one synthesized assembly
 * (synth-cache.ts) — a synth costs the suite half a minute or more.
 */
import type { ConfigOverrides } from '../../functions/config';

export const SPIKE_WINDOW_MS = 5_000;
export const SPIKE_LATENESS_MS = 4_000;
export const SPIKE_IDLE_MS = 3_000;
/** Draining the stream and closing the last window: lateness, idleness and a window, with margin. */
export const SPIKE_SETTLE_MS = 5 * (SPIKE_WINDOW_MS + SPIKE_LATENESS_MS + SPIKE_IDLE_MS);

export const SPIKE_STACK: ConfigOverrides = {
  prefix: 'sse2e',
  windowing: {
    windowSizeMs: SPIKE_WINDOW_MS,
    allowedLatenessMs: SPIKE_LATENESS_MS,
    idleTimeoutMs: SPIKE_IDLE_MS,
  },
  // Two lanes per shard throughout (order per partition key, concurrent batches); the shard
  // count still scales. A live PF change is left out here: the local event-source poller can
  // spin without yielding while lanes regroup under load (reported to its owner), which would
  // hang the whole test worker instead of failing it.
  consumer: { parallelizationFactor: 2 },
  scaler: { minParallelization: 2, maxParallelization: 2 },
};

/** The cloud the spike stack runs on. */
export const SPIKE_CLOUD = { speedup: 30, shardRecordsPerSecond: 250 } as const;
