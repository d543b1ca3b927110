/**
 * The demo's spike profiles (pure data). `seed` is the lab's experiment: one
 * producer as baseline, three more during the spike, then cooldown, at
 * 800 records/s each against a single 1,000 records/s shard, so the stream
 * throttles until the scaler adds shards. `short` is the same shape in about
 * a minute, with a 15 s allowed lateness so its last windows close quickly.
 */
import type { ConfigOverrides } from '../../functions/config';

export interface DemoProfile {
  name: string;
  description: string;
  producers: number;
  spikeProducers: number;
  /** records/s per producer */
  rate: number;
  baselineS: number;
  spikeS: number;
  cooldownS: number;
  seed: number;
  lateFraction: number;
  malformedFraction: number;
  outOfOrderS: number;
  /** schedules run this many times faster on the embedded cloud */
  speedup: number;
  /** config overrides the stack is synthesized with */
  config: ConfigOverrides;
  /** seconds to wait for the last windows after the producers stop (beyond lateness + idle timeout) */
  settleMarginS: number;
}

export const PROFILES: Record<string, DemoProfile> = {
  seed: {
    name: 'seed',
    description:
      "the lab's experiment: 1 producer, +3 during a 60 s spike, then cooldown (about 4 minutes with the final windows)",
    producers: 1,
    spikeProducers: 3,
    rate: 800,
    baselineS: 30,
    spikeS: 60,
    cooldownS: 30,
    seed: 1,
    lateFraction: 0.005,
    malformedFraction: 0.002,
    outOfOrderS: 2,
    speedup: 12,
    config: {},
    settleMarginS: 60,
  },
  short: {
    name: 'short',
    description:
      'the same shape in about a minute: 1 producer, +3 during a 25 s spike, 15 s allowed lateness',
    producers: 1,
    spikeProducers: 3,
    rate: 600,
    baselineS: 8,
    spikeS: 25,
    cooldownS: 8,
    seed: 1,
    lateFraction: 0.005,
    malformedFraction: 0.002,
    outOfOrderS: 2,
    speedup: 12,
    config: { windowing: { allowedLatenessMs: 15_000, idleTimeoutMs: 5_000 } },
    settleMarginS: 90,
  },
};

export const PROFILE_NAMES = Object.keys(PROFILES);
