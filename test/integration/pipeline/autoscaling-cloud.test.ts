/**
 * Autoscaling on the embedded cloud with the real stack deployed (cdk synth
 * + deploy:local): the lab's experiment at small scale — 1 producer, +5
 * during a spike, back to 1, then quiet — and the scaler handler's own loop
 * (runScaler: the code the scheduled function runs) deciding from the
 * metrics the pipeline publishes. The stack's schedule for the scaler is
 * disabled so the test's run is the only one acting.
 *
 * The load is shaped so that one path is forced whatever the machine's
 * speed: the spike exceeds one shard's write limit (so shards must rise) and
 * each consumer lane costs a configured time per record
 * (consumer.testOnlyWorkMsPerRecord), so a lane handles at most
 * 1000 / that records/s and two shards at PF 1 cannot keep up (so PF must
 * rise). Checked are the outcomes a user is promised: enough capacity before
 * the spike ends, throttling stopped and iterator age recovered, back to the
 * minimum after the quiet period, every action within AWS's limits, and
 * exact results (finals + late = offline recomputation). Every duration and
 * wait derives from the configuration below.
 */
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import {
  GetEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
} from '@aws-sdk/client-lambda';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdLoadLock, LOAD_LOCK_WAIT_MS } from '../../support/machine-lock';
import { resourceNames, type ConfigOverrides } from '../../../functions/config';
import {
  runScaler,
  type DecisionRecord,
  type RunResult,
} from '../../../functions/handlers/scaler-run';
import { EventsApi } from '../../../localcloud/deploy/events-api';
import { DemandHeartbeat } from '../../../producer/demand-heartbeat';
import { PRODUCER_CONFIG } from '../../../producer/producer-config';
import { ProducerMetrics } from '../../../producer/producer-metrics';
import { emptyStats } from '../../../producer/producer-stats';
import { readRecordLog, RecordLog } from '../../../producer/record-log';
import { planSpike } from '../../../producer/spike-plan';
import { runSpike, type SpikeSummary } from '../../../producer/spike-runner';
import { waitUntilSettled, type SettleResult } from '../../../tools/demo/pipeline-settle';
import { recompute } from '../../e2e/offline-recompute';
import { startPipeline, type Pipeline } from '../../e2e/pipeline-harness';
import { canonical, pipelineResults } from '../../e2e/results-compare';
import { SYNTH_TIMEOUT_MS } from '../../support/synth-cache';

const WINDOW_MS = 5_000;
const LATENESS_MS = 4_000;
const IDLE_MS = 3_000;
const SHARD_LIMIT = 20; // records/s per shard on the embedded cloud (AWS: 1,000)
// A lane handles at most 1000 / 100 = 10 records/s. The cost dwarfs a busy machine's
// per-invocation overhead, so the per-lane rate is set by the configuration, not the machine.
const WORK_MS_PER_RECORD = 100;
const LANE_MAX_RATE = 1000 / WORK_MS_PER_RECORD;
const RATE = 4; // records/s per producer
const PRODUCERS = 1;
const SPIKE_PRODUCERS = 5;
const BASE_RATE = RATE * PRODUCERS; // 4: one lane at PF 1 suffices
const SPIKE_RATE = RATE * (PRODUCERS + SPIKE_PRODUCERS); // 24: over one shard's 20 and two lanes' 20

const SCALER = {
  tickSeconds: 2,
  maxParallelization: 4,
  perLaneRecordsPerSecondPrior: LANE_MAX_RATE,
  rateEstimateSmoothing: 0.5,
  backlogDrainSeconds: 10,
  signalWindowSeconds: 4,
  signalPeriodSeconds: 1,
  scaleOutCooldownSeconds: 2,
  scaleInCooldownSeconds: 4,
  scaleInSustainSeconds: 4,
  dailyShardUpdateBudget: 10,
  iteratorAgeTargetMs: 5_000,
} as const;
const CONFIG: ConfigOverrides = {
  prefix: 'scaletest',
  stream: { initialShards: 1, minShards: 1, maxShards: 2, shardRecordsPerSecond: SHARD_LIMIT },
  consumer: {
    batchSize: 10,
    batchingWindowSeconds: 0,
    testOnlyWorkMsPerRecord: WORK_MS_PER_RECORD,
  },
  windowing: { windowSizeMs: WINDOW_MS, allowedLatenessMs: LATENESS_MS, idleTimeoutMs: IDLE_MS },
  scaler: SCALER,
};

/** Time for the scaler to see a change and act on it twice (shards, then PF after the cooldown). */
const REACT_S =
  SCALER.signalWindowSeconds + 2 * SCALER.tickSeconds + SCALER.scaleOutCooldownSeconds;
/** Time for sustained low load to bring shards and PF down, one step each, cooldown between. */
const SCALE_IN_S =
  SCALER.signalWindowSeconds +
  2 * (SCALER.scaleInSustainSeconds + SCALER.scaleInCooldownSeconds + SCALER.tickSeconds);
