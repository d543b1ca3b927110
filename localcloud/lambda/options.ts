/**
 * The Lambda plane's options (each defaults to LAMBDA_PLANE_DEFAULTS in
 * localcloud/config.ts) and their resolved form, shared by the API, the
 * execution pool and the event-source runtimes.
 */
import { LAMBDA_PLANE_DEFAULTS } from '../config';
import type { InvokeOutcome } from './runtime/execution-pool';

export interface LambdaServiceOptions {
  /** Execution environments across all functions (default LAMBDA_PLANE_DEFAULTS.maxConcurrentExecutions). */
  maxConcurrentExecutions?: number;
  /** Environments initializing at once (default LAMBDA_PLANE_DEFAULTS.maxConcurrentInits). */
  maxConcurrentInits?: number;
  idleWorkerMs?: number;
  shardDiscoveryMs?: number;
  idlePollMs?: number;
  activePollMs?: number;
  getRecordsLimit?: number;
  maxBufferedRecordsPerShard?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** GetRecords period of an idle shard read for an enhanced fan-out consumer (push-class latency). */
  fanOutPollMs?: number;
  /** How long a mapping stays Creating/Updating/Enabling/Disabling before it settles. */
  stateTransitionMs?: number;
  /** Bench hook: a stream batch's first invocation, with when its records were polled (absolute ms). */
  onBatchStarted?: (polledAt: number, outcome: InvokeOutcome) => void;
}

export type LambdaTunables = Required<Omit<LambdaServiceOptions, 'onBatchStarted'>>;

export function resolveTunables(opts: LambdaServiceOptions): LambdaTunables {
  const d = LAMBDA_PLANE_DEFAULTS;
  return {
    maxConcurrentExecutions: opts.maxConcurrentExecutions ?? d.maxConcurrentExecutions,
    maxConcurrentInits: opts.maxConcurrentInits ?? d.maxConcurrentInits,
    idleWorkerMs: opts.idleWorkerMs ?? d.idleWorkerMs,
    shardDiscoveryMs: opts.shardDiscoveryMs ?? d.shardDiscoveryMs,
    idlePollMs: opts.idlePollMs ?? d.idlePollMs,
    activePollMs: opts.activePollMs ?? d.activePollMs,
    getRecordsLimit: opts.getRecordsLimit ?? d.getRecordsLimit,
    maxBufferedRecordsPerShard: opts.maxBufferedRecordsPerShard ?? d.maxBufferedRecordsPerShard,
    retryBaseMs: opts.retryBaseMs ?? d.retryBaseMs,
    retryMaxMs: opts.retryMaxMs ?? d.retryMaxMs,
    stateTransitionMs: opts.stateTransitionMs ?? d.stateTransitionMs,
    fanOutPollMs: opts.fanOutPollMs ?? d.fanOutPollMs,
  };
}
