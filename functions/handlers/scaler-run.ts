/**
 * The scaler's run: a decision every scaler.tickSeconds (the shared
 * scheduled-run loop) until the period or the remaining time runs out, or a
 * newer run has claimed the scaler (SCALER/STATE.runStartedAt, the closer's
 * pattern).
 *
 * A tick: read the current state from the service APIs and the signals from
 * CloudWatch, call the pure policy, save its memory (conditional on still
 * owning the scaler), apply its actions, and publish the decision.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { applyAction, readCurrent } from '../aws/scaling-levers';
import { resourceNames, type StreamscaleConfig } from '../config';
import { costPerHour } from '../core/cost/hourly-rate';
import { PRICES } from '../core/cost/prices';
import type { ReadSignals } from '../core/scaling/collect';
import { decide, initialMemory, policyConfigFrom } from '../core/scaling/policy';
import type {
  ScalingAction,
  ScalingCurrent,
  ScalingDecision,
  ScalingMemory,
} from '../core/scaling/types';
import { runScheduled, type RunResult as ScheduledResult } from '../runtime/scheduled-run';
import { claimScalerRun, loadScalerState, saveScalerState } from '../store/scaler-state-store';
import { readScalerSignals, type ScalerSignals, type SignalCache } from './scaler-signals';

const DAY_MS = 86_400_000;

export interface ScalerDeps {
  config: StreamscaleConfig;
  streamName: string;
  mappingUuid: string;
  kinesis: KinesisClient;
  lambda: LambdaClient;
  cloudwatch: CloudWatchClient;
  dynamo: DynamoDBClient;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Where decisions go (EMF metrics + structured log by default). */
  publish(record: DecisionRecord): void;
}

export interface DecisionRecord {
  at: number;
  current: ScalingCurrent;
  signals: ReadSignals;
  decision: ScalingDecision;
  /** Actions that the APIs accepted. */
  applied: ScalingAction[];
  /** Actions that failed, with the error name. */
  failed: Array<{ action: ScalingAction; error: string }>;
  /** What reading the signals took: control-table Queries, CloudWatch metrics requested. */
  reads: ScalerSignals['reads'];
  estimatedCostPerHour: number;
}

export interface TickResult {
  superseded: boolean;
  memory: ScalingMemory;
  record?: DecisionRecord;
}

export interface RunResult extends ScheduledResult {
  last?: DecisionRecord;
}

const errorName = (err: unknown): string => (err instanceof Error ? err.name : String(err));

/** A refused action gives back what the policy recorded for it. */
function restoreRefused(
  deps: ScalerDeps,
  action: ScalingAction,
  error: string,
  memory: ScalingMemory,
  before: ScalingMemory,
): void {
  if (action.kind === 'UpdateShardCount') {
    memory.lastShardChangeAt = before.lastShardChangeAt;
    // AWS's own limit (10 calls per rolling 24 h) was hit: treat today's budget as spent.
    memory.shardUpdates =
      error === 'LimitExceededException'
        ? [
            ...memory.shardUpdates,
            ...Array(deps.config.scaler.dailyShardUpdateBudget).fill(deps.now()),
          ]
        : before.shardUpdates.filter((t) => t > deps.now() - DAY_MS);
  } else {
    memory.lastParallelizationChangeAt = before.lastParallelizationChangeAt;
  }
}

async function applyAll(
  deps: ScalerDeps,
  actions: ScalingAction[],
  next: ScalingMemory,
  before: ScalingMemory,
) {
  const applied: ScalingAction[] = [];
  const failed: DecisionRecord['failed'] = [];
  for (const action of actions) {
    try {
      await applyAction(deps, action);
      applied.push(action);
    } catch (err) {
      restoreRefused(deps, action, errorName(err), next, before);
      failed.push({ action, error: errorName(err) });
    }
  }
  return { applied, failed };
}

