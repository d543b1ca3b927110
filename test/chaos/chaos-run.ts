/**
 * One chaos run: the stack on a cloud process of its own, a short spike
 * (throttled, with late, out-of-order and malformed records) while the
 * run's schedule strikes, then — once the stream is drained and the last
 * windows closed — finals + late records compared exactly with the offline
 * recomputation from the --record log (test/e2e/offline-recompute.ts), and
 * the rejects with the records the recomputation rejects.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { dynamoClient, kinesisClient } from '../../functions/aws/clients';
import { resourceNames, type StreamscaleConfig } from '../../functions/config';
import { readRecordLog, RecordLog } from '../../producer/record-log';
import { planSpike, type SpikePlan } from '../../producer/spike-plan';
import { runSpike, type SpikeSummary } from '../../producer/spike-runner';
import { waitUntilSettled, type SettleResult } from '../../tools/demo/pipeline-settle';
import { recompute } from '../e2e/offline-recompute';
import { canonical, diff, pipelineResults } from '../e2e/results-compare';
import { startChaosCloud, type ChaosCloud } from './chaos-cloud';
import {
  startDynamoFaultProxy,
  type DynamoFaultProxy,
  type ProxyMode,
} from './dynamodb-fault-proxy';
import { putPoison } from './poison-records';
import { chaosSchedule, type Fault, type Schedule } from './schedule';
import { notIn, streamContents } from '../support/stream-contents';

export const CHAOS = {
  windowSizeMs: 5_000,
  allowedLatenessMs: 4_000,
  idleTimeoutMs: 3_000,
  speedup: 30,
  // Small on purpose: a run must fit a busy two-core machine. The spike alone nears the
  // shard's limit; a storm takes it well over.
  shardRecordsPerSecond: 200,
  ratePerProducer: 80,
  plan: { producers: 1, spikeProducers: 2, baselineS: 3, spikeS: 6, cooldownS: 3 },
  storm: { producers: 2, ratePerProducer: 200 },
  faults: { min: 2, max: 5 },
  killShare: 0.3,
} as const;

export interface RunResult {
  seed: number;
  schedule: Schedule;
  /** records the (restarted) cloud's stream holds: the pipeline's input, compared */
  records: number;
  /** records accepted by a killed cloud, gone with it (no on-disk state) */
  lostWithKilledCloud: number;
  /** the functions' DynamoDB calls, and those the faults broke */
  dynamoCalls: number;
  brokenCalls: number;
  /** records stored by Kinesis whose PutRecords answer was lost, so re-sent: in the stream twice */
  unacknowledged: number;
  /** drained and closed: only then are the mismatches a verdict on correctness */
  settled: boolean;
  mismatches: number;
  problems: string[];
  durationMs: number;
}

const generatorOf = (seed: number, config: StreamscaleConfig) => ({
  seed,
  users: 300,
  lateFraction: 0.03,
  malformedFraction: 0.03,
  outOfOrderS: 3,
  allowedLatenessMs: config.windowing.allowedLatenessMs,
  windowSizeMs: config.windowing.windowSizeMs,
  futureSkewMs: config.windowing.maxFutureSkewMs * 4,
});

interface Striking {
  proxy: DynamoFaultProxy;
  client: KinesisClient;
  stream: string;
  log: RecordLog;
  config: StreamscaleConfig;
  seed: number;
  /** what the faults started that must end before settling */
  pending: Promise<unknown>[];
  /** faults struck so far */
  struck: number;
}

const PROXY_MODE: Partial<Record<Fault['kind'], ProxyMode>> = {
  'dynamodb-outage': 'outage',
  'function-crash': 'crash',
  'dynamodb-throttle': 'throttle',
};

/** Resolves once `count` faults have struck. */
async function struck(s: Striking, count: number): Promise<void> {
  while (s.struck < count) await new Promise((r) => setTimeout(r, 100));
}

function strike(f: Fault, s: Striking, index: number): void {
  s.struck++;
  const mode = PROXY_MODE[f.kind];
  if (mode) {
    s.proxy.mode = mode;
    const over = new Promise((r) => setTimeout(r, f.durationMs)).then(() => {
      if (s.proxy.mode === mode) s.proxy.mode = 'pass';
    });
    s.pending.push(over);
  } else if (f.kind === 'poison') {
    s.pending.push(putPoison(s.client, s.stream, s.log));
  } else {
    const storm = runSpike({
      client: s.client,
      streamName: s.stream,
      plan: planSpike({
        producers: CHAOS.storm.producers,
        spikeProducers: 0,
        baselineS: f.durationMs / 1000,
        spikeS: 0,
        cooldownS: 0,
      }),
      ratePerProducer: CHAOS.storm.ratePerProducer,
      generator: generatorOf(s.seed * 100 + index, s.config),
      onAccepted: (r) => s.log.write(r),
    });
    s.pending.push(storm);
  }
}

