/**
 * Realize (the Flink autoscaler's last step): from the sizes to the actions
 * to take now, under AWS's limits and the policy's damping. Scale-out is
 * immediate (cooldown only); scale-in waits until the lower target has held
 * for scaleInSustainSeconds and uses the highest target seen over that time
 * (the stabilisation window of Kubernetes' HPA), the hysteresis that keeps
 * noisy input from flapping. Shards: ×2/÷2 per call, a rolling daily budget
 * with calls kept back for scale-in. PF: at most doubles per decision.
 */
import type { Evaluation } from './evaluate';
import { sinceSeconds } from './evaluate';
import { fmt } from './reason';
import { parallelizationFor, shardStepLimit, type Sizing } from './size';
import type { PolicyInput, ScalingAction, ScalingMemory, ScalingPolicyConfig } from './types';

const DAY_MS = 86_400_000;

export interface Realized {
  desiredShards: number;
  desiredParallelization: number;
  actions: ScalingAction[];
  /** why an action waits, for the reason text */
  notes: string[];
  memory: ScalingMemory;
}

/** What both levers' rules read; `memory` is the decision's new memory, updated in place. */
interface Step {
  input: PolicyInput;
  config: ScalingPolicyConfig;
  sizing: Sizing;
  memory: ScalingMemory;
  actions: ScalingAction[];
  notes: string[];
  since: (t: number | undefined) => number;
  /** the last change of either lever before this decision */
  lastChange: number;
  behindTarget: boolean;
  /** the shard target is the saturation guess (×2), not measured demand */
  guessed: boolean;
  /** demand comes from the producers' own count, which a reshard does not change */
  measured: boolean;
}

/** Memory carried into this decision: learned rates, the rolling 24 h budget. */
function nextMemory(input: PolicyInput, config: ScalingPolicyConfig, ev: Evaluation) {
  const { memory, current, nowMs } = input;
  return {
    ...memory,
    perLaneRecordsPerSecond: ev.perLane,
    shardRecordsPerSecond:
      ev.shardCapacity < config.shardRecordsPerSecond ? ev.shardCapacity : undefined,
    lastStreamUpdatingAt: current.streamUpdating ? nowMs : memory.lastStreamUpdatingAt,
    shardUpdates: memory.shardUpdates.filter((t) => t > nowMs - DAY_MS),
  };
}

/** Why a shard change must wait, or undefined when it may happen now. */
function shardWait(s: Step, scaleOut: boolean): string | undefined {
  const { config, memory, since } = s;
  const { current } = s.input;
  const updatesLeft = Math.max(0, config.dailyShardUpdateBudget - memory.shardUpdates.length);
  if (scaleOut) {
    if (current.streamUpdating) return 'stream UPDATING: shard change waits';
    if (updatesLeft <= config.shardUpdateReserveForScaleIn)
      return `shard budget: ${updatesLeft} call(s) left today, kept for scale-in`;
    // The cooldown lets the stream's figures settle after a reshard. A step
    // cut by the ×2 limit on the way to a measured target continues as soon
    // as the stream is ACTIVE: the target does not need re-measuring; nor
    // does demand the producers count themselves (what they generated does
    // not depend on the shards), so a spike seen growing over two decisions
    // is answered at the second, not a cooldown later.
    if (
      !s.input.memory.shardStepLimited &&
      !s.measured &&
      since(memory.lastShardChangeAt) < config.scaleOutCooldownSeconds
    )
      return `shard scale-out cooldown (${fmt(since(memory.lastShardChangeAt))} s < ${config.scaleOutCooldownSeconds} s)`;
    return undefined;
  }
  const lowFor = since(memory.shardsLowSince);
  if (s.behindTarget) return 'consumers behind: no shard scale-in';
  if (lowFor < config.scaleInSustainSeconds)
    return `low load for ${fmt(lowFor)} s of ${config.scaleInSustainSeconds} s before shard scale-in`;
  if (current.streamUpdating) return 'stream UPDATING: shard change waits';
  if (updatesLeft <= 0) return 'shard budget exhausted for today';
  if (since(s.lastChange) < config.scaleInCooldownSeconds)
    return `scale-in cooldown (${fmt(since(s.lastChange))} s < ${config.scaleInCooldownSeconds} s)`;
  return undefined;
}