const PLAN = {
  producers: PRODUCERS,
  spikeProducers: SPIKE_PRODUCERS,
  baselineS: SCALER.signalWindowSeconds,
  // React, drain the backlog built up meanwhile (no longer than it built up), and be seen drained.
  spikeS: 2 * REACT_S + SCALER.signalWindowSeconds,
  cooldownS: SCALER.signalWindowSeconds,
};
const QUIET_S = SCALE_IN_S;
const RUN_MS = (PLAN.baselineS + PLAN.spikeS + PLAN.cooldownS + QUIET_S) * 1000;
/** Draining the stream and closing the last window: lateness, idleness and a window, with margin. */
const SETTLE_MS = 3 * (WINDOW_MS + LATENESS_MS + IDLE_MS) + 2 * REACT_S * 1000;

interface Sample {
  t: number;
  shards: number;
  pf: number;
}

let p: Pipeline;
let summary: SpikeSummary;
let settled: SettleResult;
let run: RunResult;
let finalState: Sample;
const decisions: DecisionRecord[] = [];
const samples: Sample[] = [];
let spikeStartMs = 0;
let spikeEndMs = 0;
let logPath: string;
const settleProgress: string[] = [];

async function readState(mappingUuid: string): Promise<Sample & { settled: boolean }> {
  const names = resourceNames(p.config.prefix);
  const [stream, mapping] = await Promise.all([
    p.clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: names.stream })),
    p.clients.lambda.send(new GetEventSourceMappingCommand({ UUID: mappingUuid })),
  ]);
  return {
    t: Date.now(),
    shards: stream.StreamDescriptionSummary?.OpenShardCount ?? 0,
    pf: mapping.ParallelizationFactor ?? 0,
    settled:
      stream.StreamDescriptionSummary?.StreamStatus === 'ACTIVE' && mapping.State === 'Enabled',
  };
}

let releaseLoadLock: (() => void) | undefined;

beforeAll(
  async () => {
    releaseLoadLock = await holdLoadLock();
    p = await startPipeline({ config: CONFIG, speedup: 30, shardRecordsPerSecond: SHARD_LIMIT });
    const names = resourceNames(p.config.prefix);
    const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
    await new EventsApi({ endpoint: p.cloud.endpoint, region: 'us-east-1', ...creds }).call(
      'DisableRule',
      { Name: `${p.config.prefix}-scaler-schedule` },
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
      intervalMs: SCALER.signalPeriodSeconds * 1000,
    });
    metrics.start();
    const demand = new DemandHeartbeat({
      client: p.clients.dynamo,
      table: names.controlTable,
      stats,
      intervalMs: PRODUCER_CONFIG.demandHeartbeatMs,
    });
    demand.start();
    logPath = join(p.dir, 'records.jsonl');
    const log = new RecordLog(logPath);
    let maxValidEventMs = -Infinity;
    const sampler = setInterval(() => {
      void readState(mappingUuid).then(
        (s) => samples.push(s),
        () => {},
      );
    }, SCALER.signalPeriodSeconds * 1000);

    const t0 = Date.now();
    spikeStartMs = t0 + PLAN.baselineS * 1000;
    spikeEndMs = spikeStartMs + PLAN.spikeS * 1000;
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
      t0 + RUN_MS,
    );
    summary = await runSpike({
      client: p.producerKinesis,
      streamName: names.stream,
      plan: planSpike(PLAN),
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
    await demand.stop();
    await log.close();
    run = await scaler;
    clearInterval(sampler);
    settled = await waitUntilSettled({
      client: p.clients.dynamo,
      names,
      accepted: summary.stats.accepted,
      lastWindowEndMs: Math.floor(maxValidEventMs / WINDOW_MS) * WINDOW_MS + WINDOW_MS,
      timeoutMs: SETTLE_MS,
      pollMs: SCALER.signalPeriodSeconds * 1000,
      onProgress: (x) => settleProgress.push(`${x.elapsedMs} ms: ${x.accountedFor} records`),
    });
    // The last scale-in may still be applying: the state once both services are settled again.
    let state = await readState(mappingUuid);
    for (const until = Date.now() + REACT_S * 1000; !state.settled && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, SCALER.signalPeriodSeconds * 1000));
      state = await readState(mappingUuid);
    }
    finalState = state;
  },
  LOAD_LOCK_WAIT_MS + SYNTH_TIMEOUT_MS + RUN_MS + SETTLE_MS + 60_000,
);

afterAll(async () => {
  await p?.stop();
  releaseLoadLock?.();
});

const trace = () =>
  decisions
    .map(
      (d) =>
        `${new Date(d.at).toISOString().slice(14, 23)} ${d.current.openShards}×${d.current.parallelization} age ${d.signals.iteratorAgeMs} thr ${d.signals.throttledRecordsPerSecond.toFixed(0)} ${d.decision.reason}`,
    )
    .join('\n');

/** Lanes (shards × PF) the designed per-lane cost needs to keep up with a rate. */
const lanesFor = (rate: number) => Math.ceil(rate / LANE_MAX_RATE);

