/**
 * Scaling figures. The policy runs against the synthetic load model
 * (functions/core/scaling/simulation.ts) with the default config and a 5 s
 * controller period: a 4× spike (500 → 2,000 rec/s, the lab's 1 → 4
 * producers) over a consumer lane that handles 400 rec/s, reshards that take
 * 5 s and PF changes that take 1 s. Simulated seconds, so the figures are the
 * policy's, not this machine's; the embedded-cloud run is `npm start`.
 * The producers report their demand, as the demo's do (control-table items).
 * Plus the scaler's own cost per day, the decision time per call, and the
 * newest demo report's figures (`npm start` writes reports/<timestamp>/).
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_CONFIG } from '../../../functions/config';
import { decide, initialMemory, policyConfigFrom } from '../../../functions/core/scaling/policy';
import { simulate, type SimulationSample } from '../../../functions/core/scaling/simulation';
import { profileUnitHours } from '../../../tools/cost/pricing';
import { cheapSignalScaler } from '../../../tools/cost/scale-assumptions';
import { scalerCostPerDay } from '../../../tools/cost/scales';
import { PRICES } from '../../../functions/core/cost/prices';
import { demoFigures, newestDemoReport } from '../../../tools/demo/report-figures';
import { stallRows } from '../../../tools/demo/spike-goals';
import type { BenchFigure } from '../run';

const REPORTS_DIR = 'reports';

/** Stalled 5 s samples after `from`, by the demo's own definition (tools/demo/spike-goals.ts). */
function stalledSamples(samples: SimulationSample[], from: number, shardRate: number): number {
  const five = [];
  for (let t = 0; t + 5 <= samples.length; t += 5) {
    const s = samples.slice(t, t + 5);
    five.push({
      t,
      shards: s[0]!.shards,
      incomingRecords: s.reduce((a, x) => a + x.accepted, 0),
      incomingBytes: 0,
      recordsProcessed: s.reduce((a, x) => a + x.processed, 0),
    });
  }
  return stallRows(five, 5, shardRate).filter((r) => r.t >= from && r.stalled).length;
}

/** The newest `npm start` report's figures (reports/<timestamp>/), when there is one. */
function demoRunFigures(): BenchFigure[] {
  const newest = newestDemoReport(REPORTS_DIR);
  return newest ? demoFigures(join(REPORTS_DIR, newest)) : [];
}

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
      // the producers report their demand (control-table items), as in the demo
      producersReport: true,
    },
    config,
  );
  const firstAction = sim.decisions.find((d) => d.t >= spikeStart && d.decision.actions.length > 0);
  const firstReaction = firstAction ? firstAction.t - spikeStart : Infinity;
  const stalled = stalledSamples(
    sim.samples,
    firstAction?.t ?? spikeStart,
    config.shardRecordsPerSecond,
  );
  const scalerDay = scalerCostPerDay(
    cheapSignalScaler(DEFAULT_CONFIG.scaler.tickSeconds, DEFAULT_CONFIG.scaler.memoryMb),
    { shardHours: profileUnitHours(1, 4, 20, 4), lowRate: 600, peakRate: 2_400 },
    PRICES,
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
      figure: 'model: spike start → first scaling action',
      value: firstReaction,
      unit: 's',
    },
    {
      figure: 'model: stalled 5 s samples after the first action',
      value: stalled,
      unit: 'samples',
      goal: '0',
      met: stalled === 0,
    },
    {
      figure:
        "scaler's own cost per day at the demo's scale (Lambda + DynamoDB signals, no CloudWatch)",
      value: Math.round(scalerDay.total * 100) / 100,
      unit: '$/day',
    },
    {
      figure: 'model: spike start → enough capacity (5 s period)',
      value: reaction,
      unit: 's',
      goal: '≤ 15 s',
      met: reaction <= 15,
    },
    {
      figure: 'model: peak iterator age during the 4× spike',
      value: peakAge,
      unit: 's',
      goal: '≤ 10 s',
      met: peakAge <= 10,
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
    ...demoRunFigures(),
  ];
}
