/**
 * The scheduled scaler. One invocation per scaler.scheduleSeconds (EventBridge
 * allows no less than a minute); inside it, a decision every
 * scaler.tickSeconds until the period (or the remaining time) runs out, or a
 * newer run has claimed the scaler (SCALER/STATE.runStartedAt, the closer's
 * pattern).
 *
 * A tick: read the current state from the service APIs (DescribeStreamSummary,
 * GetEventSourceMapping) and the signals from CloudWatch, call the pure
 * policy, apply its actions (UpdateShardCount UNIFORM_SCALING,
 * UpdateEventSourceMapping ParallelizationFactor), save the policy's memory,
 * publish the decision as EMF metrics and log it with its reason.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamSummaryCommand,
  UpdateShardCountCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import {
  GetEventSourceMappingCommand,
  UpdateEventSourceMappingCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricResolution, MetricUnit } from '@aws-lambda-powertools/metrics';
import { cloudWatchClient, dynamoClient, kinesisClient, lambdaClient } from '../aws/clients';
import { ConfigError, ENV_KEYS, fromEnv, resourceNames, type StreamscaleConfig } from '../config';
import { decide, initialMemory, policyConfigFrom } from '../core/scaling/policy';
import type {
  ScalingAction,
  ScalingCurrent,
  ScalingDecision,
  ScalingMemory,
} from '../core/scaling/types';
import type { ReadSignals } from '../core/scaling/collect';
import { claimScalerRun, loadScalerState, saveScalerState } from '../store/scaler-state-store';
import { Metric, PIPELINE_DIMENSION } from '../core/metric-names';
import { readSignals } from '../telemetry/signal-reader';
// The price table is shared with `npm run cost` (pure data; esbuild bundles it).
import { costPerHour } from '../core/cost/hourly-rate';
import { PRICES } from '../core/cost/prices';

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
  estimatedCostPerHour: number;
}

export interface TickResult {
  superseded: boolean;
  memory: ScalingMemory;
  record?: DecisionRecord;
}

export interface RunResult {
  ticks: number;
  stoppedBecause: 'period over' | 'newer run';
  last?: DecisionRecord;
}

const errorName = (err: unknown): string => (err instanceof Error ? err.name : String(err));

async function readCurrent(deps: ScalerDeps): Promise<ScalingCurrent> {
  const [stream, mapping] = await Promise.all([
    deps.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: deps.streamName })),
    deps.lambda.send(new GetEventSourceMappingCommand({ UUID: deps.mappingUuid })),
  ]);
  const summary = stream.StreamDescriptionSummary;
  return {
    openShards: summary?.OpenShardCount ?? 1,
    parallelization: mapping.ParallelizationFactor ?? 1,
    streamUpdating: summary?.StreamStatus !== 'ACTIVE',
    mappingUpdating: mapping.State !== 'Enabled',
  };
}

/** Apply one action; on failure give back what the policy recorded for it. */
async function apply(
  deps: ScalerDeps,
  action: ScalingAction,
  memory: ScalingMemory,
  before: ScalingMemory,
): Promise<{ ok: true } | { ok: false; error: string }> {
  try {
    if (action.kind === 'UpdateShardCount') {
      await deps.kinesis.send(
        new UpdateShardCountCommand({
          StreamName: deps.streamName,
          TargetShardCount: action.to,
          ScalingType: 'UNIFORM_SCALING',
        }),
      );
    } else {
      await deps.lambda.send(
        new UpdateEventSourceMappingCommand({
          UUID: deps.mappingUuid,
          ParallelizationFactor: action.to,
        }),
      );
    }
    return { ok: true };
  } catch (err) {
    const name = errorName(err);
    if (action.kind === 'UpdateShardCount') {
      memory.lastShardChangeAt = before.lastShardChangeAt;
      // AWS's own limit (10 calls per rolling 24 h) was hit: treat today's budget as spent.
      memory.shardUpdates =
        name === 'LimitExceededException'
          ? [
              ...memory.shardUpdates,
              ...Array(deps.config.scaler.dailyShardUpdateBudget).fill(deps.now()),
            ]
          : before.shardUpdates.filter((t) => t > deps.now() - 86_400_000);
    } else {
      memory.lastParallelizationChangeAt = before.lastParallelizationChangeAt;
    }
    return { ok: false, error: name };
  }
}