/** A spike with the faults struck on time; resolves once the spike and every fault are over. */
async function spikeUnderFaults(
  s: Striking,
  plan: SpikePlan,
  faults: Fault[],
): Promise<SpikeSummary[]> {
  // Kinesis faults on the spike's clock; DynamoDB faults on the functions': from their first
  // call (on a busy machine the first invocations come long after the spike started).
  faults.forEach((f, i) => {
    const at = () => setTimeout(() => strike(f, s, i), f.atMs);
    // Bounded: functions that never call DynamoDB get their faults anyway, and the run then stalls.
    const w = s.config.windowing;
    const noCallsMs = 10 * (w.windowSizeMs + w.allowedLatenessMs + w.idleTimeoutMs);
    const firstCall = Promise.race([
      s.proxy.firstCall,
      new Promise((r) => setTimeout(r, noCallsMs)),
    ]);
    if (PROXY_MODE[f.kind]) s.pending.push(firstCall.then(at));
    else at();
  });
  const main = runSpike({
    client: s.client,
    streamName: s.stream,
    plan,
    ratePerProducer: CHAOS.ratePerProducer,
    generator: generatorOf(s.seed, s.config),
    onAccepted: (r) => s.log.write(r),
  });
  const summary = await main;
  // Every fault strikes and ends before the results are read (none is cut short).
  await Promise.all([...s.pending]);
  await struck(s, faults.length);
  const others = await Promise.all(s.pending);
  s.proxy.mode = 'pass';
  return [summary, ...others.filter((x): x is SpikeSummary => !!x && 'stats' in (x as object))];
}

/** A first spike that the cloud's kill ends: what it got accepted dies with the cloud. */
async function killedSpike(cloud: ChaosCloud, o: RunContext): Promise<number> {
  const abort = new AbortController();
  let accepted = 0;
  const client = producerClient(cloud.endpoint);
  const spike = runSpike({
    client,
    streamName: resourceNames(o.config.prefix).stream,
    plan: o.plan,
    ratePerProducer: CHAOS.ratePerProducer,
    generator: generatorOf(o.seed + 1, o.config),
    signal: abort.signal,
    onAccepted: () => accepted++,
  });
  await new Promise((r) => setTimeout(r, o.schedule.killAtMs));
  o.progress(`killing the cloud (${accepted} records accepted so far)`);
  const restarted = cloud.killAndRestart();
  abort.abort();
  await spike;
  client.destroy();
  await restarted;
  o.progress('cloud restarted, stack deployed again');
  return accepted;
}

const producerClient = (endpoint: string) =>
  kinesisClient({ endpoint, region: 'us-east-1', maxAttempts: 1, maxSockets: 128 });

/**
 * Waits until every record is accounted for and the last window closed, for
 * as long as the pipeline makes progress: a busy machine slows it, but a
 * pipeline that moves nothing for ten times window + lateness + idle timeout
 * is stuck, and the run says so.
 */
async function settleWhileProgressing(
  dynamo: ReturnType<typeof dynamoClient>,
  names: ReturnType<typeof resourceNames>,
  accepted: number,
  lastWindowEndMs: number,
  config: StreamscaleConfig,
  progress: (line: string) => void,
): Promise<SettleResult> {
  const w = config.windowing;
  const stallMs = 10 * (w.windowSizeMs + w.allowedLatenessMs + w.idleTimeoutMs);
  const stalled = new AbortController();
  let last = { at: Date.now(), state: '' };
  let reported = 0;
  return waitUntilSettled({
    client: dynamo,
    names,
    accepted,
    lastWindowEndMs,
    timeoutMs: Number.MAX_SAFE_INTEGER,
    pollMs: 1_000,
    signal: stalled.signal,
    onProgress: (p) => {
      const state = `${p.accountedFor}/${p.closedThrough}`;
      if (state !== last.state) last = { at: Date.now(), state };
      else if (Date.now() - last.at > stallMs) stalled.abort();
      if (Math.floor(p.elapsedMs / 15_000) > reported) {
        reported = Math.floor(p.elapsedMs / 15_000);
        progress(
          `  settling: ${p.accountedFor} of ${accepted} records accounted for, closed through ${p.closedThrough ?? '-'} (last window ends ${lastWindowEndMs})`,
        );
      }
    },
  });
}

/** Lines of `a` not in `b`, counted in full. */
const missingFrom = (a: string[], b: string[]) => {
  const in_b = new Set(b);
  return a.filter((x) => !in_b.has(x)).length;
};

interface RunContext {
  progress: (line: string) => void;
  seed: number;
  config: StreamscaleConfig;
  cdkOut: string;
  plan: SpikePlan;
  schedule: Schedule;
  logPath: string;
}

