/**
 * The scaling policy's vocabulary: what it reads (signals, the current
 * state, its memory), how it is configured, and what it decides. Shared by
 * the four steps (collect → evaluate → size → realize) and the handler.
 */
import type { ControlSnapshot } from './control-signals';

/** Measured over the last signal window (rates are per second). */
export interface ScalingSignals {
  /** Records the stream accepted. */
  incomingRecordsPerSecond: number;
  incomingBytesPerSecond: number;
  /** Records answered ProvisionedThroughputExceeded: demand that did not get in. */
  throttledRecordsPerSecond: number;
  /**
   * Records the producers re-sent (after a throttle or failure). Throttled
   * counts every attempt, so a record throttled twice counts twice; fresh
   * demand = accepted + throttled − re-sent. Undefined when unknown (AWS/Kinesis
   * metrics only): then throttled counts whole, an upper bound.
   */
  producerRetriesPerSecond?: number;
  /**
   * Fresh records the producers generated (their own report, before any
   * throttling or holding back): demand measured directly. Undefined when
   * the producers do not report it (demand is then inferred from puts).
   */
  offeredRecordsPerSecond?: number;
  /** Records the producers hold back right now (queued, awaiting a retry, in flight). */
  producerPendingRecords?: number;
  /** Records the consumers decoded. */
  processedRecordsPerSecond: number;
  /**
   * The same input rates over the recent half of the window. A window average
   * lags a spike by half a window; sizing from the larger of the two makes
   * scale-out one step while scale-in still needs the whole window (and
   * more) to agree.
   */
  recent?: Pick<
    ScalingSignals,
    | 'incomingRecordsPerSecond'
    | 'incomingBytesPerSecond'
    | 'throttledRecordsPerSecond'
    | 'producerRetriesPerSecond'
    | 'offeredRecordsPerSecond'
  >;
  /** Max iterator age over the window (ms). */
  iteratorAgeMs: number;
  /**
   * Seconds of consumer handler run time per second of wall clock (sum of
   * invocation durations / window), i.e. the mean number of busy lanes;
   * undefined when not measured.
   */
  busyLanes?: number;
}

/** What the service APIs say now. */
export interface ScalingCurrent {
  openShards: number;
  parallelization: number;
  /** Stream not ACTIVE (UPDATING after UpdateShardCount): no shard action possible. */
  streamUpdating: boolean;
  /** Event source mapping not Enabled (e.g. Updating): no PF action possible. */
  mappingUpdating: boolean;
}

/** The policy's memory, persisted between decisions. */
export interface ScalingMemory {
  /** Learned true per-lane processing rate (records/s). */
  perLaneRecordsPerSecond: number;
  /**
   * Records/s one shard really accepts, learned while producers were being
   * throttled (≤ the configured limit: a hot key or a lower real limit shows here).
   */
  shardRecordsPerSecond?: number;
  /** Last time the stream was seen UPDATING (a reshard in progress). */
  lastStreamUpdatingAt?: number;
  /** Epoch ms of UpdateShardCount calls in the last 24 h (rolling budget). */
  shardUpdates: number[];
  lastShardChangeAt?: number;
  lastParallelizationChangeAt?: number;
  /** Since when the shard target has been below the current count, and the highest such target since. */
  shardsLowSince?: number;
  shardsLowMax?: number;
  parallelizationLowSince?: number;
  parallelizationLowMax?: number;
  /**
   * The last shard scale-out was cut by the ×2 step limit on the way to a
   * target sized from measured demand: the next step needs no cooldown, only
   * the stream back to ACTIVE.
   */
  shardStepLimited?: boolean;
  /** The control table's totals at recent decisions, to turn into rates (control-signals.ts). */
  snapshots?: ControlSnapshot[];
  /** The last decision that saw a producer reporting in the control table (control-signals.ts). */
  producersSeenAt?: number;
}

export interface ScalingPolicyConfig {
  minShards: number;
  maxShards: number;
  shardRecordsPerSecond: number;
  shardBytesPerSecond: number;
  minParallelization: number;
  maxParallelization: number;
  targetUtilisation: number;
  backlogDrainSeconds: number;
  scaleOutCooldownSeconds: number;
  scaleInCooldownSeconds: number;
  scaleInSustainSeconds: number;
  dailyShardUpdateBudget: number;
  shardUpdateReserveForScaleIn: number;
  /** Scale in only to a size that fits demand × (1 + scaleInHeadroom). */
  scaleInHeadroom: number;
  /** Iterator age under which the consumers count as caught up (no backlog). */
  caughtUpIteratorAgeMs: number;
  /** Iterator age that counts as falling behind (lanes saturated; no scale-in). */
  iteratorAgeTargetMs: number;
  perLaneRecordsPerSecondPrior: number;
  rateEstimateSmoothing: number;
  /** The signal reader's window: throttling seen within its recent half may predate the last reshard. */
  signalWindowSeconds: number;
}

export type ScalingAction =
  | { kind: 'UpdateShardCount'; from: number; to: number }
  | { kind: 'UpdateParallelization'; from: number; to: number };

export interface ScalingDecision {
  /** Where the policy wants to be (after bounds; before the per-call step limit). */
  desiredShards: number;
  desiredParallelization: number;
  /** What to do now (at most one of each kind). */
  actions: ScalingAction[];
  /** Human-readable, with the numbers. */
  reason: string;
  /** The figures behind the decision, for logs and tests. */
  figures: {
    demandRecordsPerSecond: number;
    demandBytesPerSecond: number;
    backlogRecords: number;
    perLaneRecordsPerSecond: number;
    shardsForIngest: number;
    lanesNeeded: number;
    shardUpdatesLeft: number;
  };
}

export interface PolicyInput {
  signals: ScalingSignals;
  current: ScalingCurrent;
  memory: ScalingMemory;
  nowMs: number;
}

export interface PolicyOutput {
  decision: ScalingDecision;
  memory: ScalingMemory;
}