/** One decision. Exported for tests and the bench, which drive ticks directly. */
export async function scalerTick(
  deps: ScalerDeps,
  runStartedAt: number,
  memory: ScalingMemory,
): Promise<TickResult> {
  const table = resourceNames(deps.config.prefix).controlTable;
  const state = await loadScalerState(deps.dynamo, table);
  if (state?.runStartedAt !== undefined && state.runStartedAt > runStartedAt)
    return { superseded: true, memory };

  const now = deps.now();
  const [current, signals] = await Promise.all([
    readCurrent(deps),
    readSignals(
      deps.cloudwatch,
      {
        namespace: deps.config.metricsNamespace,
        prefix: deps.config.prefix,
        streamName: deps.streamName,
        consumerFunction: resourceNames(deps.config.prefix).consumerFunction,
        windowSeconds: deps.config.scaler.signalWindowSeconds,
        periodSeconds: deps.config.scaler.signalPeriodSeconds,
      },
      now,
    ),
  ]);
  const out = decide({ signals, current, memory, nowMs: now }, policyConfigFrom(deps.config));
  const next: ScalingMemory = { ...out.memory, shardUpdates: [...out.memory.shardUpdates] };
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
  if (!(await saveScalerState(deps.dynamo, table, runStartedAt, next, lastDecision))) {
    return { superseded: true, memory };
  }
  const applied: ScalingAction[] = [];
  const failed: DecisionRecord['failed'] = [];
  for (const action of out.decision.actions) {
    const r = await apply(deps, action, next, memory);
    if (r.ok) applied.push(action);
    else failed.push({ action, error: r.error });
  }
  // A refused action gives back what the policy recorded for it.
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
    estimatedCostPerHour: costPerHour(
      {
        shards: current.openShards,
        recordsPerSecond: signals.incomingRecordsPerSecond,
        bytesPerSecond: signals.incomingBytesPerSecond,
        busyLanes: signals.busyLanes ?? 0,
        invocationsPerSecond: 0,
        consumerMemoryMb: deps.config.consumer.memoryMb,
      },
      PRICES,
    ),
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
  if (!(await claimScalerRun(deps.dynamo, table, runStartedAt)))
    return { ticks: 0, stoppedBecause: 'newer run' };
  let memory =
    (await loadScalerState(deps.dynamo, table))?.memory ??
    initialMemory(policyConfigFrom(deps.config));
  const tickMs = deps.config.scaler.tickSeconds * 1000;
  let ticks = 0;
  let last: DecisionRecord | undefined;
  for (let k = 0; ; k++) {
    const at = runStartedAt + k * tickMs;
    if (at >= untilMs) break;
    const wait = at - deps.now();
    if (wait > 0) await deps.sleep(wait);
    const r = await scalerTick(deps, runStartedAt, memory);
    if (r.record) last = r.record;
    if (r.superseded)
      return { ticks: ticks + (r.record ? 1 : 0), stoppedBecause: 'newer run', last };
    memory = r.memory;
    ticks++;
  }
  return { ticks, stoppedBecause: 'period over', last };
}

// ---------------------------------------------------------------- publishing

const logger = new Logger({ serviceName: 'streamscale-scaler' });

function actionDimension(a: ScalingAction): string {
  if (a.kind === 'UpdateShardCount') return a.to > a.from ? 'ShardsOut' : 'ShardsIn';
  return a.to > a.from ? 'ParallelizationUp' : 'ParallelizationDown';
}

/** EMF through Powertools, with exactly the dimension Pipeline=<prefix> (and Action) that dashboards query. */
export function emfPublisher(config: StreamscaleConfig): (r: DecisionRecord) => void {
  const metrics = new Metrics({
    namespace: config.metricsNamespace,
    serviceName: 'streamscale-scaler',
  });
  // Powertools adds a `service` dimension by default; our metrics are keyed by Pipeline only.
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ [PIPELINE_DIMENSION]: config.prefix });
  const hi = MetricResolution.High;
  return (r) => {
    const d = r.decision;
    metrics.addMetric(Metric.DesiredShards, MetricUnit.Count, d.desiredShards, hi);
    metrics.addMetric(Metric.ActualShards, MetricUnit.Count, r.current.openShards, hi);
    metrics.addMetric(
      Metric.DesiredParallelization,
      MetricUnit.Count,
      d.desiredParallelization,
      hi,
    );
    metrics.addMetric(
      Metric.ActualParallelization,
      MetricUnit.Count,
      r.current.parallelization,
      hi,
    );
    metrics.addMetric(
      Metric.ConsumerConcurrency,
      MetricUnit.Count,
      r.current.openShards * r.current.parallelization,
      hi,
    );
    metrics.addMetric(Metric.EstimatedCostPerHour, MetricUnit.NoUnit, r.estimatedCostPerHour, hi);
    metrics.publishStoredMetrics();
    for (const a of r.applied) {
      metrics.addDimension('Action', actionDimension(a));
      metrics.addMetric(Metric.ScalingActions, MetricUnit.Count, 1, hi);
      metrics.publishStoredMetrics();
    }
    logger.info('scaling decision', {
      reason: d.reason,
      desiredShards: d.desiredShards,
      desiredParallelization: d.desiredParallelization,
      actualShards: r.current.openShards,
      actualParallelization: r.current.parallelization,
      applied: r.applied,
      failed: r.failed,
      figures: d.figures,
      signals: r.signals,
      estimatedCostPerHour: r.estimatedCostPerHour,
    });
  };
}

export function defaultDeps(env: NodeJS.ProcessEnv = process.env): ScalerDeps {
  const config = fromEnv(env);
  const mappingUuid = env[ENV_KEYS.scalerMappingUuid];
  if (!mappingUuid)
    throw new ConfigError(
      `${ENV_KEYS.scalerMappingUuid} is not set (the stack sets it to the consumer's event source mapping UUID)`,
    );
  return {
    config,
    streamName: env[ENV_KEYS.scalerStreamName] || resourceNames(config.prefix).stream,
    mappingUuid,
    kinesis: kinesisClient(),
    lambda: lambdaClient(),
    cloudwatch: cloudWatchClient(),
    dynamo: dynamoClient(),
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    publish: emfPublisher(config),
  };
}

let cached: ScalerDeps | undefined;

export async function handler(
  _event?: unknown,
  context?: { getRemainingTimeInMillis?: () => number },
): Promise<RunResult> {
  cached ??= defaultDeps();
  const deps = cached;
  const runStartedAt = deps.now();
  const periodEnd = runStartedAt + deps.config.scaler.scheduleSeconds * 1000;
  // Leave room for the last tick to finish before the function times out.
  const remaining = context?.getRemainingTimeInMillis?.();
  const untilMs =
    remaining === undefined
      ? periodEnd
      : Math.min(periodEnd, runStartedAt + remaining - deps.config.scaler.tickSeconds * 1000);
  const result = await runScaler(deps, runStartedAt, untilMs);
  logger.info('scaler run finished', {
    ticks: result.ticks,
    stoppedBecause: result.stoppedBecause,
  });
  return result;
}
