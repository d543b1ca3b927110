/**
 * The scaling policy: one pure decision from measured rates, as DS2 and the
 * Flink autoscaler do it — capacity = (input rate + backlog to drain) /
 * (true per-unit rate × target utilisation) — with AWS's limits applied and
 * damping on the way down. No AWS imports: the handler reads signals, calls
 * `decide`, applies the actions and stores the returned state.
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

const DAY_MS = 86_400_000;
/** Share of put attempts throttled above which the stream counts as saturated. */
const SATURATION_SHARE = 0.05;

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

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
const fmt = (v: number): string =>
  Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : String(Math.round(v * 10) / 10);

/**
 * The true per-lane rate (DS2's "true processing rate"): records processed
 * per second of busy time. With busy time measured, that is processed /
 * busyLanes; without it, only a saturated consumer (behind on iterator age)
 * tells us its capacity, as processed / lanes. Otherwise keep the estimate.
 */
export function measurePerLaneRate(
  signals: ScalingSignals,
  current: ScalingCurrent,
  previous: number,
  config: ScalingPolicyConfig,
): number {
  let measured: number | undefined;
  if (
    signals.busyLanes !== undefined &&
    signals.busyLanes > 0.05 &&
    signals.processedRecordsPerSecond > 0
  ) {
    measured = signals.processedRecordsPerSecond / signals.busyLanes;
  } else if (
    signals.iteratorAgeMs > config.iteratorAgeTargetMs &&
    signals.processedRecordsPerSecond > 0
  ) {
    measured =
      signals.processedRecordsPerSecond / Math.max(1, current.openShards * current.parallelization);
  }
  if (measured === undefined || !Number.isFinite(measured)) return previous;
  const a = config.rateEstimateSmoothing;
  return a * measured + (1 - a) * previous;
}

/**
 * Demand = fresh records offered = put attempts (accepted + throttled) minus
 * re-sends (records/s and bytes/s). Re-sends that got in while producers
 * drain their buffers after a scale-out are not new load: sizing for them
 * would overshoot by the transient drain.
 */
function demandOf(r: NonNullable<ScalingSignals['recent']>): { records: number; bytes: number } {
  const attempts =
    Math.max(0, r.incomingRecordsPerSecond) + Math.max(0, r.throttledRecordsPerSecond);
  const records = Math.max(0, attempts - (r.producerRetriesPerSecond ?? 0));
  const avgRecordBytes =
    r.incomingRecordsPerSecond > 0 ? r.incomingBytesPerSecond / r.incomingRecordsPerSecond : 0;
  return { records, bytes: records * avgRecordBytes };
}

/** UpdateShardCount allows a target in [ceil(current/2), current*2]. */
export function shardStepLimit(current: number, target: number): number {
  return clamp(target, Math.ceil(current / 2), current * 2);
}

