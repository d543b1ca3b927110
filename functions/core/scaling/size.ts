/**
 * Size (the Flink autoscaler's third step, DS2's formula): capacity =
 * (input rate + backlog to drain) / (true per-unit rate × target
 * utilisation), for ingest (shards) and processing (lanes = shards × PF),
 * within the configured bounds. Scale-out sizes for demand; scale-in for
 * demand × (1 + headroom), so a size reached on the way up is left only when
 * load is clearly lower.
 */
import type { Evaluation } from './evaluate';
import type { ScalingCurrent, ScalingPolicyConfig } from './types';

export const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** UpdateShardCount allows a target in [ceil(current/2), current*2]. */
export function shardStepLimit(current: number, target: number): number {
  return clamp(target, Math.ceil(current / 2), current * 2);
}

export interface Size {
  /** shards the input needs */
  ingest: number;
  /** consumer lanes the input and backlog need */
  lanes: number;
  /** shards to have: ingest, and enough for the lanes at the highest PF, within bounds */
  shardTarget: number;
}

/** Sizes with demand scaled by `factor` (1 for scale-out, 1 + headroom for scale-in). */
export function sizeFor(
  ev: Evaluation,
  current: ScalingCurrent,
  config: ScalingPolicyConfig,
  factor: number,
): Size {
  const u = config.targetUtilisation;
  // Records the producers hold back must get in (and be read) within the drain time too.
  const held = ev.producerBacklogRecords / config.backlogDrainSeconds;
  const ingest = Math.max(
    Math.ceil((ev.demandRecords * factor + held) / (ev.shardCapacity * u)),
    factor === 1 && ev.saturated ? current.openShards * 2 : 0,
    Math.ceil((ev.demandBytes * factor) / (config.shardBytesPerSecond * u)),
  );
  const lanes = Math.ceil(
    (ev.demandRecords * factor + held + ev.backlogRecords / config.backlogDrainSeconds) /
      (ev.perLane * u),
  );
  const shardTarget = clamp(
    Math.max(ingest, Math.ceil(lanes / config.maxParallelization), config.minShards),
    config.minShards,
    config.maxShards,
  );
  return { ingest, lanes, shardTarget };
}

export interface Sizing {
  /** for scale-out: demand as measured */
  out: Size;
  /** for scale-in: demand × (1 + scaleInHeadroom) */
  in: Size;
}

export function size(ev: Evaluation, current: ScalingCurrent, config: ScalingPolicyConfig): Sizing {
  return {
    out: sizeFor(ev, current, config, 1),
    in: sizeFor(ev, current, config, 1 + config.scaleInHeadroom),
  };
}

/** PF for `lanes` over `shards`, within bounds. */
export function parallelizationFor(
  lanes: number,
  shards: number,
  config: ScalingPolicyConfig,
): number {
  return clamp(
    Math.ceil(lanes / Math.max(1, shards)),
    config.minParallelization,
    config.maxParallelization,
  );
}
