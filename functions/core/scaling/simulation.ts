/**
 * A synthetic load model of the stream and its consumers, in simulated
 * seconds, that runs the scaling policy the way the scheduled handler does:
 * signals averaged over the last window, a decision every tick, actions that
 * take effect after a delay. Used by the policy tests (idle → minimum, no
 * flapping, reaction) and by the bench when no cloud runs. Pure: no clocks,
 * no AWS.
 *
 * Model, per second: producers offer `offered(t)` records plus what was
 * re-sends of throttled ones (producers retry); the stream accepts up to shards ×
 * shardRecordsPerSecond; consumers process up to shards × PF × perLaneRate
 * from a FIFO, so the iterator age is the age of its oldest record.
 */
import { decide, initialMemory } from './policy';
import type { ScalingDecision, ScalingMemory, ScalingPolicyConfig, ScalingSignals } from './types';

export interface SimulationOptions {
  /** Offered load at second t (records/s). */
  offered: (t: number) => number;
  durationSeconds: number;
  tickSeconds: number;
  windowSeconds: number;
  /** The signal reader's period: the `recent` rates cover the last half of the window in whole periods. */
  periodSeconds: number;
  /** True per-lane processing rate of the modelled consumer (records/s). */
  perLaneRate: number;
  recordBytes: number;
  initialShards: number;
  initialParallelization: number;
  /** Seconds a reshard keeps the stream UPDATING before the new count is open. */
  reshardSeconds: number;
  /** Seconds before a PF change takes effect. */
  parallelizationDelaySeconds: number;
  /** Start at this epoch ms (the policy's budget is a rolling day). */
  startMs?: number;
  memory?: ScalingMemory;
  /**
   * The producers report what they generated and hold back (their demand
   * items in the control table, as the scaler reads them now); without it,
   * demand is inferred from puts only (the stream's own metrics).
   */
  producersReport?: boolean;
}

export interface SimulationSample {
  t: number;
  offered: number;
  accepted: number;
  throttled: number;
  retries: number;
  processed: number;
  iteratorAgeMs: number;
  shards: number;
  parallelization: number;
  /** records the producers hold back at the end of the second */
  producerBacklog: number;
}

export interface SimulationResult {
  samples: SimulationSample[];
  decisions: Array<{ t: number; decision: ScalingDecision }>;
  memory: ScalingMemory;
}

const mean = (xs: SimulationSample[], f: (s: SimulationSample) => number): number =>
  xs.length === 0 ? 0 : xs.reduce((a, s) => a + f(s), 0) / xs.length;

/** What the signal reader would report over the last window of samples. */
function signalsOf(samples: SimulationSample[], opts: SimulationOptions): ScalingSignals {
  const window = samples.slice(-opts.windowSeconds);
  // The signal reader's recent rates: the last half of the window, in whole periods.
  const last = samples.slice(
    -Math.max(1, Math.floor(opts.windowSeconds / opts.periodSeconds / 2)) * opts.periodSeconds,
  );
  const n = window.length;
  const sum = (f: (s: SimulationSample) => number) => window.reduce((a, s) => a + f(s), 0);
  const base: ScalingSignals = {
    incomingRecordsPerSecond: sum((s) => s.accepted) / n,
    incomingBytesPerSecond: (sum((s) => s.accepted) * opts.recordBytes) / n,
    throttledRecordsPerSecond: sum((s) => s.throttled) / n,
    producerRetriesPerSecond: sum((s) => s.retries) / n,
    processedRecordsPerSecond: sum((s) => s.processed) / n,
    recent: {
      incomingRecordsPerSecond: mean(last, (s) => s.accepted),
      incomingBytesPerSecond: mean(last, (s) => s.accepted) * opts.recordBytes,
      throttledRecordsPerSecond: mean(last, (s) => s.throttled),
      producerRetriesPerSecond: mean(last, (s) => s.retries),
    },
    iteratorAgeMs: Math.max(...window.map((s) => s.iteratorAgeMs)),
    busyLanes: sum((s) => s.processed / opts.perLaneRate) / n,
  };
  if (!opts.producersReport) return base;
  return {
    ...base,
    offeredRecordsPerSecond: sum((s) => s.offered) / n,
    producerPendingRecords: samples.at(-1)?.producerBacklog ?? 0,
    recent: {
      ...base.recent!,
      offeredRecordsPerSecond: mean(samples.slice(-opts.tickSeconds), (s) => s.offered),
    },
  };
}

export function simulate(opts: SimulationOptions, config: ScalingPolicyConfig): SimulationResult {
  const startMs = opts.startMs ?? Date.UTC(2026, 0, 1);
  let shards = opts.initialShards;
  let pf = opts.initialParallelization;
  let memory = opts.memory ?? initialMemory(config);
  let pendingShards: { to: number; at: number } | undefined;
  let pendingPf: { to: number; at: number } | undefined;
  let producerBacklog = 0;
  const queue: Array<{ arrived: number; count: number }> = [];
  const samples: SimulationSample[] = [];
  const decisions: SimulationResult['decisions'] = [];

  for (let t = 0; t < opts.durationSeconds; t++) {
    if (pendingShards && t >= pendingShards.at) {
      shards = pendingShards.to;
      pendingShards = undefined;
    }
    if (pendingPf && t >= pendingPf.at) {
      pf = pendingPf.to;
      pendingPf = undefined;
    }
    const offered = Math.max(0, opts.offered(t));
    // Producers retry throttled records with backoff: re-sends are bounded
    // by their own send rate, the rest waits in their buffers (never lost).
    const retries = Math.min(producerBacklog, Math.max(offered, 1));
    const attempted = offered + retries;
    const accepted = Math.min(attempted, shards * config.shardRecordsPerSecond);
    const throttled = attempted - accepted;
    producerBacklog = producerBacklog - retries + throttled;
    if (accepted > 0) queue.push({ arrived: t, count: accepted });

    let capacity = shards * pf * opts.perLaneRate;
    let processed = 0;
    while (capacity > 0 && queue.length > 0) {
      const head = queue[0]!;
      const take = Math.min(head.count, capacity);
      head.count -= take;
      capacity -= take;
      processed += take;
      if (head.count <= 1e-9) queue.shift();
    }
    const iteratorAgeMs = queue.length > 0 ? (t + 1 - queue[0]!.arrived) * 1000 : 0;
    samples.push({
      t,
      offered,
      accepted,
      throttled,
      retries,
      processed,
      iteratorAgeMs,
      shards,
      parallelization: pf,
      producerBacklog,
    });

    if ((t + 1) % opts.tickSeconds === 0) {
      const signals = signalsOf(samples, opts);
      const { decision, memory: next } = decide(
        {
          signals,
          current: {
            openShards: shards,
            parallelization: pf,
            streamUpdating: pendingShards !== undefined,
            mappingUpdating: pendingPf !== undefined,
          },
          memory,
          nowMs: startMs + (t + 1) * 1000,
        },
        config,
      );
      memory = next;
      decisions.push({ t: t + 1, decision });
      for (const a of decision.actions) {
        if (a.kind === 'UpdateShardCount')
          pendingShards = { to: a.to, at: t + 1 + opts.reshardSeconds };
        else pendingPf = { to: a.to, at: t + 1 + opts.parallelizationDelaySeconds };
      }
    }
  }
  return { samples, decisions, memory };
}