describe('autoscaling on the embedded cloud', () => {
  it('the load forces both levers: one shard and two lanes are too little for the spike', () => {
    // The test's premise, from its configuration alone.
    expect(SPIKE_RATE).toBeGreaterThan(SHARD_LIMIT);
    expect(lanesFor(SPIKE_RATE)).toBeGreaterThan(CONFIG.stream!.maxShards!);
    expect(lanesFor(BASE_RATE)).toBe(1);
    // Whether the producers were throttled on the way is not asserted: their limiter
    // paces them at the shard's limit, so they may be held back without one refusal.
    // What they offered, every record of it, was accepted.
    expect(summary.abandoned).toBe(0);
    expect(summary.stats.accepted).toBe(summary.stats.generated);
  });

  it('the scaler ran its whole period, deciding on schedule without failed actions', () => {
    expect(run.stoppedBecause).toBe('period over');
    expect(decisions.length).toBeGreaterThanOrEqual(RUN_MS / 1000 / SCALER.tickSeconds / 2);
    expect(
      decisions.every((d) => d.failed.length === 0),
      trace(),
    ).toBe(true);
  });

  it('enough capacity before the spike ended: shards and parallelization both rose', () => {
    const inSpike = samples.filter((s) => s.t >= spikeStartMs && s.t <= spikeEndMs);
    const enough = inSpike.find((s) => s.shards * s.pf >= lanesFor(SPIKE_RATE));
    expect(enough, trace()).toBeDefined();
    expect(Math.max(...inSpike.map((s) => s.shards)), trace()).toBe(CONFIG.stream!.maxShards);
    expect(Math.max(...inSpike.map((s) => s.pf)), trace()).toBeGreaterThanOrEqual(2);
  });

  it('throttling stopped and iterator age recovered while the spike was still on', () => {
    const target = p.config.scaler.iteratorAgeTargetMs;
    const capacityAt = samples.find((s) => s.shards * s.pf >= lanesFor(SPIKE_RATE))?.t ?? Infinity;
    const recovered = decisions.filter(
      (d) =>
        d.at >= capacityAt &&
        d.at <= spikeEndMs &&
        d.signals.throttledRecordsPerSecond === 0 &&
        d.signals.iteratorAgeMs < target,
    );
    expect(recovered.length, trace()).toBeGreaterThan(0);
    // ... and what the spike left behind drained as the scaler sizes for it: within the signal
    // window, backlogDrainSeconds and a tick after the spike ended a decision saw the age under the
    // target, and the quiet period ended with it there. Not "never over the target once
    // recovered": with one core kept busy (npm run test:stress) a consumer lane of this 100 ms/record
    // function stalled for seconds with shards × PF already sufficient (age 0.9 s, then 5.5 s, then
    // 2.4 s while draining the spike's last 190 records) — a machine's hiccup, not the controller's.
    const drainedBy =
      spikeEndMs +
      (SCALER.signalWindowSeconds + SCALER.backlogDrainSeconds + SCALER.tickSeconds) * 1000;
    const drained = decisions.filter(
      (d) => d.at >= spikeEndMs && d.at <= drainedBy && d.signals.iteratorAgeMs < target,
    );
    expect(drained.length, trace()).toBeGreaterThan(0);
    expect(decisions.at(-1)!.signals.iteratorAgeMs, trace()).toBeLessThan(target);
  });

  it('the quiet period brought shards and parallelization back to the minimum, without flapping', () => {
    expect(finalState, trace()).toMatchObject({
      shards: p.config.stream.minShards,
      pf: p.config.scaler.minParallelization,
    });
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
        expect(a.to).toBeGreaterThanOrEqual(p.config.stream.minShards);
      } else {
        expect(a.to).toBeGreaterThanOrEqual(1);
        expect(a.to).toBeLessThanOrEqual(Math.min(10, p.config.scaler.maxParallelization));
      }
    }
    expect(applied.filter((a) => a.kind === 'UpdateShardCount').length).toBeLessThanOrEqual(
      SCALER.dailyShardUpdateBudget,
    );
  });

  it('results stay exact through the resharding: finals + late = offline recomputation', () => {
    expect(summary.abandoned).toBe(0);
    const why = `accepted ${summary.stats.accepted}; settling: ${settleProgress.slice(-5).join(', ')}; closedThrough ${settled.snapshot.global?.closedThrough}\n${p.logs.slice(-20).join('\n')}\n${trace()}`;
    expect(settled.drained, why).toBe(true);
    expect(settled.closed, why).toBe(true);
    const lines = readRecordLog(logPath);
    expect(lines.length).toBe(summary.stats.accepted);
    const expected = recompute(lines, p.config, Date.now());
    const got = pipelineResults(settled.snapshot);
    expect(canonical(got.byWindow)).toEqual(canonical(expected.byWindow));
    expect(got.finalRecords + got.lateRecords).toBe(expected.valid);
  });
});
