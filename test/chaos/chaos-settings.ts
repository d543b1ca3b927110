/**
 * A chaos run's sizes and the stack's configuration in it, shared by
 * `npm run chaos` and the short run in `npm test`.
 */
import { resolveConfig, type StreamscaleConfig } from '../../functions/config';
import { SPIKE_CLOUD, SPIKE_STACK } from '../support/spike-stack';

export const CHAOS = {
  speedup: SPIKE_CLOUD.speedup,
  // Small on purpose: a run must fit a busy two-core machine. The spike alone nears the
  // shard's limit; a storm takes it well over.
  shardRecordsPerSecond: 150,
  ratePerProducer: 60,
  plan: { producers: 1, spikeProducers: 1, baselineS: 2, spikeS: 4, cooldownS: 2 },
  /** after a kill, once the cloud answers again: the producers carry on this long */
  afterKill: { producers: 1, spikeProducers: 0, baselineS: 3, spikeS: 0, cooldownS: 0 },
  storm: { producers: 2, ratePerProducer: 150 },
  /** records put again by a duplicates fault */
  duplicates: 20,
  /** every kind once, up to this many faults in all */
  faults: { min: 6, max: 8 },
  killShare: 1,
} as const;

/**
 * The stack a chaos run deploys: the spike tests' (test/support/spike-stack.ts),
 * so `npm test` synthesizes one assembly for them and the short chaos run
 * (a synth costs the suite half a minute or more).
 */
export const chaosStackConfig = (): StreamscaleConfig => resolveConfig(SPIKE_STACK);

/**
 * What the stack's functions run with in a chaos run: the deployed stack's
 * configuration with one shard throughout (given to the functions in their
 * environment, where they read it). Resharding is the autoscaling tests'
 * subject, and a storm-driven 1→8→2 reshard chain made one run take minutes
 * on a busy machine.
 */
export const chaosConfig = (): StreamscaleConfig =>
  resolveConfig({ ...SPIKE_STACK, stream: { initialShards: 1, minShards: 1, maxShards: 1 } });

export const generatorOf = (seed: number, config: StreamscaleConfig) => ({
  seed,
  users: 300,
  lateFraction: 0.03,
  malformedFraction: 0.03,
  outOfOrderS: 3,
  allowedLatenessMs: config.windowing.allowedLatenessMs,
  windowSizeMs: config.windowing.windowSizeMs,
  futureSkewMs: config.windowing.maxFutureSkewMs * 4,
});
