/**
 * Autoscaling on the embedded cloud with the real stack deployed (cdk synth
 * + deploy:local): producers run the lab's experiment at small scale (1
 * producer, +3 during the spike, then back to 1, then quiet) against a
 * per-shard limit of 100 records/s (2 shards at most, PF 2 at most: this
 * 2-core machine's in-process Lambda plane is the limit), and the scaler handler's own loop
 * (runScaler: the code the scheduled function runs) decides every 2 s from
 * the metrics the pipeline publishes. The stack's schedule for the scaler is
 * disabled so the test's run is the only one acting, and its decisions are
 * captured. Checks: the spike raises shards and parallelization, throttling
 * and iterator age recover, the quiet period brings both back to the
 * minimum without flapping, every action respected ×2/÷2 and PF 1–10, and
 * the results stay exact (finals + late = offline recomputation).
 */
import { ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceNames } from '../../../functions/config';
import {
  runScaler,
  type DecisionRecord,
  type RunResult,
} from '../../../functions/handlers/scaler-run';
import { EventsApi } from '../../../localcloud/deploy/events-api';
import { ProducerMetrics } from '../../../producer/producer-metrics';
import { emptyStats } from '../../../producer/producer-stats';
import { readRecordLog, RecordLog } from '../../../producer/record-log';
import { planSpike } from '../../../producer/spike-plan';
import { runSpike, type SpikeSummary } from '../../../producer/spike-runner';
import { waitUntilSettled, type SettleResult } from '../../../tools/demo/pipeline-settle';
import { recompute } from '../../e2e/offline-recompute';
import { startPipeline, type Pipeline } from '../../e2e/pipeline-harness';
import { canonical, pipelineResults } from '../../e2e/results-compare';

const WINDOW_MS = 5_000;
const LATENESS_MS = 4_000;
const SHARD_LIMIT = 100; // records/s per shard on the embedded cloud
const RATE = 40; // records/s per producer: 40 baseline, 160 during the spike
const PLAN = { producers: 1, spikeProducers: 3, baselineS: 6, spikeS: 18, cooldownS: 4 };
const QUIET_S = 22; // no producers: the scaler must come back to the minimum

let p: Pipeline;
let summary: SpikeSummary;
let settled: SettleResult;
let run: RunResult;
const decisions: DecisionRecord[] = [];
const samples: Array<{ t: number; shards: number; pf: number }> = [];
let spikeStartMs = 0;
let spikeEndMs = 0;
let logPath: string;

beforeAll(async () => {
  p = await startPipeline({
    config: {
      prefix: 'scaletest',
      stream: { initialShards: 1, minShards: 1, maxShards: 2, shardRecordsPerSecond: SHARD_LIMIT },
      consumer: { batchSize: 10, batchingWindowSeconds: 0 },
      windowing: { windowSizeMs: WINDOW_MS, allowedLatenessMs: LATENESS_MS, idleTimeoutMs: 3_000 },
      scaler: {
        tickSeconds: 2,
        maxParallelization: 2,
        // A low prior, learned slowly: this small machine's lanes are fast enough that the measured
        // rate alone would rarely ask for more lanes than shards at these rates.
        perLaneRecordsPerSecondPrior: 50,
        rateEstimateSmoothing: 0.1,
        signalWindowSeconds: 4,
        signalPeriodSeconds: 1,
        scaleOutCooldownSeconds: 2,
        scaleInCooldownSeconds: 4,
        scaleInSustainSeconds: 4,
        dailyShardUpdateBudget: 10,
      },
    },
    speedup: 30,
    shardRecordsPerSecond: SHARD_LIMIT,
  });
  const names = resourceNames(p.config.prefix);
  const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
  await new EventsApi({ endpoint: p.cloud.endpoint, region: 'us-east-1', ...creds }).call(
    'DisableRule',
    {
      Name: `${p.config.prefix}-scaler-schedule`,
    },
  );
  const mappings = await p.clients.lambda.send(
    new ListEventSourceMappingsCommand({ FunctionName: names.consumerFunction }),
  );
  const mappingUuid = mappings.EventSourceMappings?.[0]?.UUID;
  if (!mappingUuid) throw new Error(`no event source mapping for ${names.consumerFunction}`);

  const stats = emptyStats();
  const metrics = new ProducerMetrics({
    client: p.clients.cloudwatch,
    namespace: p.config.metricsNamespace,
    prefix: p.config.prefix,
    stats,
    intervalMs: 1_000,
  });
  metrics.start();
  logPath = join(p.dir, 'records.jsonl');
  const log = new RecordLog(logPath);
  let maxValidEventMs = -Infinity;

  const sampler = setInterval(() => {
    void p.clients.kinesis
      .send(new DescribeStreamSummaryCommand({ StreamName: names.stream }))
      .then((s) => {
        const last = decisions.at(-1);
        samples.push({
          t: Date.now(),
          shards: s.StreamDescriptionSummary?.OpenShardCount ?? 0,
          pf: last?.current.parallelization ?? 1,
        });
      })
      .catch(() => {});
  }, 1_000);

  const t0 = Date.now();
  spikeStartMs = t0 + PLAN.baselineS * 1000;
  spikeEndMs = spikeStartMs + PLAN.spikeS * 1000;
  const totalMs = (PLAN.baselineS + PLAN.spikeS + PLAN.cooldownS + QUIET_S) * 1000;
  const scaler = runScaler(
    {
      config: p.config,
      streamName: names.stream,
      mappingUuid,
      kinesis: p.clients.kinesis,
      lambda: p.clients.lambda,
      cloudwatch: p.clients.cloudwatch,
      dynamo: p.clients.dynamo,
      now: () => Date.now(),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      publish: (r) => decisions.push(r),
    },
    t0,
    t0 + totalMs,
  );
  summary = await runSpike({
    client: p.producerKinesis,
    streamName: names.stream,
    plan: planSpike({
      producers: PLAN.producers,
      spikeProducers: PLAN.spikeProducers,
      baselineS: PLAN.baselineS,
      spikeS: PLAN.spikeS,
      cooldownS: PLAN.cooldownS,
    }),
    ratePerProducer: RATE,
    stats,
    generator: {
      seed: 77,
      users: 200,
      lateFraction: 0,
      malformedFraction: 0,
      outOfOrderS: 1,
      allowedLatenessMs: LATENESS_MS,
      windowSizeMs: WINDOW_MS,
      futureSkewMs: p.config.windowing.maxFutureSkewMs * 4,
    },
    onAccepted: (r, g) => {
      log.write(r);
      if (g.kind === 'valid')
        maxValidEventMs = Math.max(maxValidEventMs, JSON.parse(g.data).timestamp * 1000);
    },
  });
  await metrics.stop();
  await log.close();
  run = await scaler;
  clearInterval(sampler);
  settled = await waitUntilSettled({
    client: p.clients.dynamo,
    names,
    accepted: summary.stats.accepted,
    lastWindowEndMs: Math.floor(maxValidEventMs / WINDOW_MS) * WINDOW_MS + WINDOW_MS,
    timeoutMs: 40_000,
    pollMs: 1_000,
  });
}, 420_000);

