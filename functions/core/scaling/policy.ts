/**
 * The scaling policy: one pure decision from measured rates, as DS2 and the
 * Flink autoscaler do it — capacity = (input rate + backlog to drain) /
 * (true per-unit rate × target utilisation) — with AWS's limits applied and
 * damping on the way down. No AWS imports: the handler reads signals, calls
 * `decide`, applies the actions and stores the returned state.
 *
 * Split as Flink's autoscaler splits it: collect (collect.ts: metric series
 * → signals) → evaluate (evaluate.ts: demand, backlog, true rates) → size
 * (size.ts: DS2's capacity formula) → realize (realize.ts: the actions AWS's
 * limits and the damping allow now); reason.ts says why.
 *
 * Two levers:
 *  - ParallelizationFactor (PF, 1-10): consumer lanes = shards × PF. Changing
 *    it takes effect within seconds, so it is the first answer to a backlog.
 *  - Shards (UpdateShardCount, uniform scaling): ingest capacity (1,000
 *    records/s and 1 MiB/s each) and more lanes. Slow (a reshard takes
 *    seconds to minutes), limited (×2/÷2 per call, a daily call budget), so
 *    it follows sustained load.
 *
 * Scale-out is immediate (cooldown only); scale-in waits until the lower
 * target has held for scaleInSustainSeconds and uses the highest target seen
 * over that time (the stabilisation window of Kubernetes' HPA), which is the
 * hysteresis that keeps noisy input from flapping.
 */
import type { StreamscaleConfig } from '../../config';
import { evaluate } from './evaluate';
import { realize } from './realize';
import { reasonText } from './reason';
import { size } from './size';
import type { PolicyInput, PolicyOutput, ScalingMemory, ScalingPolicyConfig } from './types';

/** The policy's settings from the one config module. */
export function policyConfigFrom(c: StreamscaleConfig): ScalingPolicyConfig {
  return {
    minShards: c.stream.minShards,
    maxShards: c.stream.maxShards,
    shardRecordsPerSecond: c.stream.shardRecordsPerSecond,
    shardBytesPerSecond: c.stream.shardBytesPerSecond,
    minParallelization: c.scaler.minParallelization,
    maxParallelization: c.scaler.maxParallelization,
    targetUtilisation: c.scaler.targetUtilisation,
    backlogDrainSeconds: c.scaler.backlogDrainSeconds,
    scaleOutCooldownSeconds: c.scaler.scaleOutCooldownSeconds,
    scaleInCooldownSeconds: c.scaler.scaleInCooldownSeconds,
    scaleInSustainSeconds: c.scaler.scaleInSustainSeconds,
    dailyShardUpdateBudget: c.scaler.dailyShardUpdateBudget,
    shardUpdateReserveForScaleIn: c.scaler.shardUpdateReserveForScaleIn,
    scaleInHeadroom: c.scaler.scaleInHeadroom,
    caughtUpIteratorAgeMs: c.consumer.caughtUpIteratorAgeMs,
    iteratorAgeTargetMs: c.scaler.iteratorAgeTargetMs,
    perLaneRecordsPerSecondPrior: c.scaler.perLaneRecordsPerSecondPrior,
    rateEstimateSmoothing: c.scaler.rateEstimateSmoothing,
    signalWindowSeconds: c.scaler.signalWindowSeconds,
  };
}

export function initialMemory(
  config: Pick<ScalingPolicyConfig, 'perLaneRecordsPerSecondPrior'>,
): ScalingMemory {
  return { perLaneRecordsPerSecond: config.perLaneRecordsPerSecondPrior, shardUpdates: [] };
}

/** One decision: evaluate the signals, size both levers, realize the actions allowed now. */
export function decide(input: PolicyInput, config: ScalingPolicyConfig): PolicyOutput {
  const ev = evaluate(input, config);
  const sizing = size(ev, input.current, config);
  const r = realize(input, config, ev, sizing);
  return {
    decision: {
      desiredShards: r.desiredShards,
      desiredParallelization: r.desiredParallelization,
      actions: r.actions,
      reason: reasonText(input, config, ev, sizing, r),
      figures: {
        demandRecordsPerSecond: ev.demandRecords,
        demandBytesPerSecond: ev.demandBytes,
        backlogRecords: ev.backlogRecords,
        perLaneRecordsPerSecond: ev.perLane,
        shardsForIngest: sizing.out.ingest,
        lanesNeeded: sizing.out.lanes,
        shardUpdatesLeft: Math.max(0, config.dailyShardUpdateBudget - r.memory.shardUpdates.length),
      },
    },
    memory: r.memory,
  };
}