export async function chaosRun(o: {
  /** one line per step, for a person watching */
  progress: (line: string) => void;
  /** at most this many faults (0: a control run, no fault at all) */
  maxFaults?: number;
  seed: number;
  config: StreamscaleConfig;
  cdkOut: string;
  logPath: string;
}): Promise<RunResult> {
  const t0 = Date.now();
  const plan = planSpike(CHAOS.plan);
  const planMs = plan.phases.reduce((m, p) => Math.max(m, p.endMs), 0);
  const max = Math.min(o.maxFaults ?? CHAOS.faults.max, CHAOS.faults.max);
  const schedule = chaosSchedule({
    seed: o.seed,
    planMs,
    faults: { min: Math.min(CHAOS.faults.min, max), max },
    killShare: max === 0 ? 0 : CHAOS.killShare,
  });
  const ctx: RunContext = { ...o, plan, schedule };
  const proxy = await startDynamoFaultProxy();
  let cloud: ChaosCloud | undefined;
  try {
    cloud = await startChaosCloud({
      config: o.config,
      cdkOut: o.cdkOut,
      speedup: CHAOS.speedup,
      shardRecordsPerSecond: CHAOS.shardRecordsPerSecond,
      dynamoEndpoint: () => proxy.url,
      onEndpoint: (endpoint) => proxy.retarget(endpoint),
    });
    o.progress(
      `cloud at ${cloud.endpoint}, stack deployed (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
    );
    return await compareUnderFaults(cloud, proxy, ctx, t0);
  } catch (err) {
    if (cloud)
      o.progress(
        `failed; the cloud log ends:\n${cloud.logTail().split('\n').slice(-30).join('\n')}`,
      );
    throw err;
  } finally {
    await cloud?.stop();
    await proxy.close();
  }
}

async function compareUnderFaults(
  cloud: ChaosCloud,
  proxy: DynamoFaultProxy,
  ctx: RunContext,
  t0: number,
): Promise<RunResult> {
  const { config, schedule } = ctx;
  const names = resourceNames(config.prefix);
  const lost = schedule.killAtMs === undefined ? 0 : await killedSpike(cloud, ctx);
  const client = producerClient(cloud.endpoint);
  const dynamo = dynamoClient({ endpoint: cloud.endpoint, region: 'us-east-1' });
  try {
    const log = new RecordLog(ctx.logPath);
    const s: Striking = {
      proxy,
      client,
      stream: names.stream,
      log,
      config,
      seed: ctx.seed,
      pending: [],
      struck: 0,
    };
    await spikeUnderFaults(s, ctx.plan, schedule.faults);
    await log.close();
    // The pipeline's input is what the stream holds; the log is what the producers were told.
    const logged = readRecordLog(ctx.logPath);
    const lines = await streamContents(client, names.stream);
    const notLogged = notIn(lines, logged);
    const notStored = notIn(logged, lines);
    ctx.progress(
      `spike over: ${logged.length} records acknowledged, ${lines.length} in the stream (${notLogged} stored but unacknowledged, re-sent); settling`,
    );
    const expected = recompute(lines, config, Date.now());
    const w = config.windowing;
    const lastStart = Math.max(...expected.byWindow.keys());
    const settled = await settleWhileProgressing(
      dynamo,
      names,
      lines.length,
      lastStart + w.windowSizeMs,
      config,
      ctx.progress,
    );
    const got = pipelineResults(settled.snapshot);
    const [a, b] = [canonical(got.byWindow), canonical(expected.byWindow)];
    const d = diff(a, b);
    const problems = [
      ...(notStored > 0 ? [`${notStored} acknowledged records are not in the stream`] : []),
      ...(settled.drained
        ? []
        : [
            'the stream was not drained in time; the cloud log ends:',
            ...cloud.logTail().split('\n').slice(-30),
          ]),
      ...(settled.closed ? [] : ['the last windows were not closed in time']),
      ...d.onlyInPipeline.map((l) => `only in the pipeline: ${l}`),
      ...d.onlyExpected.map((l) => `only expected: ${l}`),
    ];
    const recordGap = Math.abs(got.finalRecords + got.lateRecords - expected.valid);
    if (recordGap)
      problems.push(
        `finals + late = ${got.finalRecords + got.lateRecords}, valid records ${expected.valid}`,
      );
    const rejectGap = Math.abs(settled.snapshot.rejects.length - expected.rejects.size);
    if (rejectGap)
      problems.push(
        `rejects ${settled.snapshot.rejects.length}, expected ${expected.rejects.size}`,
      );
    return {
      seed: ctx.seed,
      schedule,
      records: lines.length,
      lostWithKilledCloud: lost,
      dynamoCalls: proxy.calls,
      brokenCalls: proxy.broken,
      settled: settled.drained && settled.closed,
      mismatches: missingFrom(a, b) + missingFrom(b, a) + recordGap + rejectGap + notStored,
      unacknowledged: notLogged,
      problems,
      durationMs: Date.now() - t0,
    };
  } finally {
    client.destroy();
    dynamo.destroy();
  }
}