afterAll(async () => {
  await p?.stop();
});

const trace = () =>
  decisions
    .map(
      (d) =>
        `${new Date(d.at).toISOString().slice(14, 23)} ${d.current.openShards}×${d.current.parallelization} ${d.decision.reason}`,
    )
    .join('\n');

describe('autoscaling on the embedded cloud', () => {
  it('the scaler ran its whole period and decided every tick', () => {
    expect(run.stoppedBecause).toBe('period over');
    expect(decisions.length).toBeGreaterThanOrEqual(20);
    expect(
      decisions.every((d) => d.failed.length === 0),
      trace(),
    ).toBe(true);
  });

  it('the spike raised shards and parallelization', () => {
    const during = decisions.filter((d) => d.at >= spikeStartMs && d.at <= spikeEndMs + 2_000);
    const shardsOut = during
      .flatMap((d) => d.applied)
      .filter((a) => a.kind === 'UpdateShardCount' && a.to > a.from);
    expect(shardsOut.length, trace()).toBeGreaterThan(0);
    expect(Math.max(...samples.map((s) => s.shards)), trace()).toBeGreaterThanOrEqual(2);
    const pfUp = decisions
      .flatMap((d) => d.applied)
      .filter((a) => a.kind === 'UpdateParallelization' && a.to > a.from);
    expect(pfUp.length, trace()).toBeGreaterThan(0);
  });

  it('throttling stopped and iterator age recovered before the spike ended', () => {
    const lastOfSpike = decisions.filter((d) => d.at > spikeEndMs - 6_000 && d.at <= spikeEndMs);
    expect(lastOfSpike.length).toBeGreaterThan(0);
    for (const d of lastOfSpike) {
      expect(d.signals.throttledRecordsPerSecond, trace()).toBe(0);
      expect(d.signals.iteratorAgeMs, trace()).toBeLessThan(p.config.scaler.iteratorAgeTargetMs);
    }
  });

  it('the quiet period brought shards and parallelization back to the minimum, without flapping', () => {
    const last = decisions.at(-1)!;
    expect(last.current.openShards, trace()).toBe(p.config.stream.minShards);
    expect(last.current.parallelization, trace()).toBe(p.config.scaler.minParallelization);
    // Shard changes: up moves, then down moves — never up again after the first down.
    const moves = decisions.flatMap((d) => d.applied).filter((a) => a.kind === 'UpdateShardCount');
    const firstDown = moves.findIndex((a) => a.to < a.from);
    expect(firstDown, trace()).toBeGreaterThan(0);
    expect(
      moves.slice(firstDown).every((a) => a.to < a.from),
      trace(),
    ).toBe(true);
  });

  it('every action respected AWS limits: ×2 / ÷2 per call, PF 1–10, bounds, the daily budget', () => {
    const applied = decisions.flatMap((d) => d.applied);
    for (const a of applied) {
      if (a.kind === 'UpdateShardCount') {
        expect(a.to).toBeGreaterThanOrEqual(Math.ceil(a.from / 2));
        expect(a.to).toBeLessThanOrEqual(a.from * 2);
        expect(a.to).toBeLessThanOrEqual(p.config.stream.maxShards);
      } else {
        expect(a.to).toBeGreaterThanOrEqual(1);
        expect(a.to).toBeLessThanOrEqual(10);
      }
    }
    expect(applied.filter((a) => a.kind === 'UpdateShardCount').length).toBeLessThanOrEqual(10);
  });

  it('results stay exact through the resharding: finals + late = offline recomputation', () => {
    expect(summary.abandoned).toBe(0);
    expect(summary.stats.throttled).toBeGreaterThan(0);
    expect(settled.drained).toBe(true);
    expect(settled.closed).toBe(true);
    const lines = readRecordLog(logPath);
    expect(lines.length).toBe(summary.stats.accepted);
    const expected = recompute(lines, p.config, Date.now());
    const got = pipelineResults(settled.snapshot);
    expect(canonical(got.byWindow)).toEqual(canonical(expected.byWindow));
    expect(got.finalRecords + got.lateRecords).toBe(expected.valid);
  });
});
