/**
 * Scaling figures. The policy runs against the synthetic load model
 * (functions/core/scaling/simulation.ts) with the default config and a 5 s
 * controller period: a 4× spike (500 → 2,000 rec/s, the lab's 1 → 4
 * producers) over a consumer lane that handles 400 rec/s, reshards that take
 * 5 s and PF changes that take 1 s. Simulated seconds, so the figures are the
 * policy's, not this machine's; the embedded-cloud run is `npm start`.
 * Plus the decision time per call on this machine.
 */
import { performance } from 'node:perf_hooks';
import { DEFAULT_CONFIG } from '../../../functions/config';
import { decide, initialMemory, policyConfigFrom } from '../../../functions/core/scaling/policy';
import { simulate } from '../../../functions/core/scaling/simulation';
import type { BenchFigure } from '../run';

export const name = 'scaling';

export async function run(): Promise<BenchFigure[]> {
  const config = policyConfigFrom(DEFAULT_CONFIG);
  const baseline = 500;
  const spike = 4 * baseline;
  const spikeStart = 60;
  const spikeEnd = 240;
  const perLane = 400;
  const sim = simulate(
    {
      offered: (t) => (t >= spikeStart && t < spikeEnd ? spike : baseline),
      durationSeconds: 480,
      tickSeconds: 5,
      windowSeconds: DEFAULT_CONFIG.scaler.signalWindowSeconds,
      periodSeconds: DEFAULT_CONFIG.scaler.signalPeriodSeconds,
      perLaneRate: perLane,
      recordBytes: 300,
      initialShards: 1,
      initialParallelization: 1,
      reshardSeconds: 5,
      parallelizationDelaySeconds: 1,
    },
    config,
  );
  const enough = sim.samples.find(
    (s) =>
      s.t >= spikeStart &&
      s.shards * config.shardRecordsPerSecond >= spike &&
      s.shards * s.parallelization * perLane >= spike,
  );
  const reaction = enough ? enough.t - spikeStart : Infinity;
  const peakAge =
    Math.max(...sim.samples.filter((s) => s.t >= spikeStart).map((s) => s.iteratorAgeMs)) / 1000;
  const back = sim.samples.find((s) => s.t >= spikeEnd && s.shards === config.minShards);
  const backAfter = back ? back.t - spikeEnd : Infinity;
  const peakShards = Math.max(...sim.samples.map((s) => s.shards));
  const shardCalls = sim.decisions.filter((d) =>
    d.decision.actions.some((a) => a.kind === 'UpdateShardCount'),
  ).length;

  // No flapping: 10 minutes of ±10 % noise around a level that sits on a sizing boundary.
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const noisy = simulate(
    {
      offered: () => 700 * (1 + (rnd() - 0.5) * 0.2),
      durationSeconds: 600,
      tickSeconds: 5,
      windowSeconds: 20,
      periodSeconds: 5,
      perLaneRate: perLane,
      recordBytes: 300,
      initialShards: 1,
      initialParallelization: 1,
      reshardSeconds: 5,
      parallelizationDelaySeconds: 1,
    },
    config,
  );
  let reversals = 0;
  let lastDir = 0;
  for (let i = 1; i < noisy.samples.length; i++) {
    const d = Math.sign(noisy.samples[i]!.shards - noisy.samples[i - 1]!.shards);
    if (d !== 0) {
      if (lastDir !== 0 && d !== lastDir) reversals++;
      lastDir = d;
    }
  }

  // Decision time per call.
  const n = 20_000;
  let memory = initialMemory(config);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = 500 + ((i * 37) % 3000);
    const out = decide(
      {
        signals: {
          incomingRecordsPerSecond: r,
          incomingBytesPerSecond: r * 300,
          throttledRecordsPerSecond: i % 3 === 0 ? 400 : 0,
          processedRecordsPerSecond: r,
          iteratorAgeMs: (i % 7) * 2000,
          busyLanes: r / 400,
        },
        current: {
          openShards: 1 + (i % 8),
          parallelization: 1 + (i % 10),
          streamUpdating: false,
          mappingUpdating: false,
        },
        memory,
        nowMs: Date.UTC(2026, 0, 1) + i * 5000,
      },
      config,
    );
    memory = out.memory;
  }
  const perCallUs = ((performance.now() - t0) * 1000) / n;

  return [
    {
      figure: 'model: spike start → enough capacity (5 s period)',
      value: reaction,
      unit: 's',
      goal: '≤ 30 s',
      met: reaction <= 30,
    },
    {
      figure: 'model: peak iterator age during the 4× spike',
      value: peakAge,
      unit: 's',
      goal: '≤ 20 s',
      met: peakAge <= 20,
    },
    {
      figure: 'model: load drop → back to minimum shards',
      value: backAfter,
      unit: 's',
      goal: '≤ 120 s',
      met: backAfter <= 120,
    },
    { figure: 'model: peak shards during the spike', value: peakShards, unit: 'shards' },
    { figure: 'model: UpdateShardCount calls for one spike', value: shardCalls, unit: 'calls' },
    {
      figure: 'model: shard-count reversals in 10 min of ±10 % noise',
      value: reversals,
      unit: 'flaps',
      goal: '0',
      met: reversals === 0,
    },
    { figure: 'policy decision time per call', value: perCallUs, unit: 'µs' },
  ];
}