export function decide(input: PolicyInput, config: ScalingPolicyConfig): PolicyOutput {
  const { signals, current, nowMs } = input;
  const u = config.targetUtilisation;
  const shards = current.openShards;
  const pf = current.parallelization;

  // ---- measure
  const perLane = measurePerLaneRate(
    signals,
    current,
    input.memory.perLaneRecordsPerSecond,
    config,
  );
  const windowDemand = demandOf(signals);
  const recentDemand = signals.recent ? demandOf(signals.recent) : windowDemand;
  const demandRecords = Math.max(windowDemand.records, recentDemand.records);
  const demandBytes = Math.max(windowDemand.bytes, recentDemand.bytes);
  // Records waiting: the age of the oldest unread record times the rate at
  // which records arrive. Ages under the caught-up threshold are batching
  // delay, not backlog.
  const behind = signals.iteratorAgeMs > config.caughtUpIteratorAgeMs;
  const backlogRecords = behind
    ? (signals.iteratorAgeMs / 1000) * Math.max(demandRecords, signals.processedRecordsPerSecond)
    : 0;

  // ---- size (one step, from measured rates)
  // Scale-out sizes for demand; scale-in for demand × (1 + headroom), so a
  // size reached on the way up is left only when load is clearly lower.
  // ---- ingest saturation. Producers that are throttled back off and hold
  // records in their buffers, so while the stream is saturated the fresh
  // demand cannot be measured: only that it is more than the stream takes.
  // Then shards double (the most one call may do), and what one shard really
  // accepted becomes the per-shard capacity (never above the configured limit).
  const since = (t: number | undefined): number =>
    t === undefined ? Infinity : (nowMs - t) / 1000;
  const probe = signals.recent ?? signals;
  const attempts =
    Math.max(0, probe.incomingRecordsPerSecond) + Math.max(0, probe.throttledRecordsPerSecond);
  const throttledShare = attempts > 0 ? Math.max(0, probe.throttledRecordsPerSecond) / attempts : 0;
  // Throttling counts only when the recent half-window saw the current shards
  // alone (not the time before the last reshard's new shards opened).
  const lastReshard = Math.max(
    input.memory.lastShardChangeAt ?? -Infinity,
    input.memory.lastStreamUpdatingAt ?? -Infinity,
  );
  const settled = since(lastReshard) >= config.signalWindowSeconds / 2 && !current.streamUpdating;
  // Producers re-sending more than is being throttled are draining their
  // buffers: spare capacity exists and fresh demand is measured; only when
  // re-sends keep up with throttles (or are unknown) is demand hidden.
  const draining =
    probe.producerRetriesPerSecond !== undefined &&
    probe.producerRetriesPerSecond > probe.throttledRecordsPerSecond * 1.05;
  const saturated = throttledShare > SATURATION_SHARE && settled && !draining;
  const acceptedPerShard = Math.max(0, probe.incomingRecordsPerSecond) / Math.max(1, shards);
  let shardCapacity = Math.min(
    config.shardRecordsPerSecond,
    input.memory.shardRecordsPerSecond ?? Infinity,
  );
  if (saturated && acceptedPerShard > 0) {
    const a = config.rateEstimateSmoothing;
    const prev = input.memory.shardRecordsPerSecond ?? config.shardRecordsPerSecond;
    shardCapacity = Math.min(config.shardRecordsPerSecond, a * acceptedPerShard + (1 - a) * prev);
  } else if (!saturated && acceptedPerShard > shardCapacity) {
    shardCapacity = Math.min(config.shardRecordsPerSecond, acceptedPerShard);
  }

  const size = (factor: number) => {
    const ingest = Math.max(
      Math.ceil((demandRecords * factor) / (shardCapacity * u)),
      factor === 1 && saturated ? shards * 2 : 0,
      Math.ceil((demandBytes * factor) / (config.shardBytesPerSecond * u)),
    );
    const lanes = Math.ceil(
      (demandRecords * factor + backlogRecords / config.backlogDrainSeconds) / (perLane * u),
    );
    const shardTarget = clamp(
      Math.max(ingest, Math.ceil(lanes / config.maxParallelization), config.minShards),
      config.minShards,
      config.maxShards,
    );
    return { ingest, lanes, shardTarget };
  };
  const out = size(1);
  const inn = size(1 + config.scaleInHeadroom);
  const shardsForIngest = out.ingest;
  const lanesNeeded = out.lanes;

  // ---- budget (rolling 24 h)
  const memory: ScalingMemory = {
    ...input.memory,
    perLaneRecordsPerSecond: perLane,
    shardRecordsPerSecond: shardCapacity < config.shardRecordsPerSecond ? shardCapacity : undefined,
    lastStreamUpdatingAt: current.streamUpdating ? nowMs : input.memory.lastStreamUpdatingAt,
    shardUpdates: input.memory.shardUpdates.filter((t) => t > nowMs - DAY_MS),
  };
  const updatesLeft = Math.max(0, config.dailyShardUpdateBudget - memory.shardUpdates.length);
  const lastChange = Math.max(
    memory.lastShardChangeAt ?? -Infinity,
    memory.lastParallelizationChangeAt ?? -Infinity,
  );
  const behindTarget = signals.iteratorAgeMs > config.iteratorAgeTargetMs;

  const actions: ScalingAction[] = [];
  const notes: string[] = [];

  // ---- shards
  let shardsAfter = shards;
  let desiredShards = shards;
  if (out.shardTarget > shards) {
    desiredShards = out.shardTarget;
    memory.shardsLowSince = undefined;
    memory.shardsLowMax = undefined;
    if (current.streamUpdating) notes.push('stream UPDATING: shard change waits');
    else if (updatesLeft <= config.shardUpdateReserveForScaleIn)
      notes.push(`shard budget: ${updatesLeft} call(s) left today, kept for scale-in`);
    else if (since(memory.lastShardChangeAt) < config.scaleOutCooldownSeconds)
      notes.push(
        `shard scale-out cooldown (${fmt(since(memory.lastShardChangeAt))} s < ${config.scaleOutCooldownSeconds} s)`,
      );
    else shardsAfter = shardStepLimit(shards, out.shardTarget);
  } else if (inn.shardTarget < shards) {
    memory.shardsLowSince ??= nowMs;
    memory.shardsLowMax = Math.max(memory.shardsLowMax ?? 0, inn.shardTarget);
    desiredShards = memory.shardsLowMax;
    const lowFor = since(memory.shardsLowSince);
    if (behindTarget) notes.push('consumers behind: no shard scale-in');
    else if (lowFor < config.scaleInSustainSeconds)
      notes.push(
        `low load for ${fmt(lowFor)} s of ${config.scaleInSustainSeconds} s before shard scale-in`,
      );
    else if (current.streamUpdating) notes.push('stream UPDATING: shard change waits');
    else if (updatesLeft <= 0) notes.push('shard budget exhausted for today');
    else if (since(lastChange) < config.scaleInCooldownSeconds)
      notes.push(
        `scale-in cooldown (${fmt(since(lastChange))} s < ${config.scaleInCooldownSeconds} s)`,
      );
    else shardsAfter = shardStepLimit(shards, desiredShards);
  } else {
    memory.shardsLowSince = undefined;
    memory.shardsLowMax = undefined;
  }
  if (shardsAfter !== shards) {
    actions.push({ kind: 'UpdateShardCount', from: shards, to: shardsAfter });
    memory.shardUpdates = [...memory.shardUpdates, nowMs];
    memory.lastShardChangeAt = nowMs;
    // A new shard count is a new regime: restart the scale-in clock.
    memory.shardsLowSince = undefined;
    memory.shardsLowMax = undefined;
  }

  // ---- parallelization: lanes over the shards we will have
  const pfFor = (lanes: number) =>
    clamp(
      Math.ceil(lanes / Math.max(1, shardsAfter)),
      config.minParallelization,
      config.maxParallelization,
    );
  // PF at most doubles per decision: lanes do not scale linearly forever
  // (a shared downstream, a small machine), and the next measurement shows
  // how much the last step helped.
  const pfWanted = pfFor(out.lanes);
  const pfOut = Math.min(pfWanted, Math.max(pf * 2, pf + 1));
  const pfIn = pfFor(inn.lanes);
  let pfAfter = pf;
  let desiredParallelization = pf;
  if (pfOut > pf) {
    desiredParallelization = pfWanted;
    memory.parallelizationLowSince = undefined;
    memory.parallelizationLowMax = undefined;
    if (current.mappingUpdating) notes.push('mapping updating: PF change waits');
    else if (since(memory.lastParallelizationChangeAt) < config.scaleOutCooldownSeconds)
      notes.push(`PF scale-out cooldown (${fmt(since(memory.lastParallelizationChangeAt))} s)`);
    else pfAfter = pfOut;
  } else if (pfIn < pf) {
    memory.parallelizationLowSince ??= nowMs;
    memory.parallelizationLowMax = Math.max(memory.parallelizationLowMax ?? 0, pfIn);
    desiredParallelization = memory.parallelizationLowMax;
    const lowFor = since(memory.parallelizationLowSince);
    if (behindTarget) notes.push('consumers behind: no PF scale-in');
    else if (lowFor < config.scaleInSustainSeconds && !(shardsAfter < shards))
      notes.push(
        `low load for ${fmt(lowFor)} s of ${config.scaleInSustainSeconds} s before PF scale-in`,
      );
    else if (current.mappingUpdating) notes.push('mapping updating: PF change waits');
    // PF scale-in may ride along with a shard scale-in decided now, never
    // with a scale-out whose new shards are not open yet.
    else if (since(lastChange) < config.scaleInCooldownSeconds && !(shardsAfter < shards))
      notes.push(
        `scale-in cooldown (${fmt(since(lastChange))} s < ${config.scaleInCooldownSeconds} s)`,
      );
    else pfAfter = desiredParallelization;
  } else {
    memory.parallelizationLowSince = undefined;
    memory.parallelizationLowMax = undefined;
  }
  if (pfAfter !== pf) {
    actions.push({ kind: 'UpdateParallelization', from: pf, to: pfAfter });
    memory.lastParallelizationChangeAt = nowMs;
    memory.parallelizationLowSince = undefined;
    memory.parallelizationLowMax = undefined;
  }

  // ---- reason
  const throttleText =
    signals.throttledRecordsPerSecond > 0
      ? `, throttled ${fmt(signals.throttledRecordsPerSecond)}` +
        (signals.producerRetriesPerSecond !== undefined
          ? ` − re-sent ${fmt(signals.producerRetriesPerSecond)}`
          : '')
      : '';
  const demandText = `demand ${fmt(demandRecords)} rec/s (window ${fmt(windowDemand.records)}, recent ${fmt(recentDemand.records)}; accepted ${fmt(signals.incomingRecordsPerSecond)}${throttleText})`;
  const parts = [
    `${demandText}, ${fmt(demandBytes / 1024)} KiB/s`,
    `ingest needs ${shardsForIngest} shard(s) at ${fmt(shardCapacity)} rec/s × ${u}` +
      (saturated ? ` (saturated: ${fmt(throttledShare * 100)} % of puts throttled → ×2)` : ''),
    `iterator age ${fmt(signals.iteratorAgeMs / 1000)} s → backlog ${fmt(backlogRecords)} rec drained in ${config.backlogDrainSeconds} s`,
    `lanes needed ${lanesNeeded} at ${fmt(perLane)} rec/s/lane × ${u}`,
    `want ${desiredShards} shard(s) × PF ${desiredParallelization}, have ${shards} × ${pf}`,
  ];
  const acted = actions.map((a) =>
    a.kind === 'UpdateShardCount'
      ? `shards ${a.from}→${a.to}${a.to !== desiredShards ? ' (step limit ×2/÷2)' : ''}`
      : `PF ${a.from}→${a.to}`,
  );
  const reason = `${acted.length > 0 ? acted.join(', ') : 'hold'}: ${parts.join('; ')}${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`;

  return {
    decision: {
      desiredShards,
      desiredParallelization,
      actions,
      reason,
      figures: {
        demandRecordsPerSecond: demandRecords,
        demandBytesPerSecond: demandBytes,
        backlogRecords,
        perLaneRecordsPerSecond: perLane,
        shardsForIngest,
        lanesNeeded,
        shardUpdatesLeft: Math.max(0, config.dailyShardUpdateBudget - memory.shardUpdates.length),
      },
    },
    memory,
  };
}
