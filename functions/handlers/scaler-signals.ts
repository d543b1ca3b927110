/**
 * The scaler's signals for one decision, cheapest source first
 * (docs/autoscaling.md, "Signals"):
 *  1. the control table: the consumers' per-shard totals and the producers'
 *     demand items, two Queries, differenced against the snapshots kept in
 *     the scaler's memory;
 *  2. only when no producer reports there (foreign producers): input from
 *     AWS/Kinesis through GetMetricData, three metrics at most once per
 *     scaler.cloudWatchFallbackSeconds (its datapoints are a minute apart),
 *     the consumer side still from the control table.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { resourceNames, type StreamscaleConfig } from '../config';
import type { ReadSignals, SignalSeries } from '../core/scaling/collect';
import {
  consumerSignals,
  keepSnapshots,
  producersSeenAt,
  signalsFromSnapshots,
  type ControlSnapshot,
} from '../core/scaling/control-signals';
import type { ScalingMemory } from '../core/scaling/types';
import { WINDOW_BUCKETS } from '../core/table-layout';
import { readControlSnapshot } from '../telemetry/control-signal-reader';
import { readSignals } from '../telemetry/signal-reader';

/** The stream's own input metrics: what the fallback reads. */
export const FALLBACK_SERIES: readonly (keyof SignalSeries)[] = [
  'kinesisIncomingRecords',
  'kinesisIncomingBytes',
  'kinesisThrottled',
];
/** AWS/Kinesis basic metrics have one datapoint a minute; two cover a whole one. */
const FALLBACK_PERIODS = 2;
const MINUTE_S = 60;
/**
 * How long the fallback's datapoints still hold traffic that ended: its
 * window is FALLBACK_PERIODS whole minutes ending at the last whole minute.
 * For that long after our producers stopped, input stays the control
 * table's (zero), not their traffic seen again in the stream's metrics.
 */
const FALLBACK_HORIZON_S = (FALLBACK_PERIODS + 1) * MINUTE_S;
/** One Query per progress bucket, one for the producers' items. */
const CONTROL_QUERIES = WINDOW_BUCKETS + 1;

export interface SignalDeps {
  config: StreamscaleConfig;
  streamName: string;
  cloudwatch: CloudWatchClient;
  dynamo: DynamoDBClient;
}

/** Input read from CloudWatch by the fallback, reused until the next read is due (per run). */
export interface SignalCache {
  fallback?: { at: number; signals: ReadSignals };
}

export interface ScalerSignals {
  signals: ReadSignals;
  /** the snapshots to keep in the scaler's memory for the next decision */
  snapshots: ControlSnapshot[];
  /** when a producer was last seen reporting, for the scaler's memory */
  producersSeenAt?: number;
  /** what this read cost: control-table Queries and CloudWatch metrics requested */
  reads: { controlQueries: number; cloudWatchMetrics: number };
}

async function fallbackInput(
  deps: SignalDeps,
  cache: SignalCache,
  nowMs: number,
): Promise<{ signals: ReadSignals; metrics: number }> {
  const every = deps.config.scaler.cloudWatchFallbackSeconds * 1000;
  if (cache.fallback && nowMs - cache.fallback.at < every)
    return { signals: cache.fallback.signals, metrics: 0 };
  const signals = await readSignals(
    deps.cloudwatch,
    {
      namespace: deps.config.metricsNamespace,
      prefix: deps.config.prefix,
      streamName: deps.streamName,
      consumerFunction: resourceNames(deps.config.prefix).consumerFunction,
      windowSeconds: FALLBACK_PERIODS * MINUTE_S,
      periodSeconds: MINUTE_S,
      only: FALLBACK_SERIES,
    },
    nowMs,
  );
  cache.fallback = { at: nowMs, signals };
  return { signals, metrics: FALLBACK_SERIES.length };
}

export async function readScalerSignals(
  deps: SignalDeps,
  memory: ScalingMemory,
  nowMs: number,
  cache: SignalCache,
): Promise<ScalerSignals> {
  const table = resourceNames(deps.config.prefix).controlTable;
  const windowSeconds = deps.config.scaler.signalWindowSeconds;
  const history = memory.snapshots ?? [];
  const now = await readControlSnapshot(deps.dynamo, table, nowMs);
  const snapshots = keepSnapshots(history, now, windowSeconds);
  const seenAt = producersSeenAt(memory.producersSeenAt, now, windowSeconds);
  const cheap = signalsFromSnapshots(history, now, windowSeconds, {
    seenAt,
    horizonSeconds: FALLBACK_HORIZON_S,
  });
  if (cheap)
    return {
      signals: cheap,
      snapshots,
      producersSeenAt: seenAt,
      reads: { controlQueries: CONTROL_QUERIES, cloudWatchMetrics: 0 },
    };
  const input = await fallbackInput(deps, cache, nowMs);
  const c = consumerSignals(
    history,
    now,
    windowSeconds,
    input.signals.incomingRecordsPerSecond,
    input.signals.inputArrivedAfter,
  );
  const { busyLanes: _ignored, ...fromStream } = input.signals;
  return {
    signals: {
      ...fromStream,
      processedRecordsPerSecond: c.processedRecordsPerSecond,
      iteratorAgeMs: c.iteratorAgeMs,
      ...(c.busyLanes !== undefined ? { busyLanes: c.busyLanes } : {}),
      sources: { ...input.signals.sources, iteratorAge: c.ageSource },
    },
    snapshots,
    producersSeenAt: seenAt,
    reads: { controlQueries: CONTROL_QUERIES, cloudWatchMetrics: input.metrics },
  };
}