function realizeShards(s: Step): { desiredShards: number; shardsAfter: number } {
  const { memory, sizing, notes } = s;
  const { nowMs } = s.input;
  const shards = s.input.current.openShards;
  let shardsAfter = shards;
  let desiredShards = shards;
  if (sizing.out.shardTarget > shards) {
    desiredShards = sizing.out.shardTarget;
    memory.shardsLowSince = undefined;
    memory.shardsLowMax = undefined;
    const wait = shardWait(s, true);
    if (wait) notes.push(wait);
    else shardsAfter = shardStepLimit(shards, sizing.out.shardTarget);
  } else if (sizing.in.shardTarget < shards) {
    memory.shardsLowSince ??= nowMs;
    memory.shardsLowMax = Math.max(memory.shardsLowMax ?? 0, sizing.in.shardTarget);
    desiredShards = memory.shardsLowMax;
    const wait = shardWait(s, false);
    if (wait) notes.push(wait);
    else shardsAfter = shardStepLimit(shards, desiredShards);
  } else {
    memory.shardsLowSince = undefined;
    memory.shardsLowMax = undefined;
  }
  // Kept while a scale-out waits (stream UPDATING); reset by any other step.
  if (shardsAfter !== shards)
    memory.shardStepLimited =
      shardsAfter > shards && shardsAfter < sizing.out.shardTarget && !s.guessed ? true : undefined;
  else if (sizing.out.shardTarget <= shards) memory.shardStepLimited = undefined;
  if (shardsAfter !== shards) {
    s.actions.push({ kind: 'UpdateShardCount', from: shards, to: shardsAfter });
    memory.shardUpdates = [...memory.shardUpdates, nowMs];
    memory.lastShardChangeAt = nowMs;
    // A new shard count is a new regime: restart the scale-in clock.
    memory.shardsLowSince = undefined;
    memory.shardsLowMax = undefined;
  }
  return { desiredShards, shardsAfter };
}

/** Why a PF scale-in must wait, or undefined. It may ride along with a shard scale-in decided now. */
function parallelizationInWait(s: Step, shardsIn: boolean): string | undefined {
  const { config, since } = s;
  const lowFor = since(s.memory.parallelizationLowSince);
  if (s.behindTarget) return 'consumers behind: no PF scale-in';
  if (lowFor < config.scaleInSustainSeconds && !shardsIn)
    return `low load for ${fmt(lowFor)} s of ${config.scaleInSustainSeconds} s before PF scale-in`;
  if (s.input.current.mappingUpdating) return 'mapping updating: PF change waits';
  // never with a scale-out whose new shards are not open yet
  if (since(s.lastChange) < config.scaleInCooldownSeconds && !shardsIn)
    return `scale-in cooldown (${fmt(since(s.lastChange))} s < ${config.scaleInCooldownSeconds} s)`;
  return undefined;
}

/** PF: lanes over the shards we will have. */
function realizeParallelization(s: Step, shardsAfter: number): number {
  const { memory, config, sizing, notes, since } = s;
  const { current, nowMs } = s.input;
  const pf = current.parallelization;
  // PF at most doubles per decision: lanes do not scale linearly forever
  // (a shared downstream, a small machine), and the next measurement shows
  // how much the last step helped.
  const pfWanted = parallelizationFor(sizing.out.lanes, shardsAfter, config);
  const pfOut = Math.min(pfWanted, Math.max(pf * 2, pf + 1));
  const pfIn = parallelizationFor(sizing.in.lanes, shardsAfter, config);
  let pfAfter = pf;
  let desired = pf;
  if (pfOut > pf) {
    desired = pfWanted;
    memory.parallelizationLowSince = undefined;
    memory.parallelizationLowMax = undefined;
    if (current.mappingUpdating) notes.push('mapping updating: PF change waits');
    else if (since(memory.lastParallelizationChangeAt) < config.scaleOutCooldownSeconds)
      notes.push(`PF scale-out cooldown (${fmt(since(memory.lastParallelizationChangeAt))} s)`);
    else pfAfter = pfOut;
  } else if (pfIn < pf) {
    memory.parallelizationLowSince ??= nowMs;
    memory.parallelizationLowMax = Math.max(memory.parallelizationLowMax ?? 0, pfIn);
    desired = memory.parallelizationLowMax;
    const wait = parallelizationInWait(s, shardsAfter < current.openShards);
    if (wait) notes.push(wait);
    else pfAfter = desired;
  } else {
    memory.parallelizationLowSince = undefined;
    memory.parallelizationLowMax = undefined;
  }
  if (pfAfter !== pf) {
    s.actions.push({ kind: 'UpdateParallelization', from: pf, to: pfAfter });
    memory.lastParallelizationChangeAt = nowMs;
    memory.parallelizationLowSince = undefined;
    memory.parallelizationLowMax = undefined;
  }
  return desired;
}

export function realize(
  input: PolicyInput,
  config: ScalingPolicyConfig,
  ev: Evaluation,
  sizing: Sizing,
): Realized {
  const memory: ScalingMemory = nextMemory(input, config, ev);
  const step: Step = {
    input,
    config,
    sizing,
    memory,
    actions: [],
    notes: [],
    since: (t) => sinceSeconds(input.nowMs, t),
    lastChange: Math.max(
      memory.lastShardChangeAt ?? -Infinity,
      memory.lastParallelizationChangeAt ?? -Infinity,
    ),
    behindTarget: input.signals.iteratorAgeMs > config.iteratorAgeTargetMs,
    guessed: ev.saturated,
    measured: ev.demandMeasured,
  };
  const { desiredShards, shardsAfter } = realizeShards(step);
  const desiredParallelization = realizeParallelization(step, shardsAfter);
  return {
    desiredShards,
    desiredParallelization,
    actions: step.actions,
    notes: step.notes,
    memory,
  };
}
