/**
 * The demo's middle steps: run the profile's spike (with the producer's
 * metrics and demand heartbeat), wait (bounded) for the stream to drain and
 * the last windows to close, then keep watching until the fleet is back at
 * its minimum.
 */
import type { ResourceNames } from '../../functions/config';
import { DemandHeartbeat } from '../../producer/demand-heartbeat';
import { PRODUCER_CONFIG } from '../../producer/producer-config';
import { ProducerMetrics } from '../../producer/producer-metrics';
import { RecordLog } from '../../producer/record-log';
import { planSpike, type SpikePlan } from '../../producer/spike-plan';
import { runSpike, type SpikeSummary } from '../../producer/spike-runner';
import { out, type DemoContext, type RunState } from './demo-context';
import type { StateSample } from './pipeline-observer';
import { latePartials, waitUntilSettled } from './pipeline-settle';

/** How long after the spike the demo keeps watching the fleet come back (the goal: 2 min). */
const BACK_TO_MIN_WATCH_MS = 130_000;

export interface SpikeResult {
  summary: SpikeSummary;
  plan: SpikePlan;
  log: RecordLog;
  recordsPath: string;
  /** wall-clock span of the spike phase */
  spikeStartMs: number;
  spikeEndMs: number;
}

export async function spikeStep(
  c: DemoContext,
  names: ResourceNames,
  run: RunState,
  recordsPath: string,
): Promise<SpikeResult> {
  const { profile, config, clients } = c;
  const log = new RecordLog(recordsPath);
  const metrics = new ProducerMetrics({
    client: clients.cloudwatch,
    namespace: config.metricsNamespace,
    prefix: config.prefix,
    stats: run.stats,
    intervalMs: 2_000,
  });
  const demand = new DemandHeartbeat({
    client: clients.dynamo,
    table: names.controlTable,
    stats: run.stats,
    intervalMs: PRODUCER_CONFIG.demandHeartbeatMs,
  });
  const plan = planSpike({
    producers: profile.producers,
    spikeProducers: profile.spikeProducers,
    baselineS: profile.baselineS,
    spikeS: profile.spikeS,
    cooldownS: profile.cooldownS,
  });
  metrics.start();
  demand.start();
  out(
    `spike: ${plan.phases.map((p) => `${p.name} ${(p.endMs - p.startMs) / 1000}s × ${p.producers}`).join(' → ')}, ${profile.rate} rec/s per producer`,
  );
  const summary = await runSpike({
    client: clients.kinesis,
    streamName: names.stream,
    plan,
    ratePerProducer: profile.rate,
    stats: run.stats,
    signal: c.interrupt.signal,
    generator: {
      seed: profile.seed,
      lateFraction: profile.lateFraction,
      malformedFraction: profile.malformedFraction,
      outOfOrderS: profile.outOfOrderS,
      allowedLatenessMs: config.windowing.allowedLatenessMs,
      windowSizeMs: config.windowing.windowSizeMs,
      futureSkewMs: config.windowing.maxFutureSkewMs * 4,
    },
    onAccepted: (r, g) => {
      log.write(r);
      if (g.kind === 'malformed') return;
      const ms = JSON.parse(g.data).timestamp * 1000;
      run.minEventMs = Math.min(run.minEventMs, ms);
      if (g.kind === 'valid') run.maxValidEventMs = Math.max(run.maxValidEventMs, ms);
    },
    onStatus: (s) => {
      run.spikeStatus = s;
      run.phase = s.phase;
    },
  });
  await metrics.stop();
  await demand.stop();
  await log.close();
  const spikePhase = plan.phases.find((p) => p.name === 'spike');
  const spikeStartMs = summary.startedAt.getTime() + (spikePhase?.startMs ?? 0);
  const spikeEndMs = summary.startedAt.getTime() + (spikePhase?.endMs ?? 0);
  return { summary, plan, log, recordsPath, spikeStartMs, spikeEndMs };
}

/** Waits for drain and close; the lines that say how it went (none when there is nothing to wait for). */
export async function settleStep(
  c: DemoContext,
  names: ResourceNames,
  run: RunState,
  summary: SpikeSummary,
): Promise<string[]> {
  if (c.interrupt.received || summary.error || summary.stats.accepted <= 0) return [];
  run.phase = 'settling';
  const w = c.config.windowing;
  const lastWindowEndMs =
    Math.floor(run.maxValidEventMs / w.windowSizeMs) * w.windowSizeMs + w.windowSizeMs;
  const timeoutMs = w.allowedLatenessMs + w.idleTimeoutMs + c.profile.settleMarginS * 1000;
  const settled = await waitUntilSettled({
    client: c.clients.dynamo,
    names,
    accepted: summary.stats.accepted,
    lastWindowEndMs,
    timeoutMs,
    pollMs: 3_000,
    signal: c.interrupt.signal,
  });
  const late = latePartials(settled.snapshot);
  return [
    `${settled.drained ? 'drained' : 'NOT drained'}: ${summary.stats.accepted.toLocaleString('en-US')} records accepted, ${(settled.snapshot.partials.reduce((a, p) => a + Number(p.records), 0) + settled.snapshot.rejects.length).toLocaleString('en-US')} accounted for (valid in partials + rejected)`,
    `${settled.closed ? 'closed' : 'NOT all closed'}: close cursor ${settled.snapshot.global?.closedThrough ? new Date(settled.snapshot.global.closedThrough).toISOString() : '–'}, last window with data ends ${new Date(lastWindowEndMs).toISOString()}`,
    `${settled.snapshot.finals.length} final windows, ${late.length} late partials (${late.reduce((a, p) => a + Number(p.records), 0)} records), ${settled.snapshot.rejects.length} rejected records; waited ${(settled.waitedMs / 1000).toFixed(0)} s`,
  ];
}

/**
 * The spike goals' back-to-minimum figure: keep watching (bounded) until the
 * fleet is back at its minimum or the goal's two minutes have passed.
 */
export async function scaleInStep(
  c: DemoContext,
  run: RunState,
  spike: SpikeResult,
): Promise<void> {
  const { config } = c;
  const atMinimum = (x: StateSample | undefined) =>
    (x?.shards ?? Infinity) <= config.stream.minShards &&
    (x?.parallelization ?? Infinity) <= config.scaler.minParallelization;
  while (
    !c.interrupt.received &&
    !spike.summary.error &&
    !atMinimum(run.states.at(-1)) &&
    Date.now() < spike.spikeEndMs + BACK_TO_MIN_WATCH_MS
  ) {
    run.phase = 'scaling in';
    await new Promise((r) => setTimeout(r, 2_000));
  }
}
