/**
 * Evaluate (the Flink autoscaler's second step): from the collected signals
 * to the figures sizing needs — fresh demand, backlog, the true per-lane
 * processing rate and what one shard really accepts.
 */
import type { PolicyInput, ScalingCurrent, ScalingPolicyConfig, ScalingSignals } from './types';

/** Share of put attempts throttled above which the stream counts as saturated. */
const SATURATION_SHARE = 0.05;
/** Below this many busy lanes a per-lane rate is noise. */
const MIN_BUSY_LANES = 0.05;
/** Producers re-sending this much more than is throttled are draining their buffers. */
const DRAINING_MARGIN = 1.05;

export interface Demand {
  records: number;
  bytes: number;
}

export interface Evaluation {
  /** learned true per-lane rate (records/s) */
  perLane: number;
  windowDemand: Demand;
  recentDemand: Demand;
  /** the larger of the window's and the recent half's demand */
  demandRecords: number;
  demandBytes: number;
  /** records waiting in the stream, to drain in backlogDrainSeconds */
  backlogRecords: number;
  /** records the producers hold back, to get into the stream in backlogDrainSeconds */
  producerBacklogRecords: number;
  throttledShare: number;
  /** producers throttled and not draining: demand is hidden, shards double */
  saturated: boolean;
  /** the producers report what they generated: demand is measured, whatever the shards */
  demandMeasured: boolean;
  /** records/s one shard accepts (learned, never above the configured limit) */
  shardCapacity: number;
}

export const sinceSeconds = (nowMs: number, t: number | undefined): number =>
  t === undefined ? Infinity : (nowMs - t) / 1000;

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
    signals.busyLanes > MIN_BUSY_LANES &&
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
 * Demand = fresh records offered. Producers that report what they generated
 * give it directly; otherwise it is put attempts (accepted + throttled)
 * minus re-sends. Re-sends that got in while producers drain their buffers
 * after a scale-out are not new load: sizing for them would overshoot by the
 * transient drain.
 */
function demandOf(r: NonNullable<ScalingSignals['recent']>): Demand {
  const attempts =
    Math.max(0, r.incomingRecordsPerSecond) + Math.max(0, r.throttledRecordsPerSecond);
  const records =
    r.offeredRecordsPerSecond !== undefined
      ? Math.max(0, r.offeredRecordsPerSecond)
      : Math.max(0, attempts - (r.producerRetriesPerSecond ?? 0));
  const avgRecordBytes =
    r.incomingRecordsPerSecond > 0 ? r.incomingBytesPerSecond / r.incomingRecordsPerSecond : 0;
  return { records, bytes: records * avgRecordBytes };
}

/**
 * Ingest saturation. Producers that are throttled back off and hold records
 * in their buffers, so while the stream is saturated the fresh demand cannot
 * be measured: only that it is more than the stream takes. Then shards
 * double (the most one call may do), and what one shard really accepted
 * becomes the per-shard capacity (never above the configured limit).
 */
function ingestCapacity(
  input: PolicyInput,
  config: ScalingPolicyConfig,
): Pick<Evaluation, 'throttledShare' | 'saturated' | 'shardCapacity'> {
  const { signals, current, memory, nowMs } = input;
  const probe = signals.recent ?? signals;
  const attempts =
    Math.max(0, probe.incomingRecordsPerSecond) + Math.max(0, probe.throttledRecordsPerSecond);
  const throttledShare = attempts > 0 ? Math.max(0, probe.throttledRecordsPerSecond) / attempts : 0;
  // Throttling counts only when the recent half-window saw the current shards
  // alone (not the time before the last reshard's new shards opened).
  const lastReshard = Math.max(
    memory.lastShardChangeAt ?? -Infinity,
    memory.lastStreamUpdatingAt ?? -Infinity,
  );
  const settled =
    sinceSeconds(nowMs, lastReshard) >= config.signalWindowSeconds / 2 && !current.streamUpdating;
  // Producers re-sending more than is being throttled are draining their
  // buffers: spare capacity exists and fresh demand is measured; only when
  // re-sends keep up with throttles (or are unknown) is demand hidden.
  const draining =
    probe.producerRetriesPerSecond !== undefined &&
    probe.producerRetriesPerSecond > probe.throttledRecordsPerSecond * DRAINING_MARGIN;
  // Producers that report their demand leave nothing hidden: no doubling on a
  // guess, and no per-shard capacity learned from a limit they impose themselves.
  const measured = probe.offeredRecordsPerSecond !== undefined;
  const saturated = throttledShare > SATURATION_SHARE && settled && !draining && !measured;
  const acceptedPerShard =
    Math.max(0, probe.incomingRecordsPerSecond) / Math.max(1, current.openShards);
  let shardCapacity = Math.min(
    config.shardRecordsPerSecond,
    memory.shardRecordsPerSecond ?? Infinity,
  );
  if (saturated && acceptedPerShard > 0) {
    const a = config.rateEstimateSmoothing;
    const prev = memory.shardRecordsPerSecond ?? config.shardRecordsPerSecond;
    shardCapacity = Math.min(config.shardRecordsPerSecond, a * acceptedPerShard + (1 - a) * prev);
  } else if (!saturated && !measured && acceptedPerShard > shardCapacity) {
    shardCapacity = Math.min(config.shardRecordsPerSecond, acceptedPerShard);
  }
  return { throttledShare, saturated, shardCapacity };
}

export function evaluate(input: PolicyInput, config: ScalingPolicyConfig): Evaluation {
  const { signals, current } = input;
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
  return {
    perLane,
    windowDemand,
    recentDemand,
    demandRecords,
    demandBytes,
    backlogRecords,
    producerBacklogRecords: Math.max(0, signals.producerPendingRecords ?? 0),
    demandMeasured: signals.offeredRecordsPerSecond !== undefined,
    ...ingestCapacity(input, config),
  };
}