function estimatedCost(deps: ScalerDeps, current: ScalingCurrent, signals: ReadSignals): number {
  return costPerHour(
    {
      shards: current.openShards,
      recordsPerSecond: signals.incomingRecordsPerSecond,
      bytesPerSecond: signals.incomingBytesPerSecond,
      busyLanes: signals.busyLanes ?? 0,
      invocationsPerSecond: 0,
      consumerMemoryMb: deps.config.consumer.memoryMb,
    },
    PRICES,
  );
}

/** One decision. Exported for tests and the bench, which drive ticks directly. */
export async function scalerTick(
  deps: ScalerDeps,
  runStartedAt: number,
  memory: ScalingMemory,
  cache: SignalCache = {},
): Promise<TickResult> {
  const table = resourceNames(deps.config.prefix).controlTable;
  const state = await loadScalerState(deps.dynamo, table);
  if (state?.runStartedAt !== undefined && state.runStartedAt > runStartedAt)
    return { superseded: true, memory };

  const now = deps.now();
  const [current, read] = await Promise.all([
    readCurrent(deps),
    readScalerSignals(deps, memory, now, cache),
  ]);
  const { signals } = read;
  const out = decide({ signals, current, memory, nowMs: now }, policyConfigFrom(deps.config));
  const next: ScalingMemory = {
    ...out.memory,
    shardUpdates: [...out.memory.shardUpdates],
    snapshots: read.snapshots,
    ...(read.producersSeenAt !== undefined ? { producersSeenAt: read.producersSeenAt } : {}),
  };
  const lastDecision = {
    at: now,
    desiredShards: out.decision.desiredShards,
    desiredParallelization: out.decision.desiredParallelization,
    actualShards: current.openShards,
    actualParallelization: current.parallelization,
    reason: out.decision.reason,
  };
  // Save first, conditional on still owning the scaler, and act only then:
  // a run that a newer one has replaced never acts, and no applied action is
  // missing from the memory the next run loads.
  if (!(await saveScalerState(deps.dynamo, table, runStartedAt, next, lastDecision)))
    return { superseded: true, memory };
  const { applied, failed } = await applyAll(deps, out.decision.actions, next, memory);
  const saved =
    failed.length === 0 ||
    (await saveScalerState(deps.dynamo, table, runStartedAt, next, lastDecision));
  const record: DecisionRecord = {
    at: now,
    current,
    signals,
    decision: out.decision,
    applied,
    failed,
    reads: read.reads,
    estimatedCostPerHour: estimatedCost(deps, current, signals),
  };
  deps.publish(record);
  return { superseded: !saved, memory: next, record };
}

/** Decide every tickSeconds until `untilMs` or until a newer run takes over. */
export async function runScaler(
  deps: ScalerDeps,
  runStartedAt: number,
  untilMs: number,
): Promise<RunResult> {
  const table = resourceNames(deps.config.prefix).controlTable;
  const tickMs = deps.config.scaler.tickSeconds * 1000;
  const claimed = await claimScalerRun(deps.dynamo, table, runStartedAt, {
    runUntil: untilMs,
    handoverAt: deps.now() + tickMs,
  });
  if (!claimed) return { ticks: 0, stoppedBecause: 'newer run' };
  let memory =
    (await loadScalerState(deps.dynamo, table))?.memory ??
    initialMemory(policyConfigFrom(deps.config));
  let last: DecisionRecord | undefined;
  const cache: SignalCache = {};
  const run = await runScheduled(
    {
      startedAt: runStartedAt,
      tickMs: deps.config.scaler.tickSeconds * 1000,
      untilMs,
      clock: deps,
    },
    async () => {
      const r = await scalerTick(deps, runStartedAt, memory, cache);
      if (r.record) last = r.record;
      if (!r.superseded) memory = r.memory;
      return { ran: r.record !== undefined, superseded: r.superseded };
    },
  );
  return { ...run, last };
}
