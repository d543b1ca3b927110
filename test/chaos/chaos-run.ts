/**
 * One chaos run: the stack on a cloud process of its own, a short spike
 * (throttled, with late, out-of-order and malformed records) while the
 * run's schedule strikes, then — once the stream is drained and the last
 * windows closed — finals + late records compared exactly with the offline
 * recomputation of what the stream holds (test/e2e/offline-recompute.ts),
 * and the rejects with the records the recomputation rejects.
 */
import { dynamoClient, kinesisClient } from '../../functions/aws/clients';
import { resourceNames, type StreamscaleConfig } from '../../functions/config';
import { readRecordLog, RecordLog } from '../../producer/record-log';
import { planSpike, type SpikePlan } from '../../producer/spike-plan';
import { runSpike } from '../../producer/spike-runner';
import { waitUntilSettled, type SettleResult } from '../../tools/demo/pipeline-settle';
import { recompute } from '../e2e/offline-recompute';
import { canonical, diff, pipelineResults } from '../e2e/results-compare';
import { notIn, streamContents } from '../support/stream-contents';
import { accepted, scheduleFaults, type Striking } from './chaos-faults';
import { startChaosCloud, type ChaosCloud } from './chaos-cloud';
import { CHAOS, generatorOf } from './chaos-settings';
import { startDynamoFaultProxy, type DynamoFaultProxy } from './dynamodb-fault-proxy';
import { chaosSchedule, type Schedule } from './schedule';

export { CHAOS, chaosConfig, chaosStackConfig } from './chaos-settings';

export interface RunResult {
  seed: number;
  schedule: Schedule;
  /** records the stream holds at the end: the pipeline's input, compared */
  records: number;
  /** records Kinesis acknowledged before the kill (they must survive it) */
  acceptedBeforeKill: number;
  /** the functions' DynamoDB calls, and those the faults broke */
  dynamoCalls: number;
  brokenCalls: number;
  /** records stored by Kinesis whose PutRecords answer was lost, so re-sent: in the stream twice */
  unacknowledged: number;
  /** drained and closed: only then are the mismatches a verdict on correctness */
  settled: boolean;
  mismatches: number;
  problems: string[];
  /** faults that struck, by kind (the kill included) */
  struckByKind: Record<string, number>;
  durationMs: number;
}

/** The run's spike: cut by the kill, carried on once the cloud answers again. */
async function producers(cloud: ChaosCloud, s: Striking, ctx: RunContext): Promise<number> {
  const spike = (plan: SpikePlan, seed: number) =>
    runSpike({
      client: s.client,
      streamName: s.stream,
      plan,
      ratePerProducer: CHAOS.ratePerProducer,
      generator: generatorOf(seed, s.config),
      signal: s.cloudGone.signal,
      onAccepted: accepted(s),
    });
  const first = spike(ctx.plan, ctx.seed);
  const killAt = ctx.schedule.killAtMs;
  if (killAt === undefined) {
    await first;
    return 0;
  }
  await Promise.race([first, new Promise((r) => setTimeout(r, killAt))]);
  const before = readLogCount(s);
  ctx.progress(`killing the cloud (${before} records acknowledged so far)`);
  s.struckByKind['cloud-kill'] = 1;
  let back!: () => void;
  s.up = new Promise<void>((r) => (back = r));
  s.cloudGone.abort();
  const restarted = cloud.killAndRestart();
  // Awaited below, after the cut spike ends: a failed restart must not be an unhandled rejection.
  restarted.catch(() => {});
  await first;
  await restarted;
  s.client.destroy();
  s.client = producerClient(cloud.endpoint);
  s.cloudGone = new AbortController();
  back();
  ctx.progress('cloud restarted on its data dir');
  await spike(planSpike(CHAOS.afterKill), ctx.seed + 1);
  return before;
}

const readLogCount = (s: Striking) => s.log.lines;

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
      // The close cursor walking on past the last window (idle shards) is no progress.
      const closed = Math.min(Number(p.closedThrough ?? 0), lastWindowEndMs);
      const state = `${p.accountedFor}/${closed}`;
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
  /** the cloud's output, appended here */
  cloudLog?: string;
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
      ...(o.cloudLog ? { logFile: o.cloudLog } : {}),
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

/** The spike and every fault, each to its end; the record log closed. */
async function spikeUnderFaults(
  cloud: ChaosCloud,
  proxy: DynamoFaultProxy,
  ctx: RunContext,
): Promise<{ s: Striking; before: number }> {
  const s: Striking = {
    proxy,
    client: producerClient(cloud.endpoint),
    up: Promise.resolve(),
    cloudGone: new AbortController(),
    stream: resourceNames(ctx.config.prefix).stream,
    log: new RecordLog(ctx.logPath),
    recent: [],
    config: ctx.config,
    seed: ctx.seed,
    pending: [],
    struckByKind: {},
    notes: [],
    failures: [],
  };
  scheduleFaults(s, ctx.schedule.faults);
  const before = await producers(cloud, s, ctx);
  // Every fault strikes and ends before the results are read (none is cut short).
  for (let seen = 0; seen < s.pending.length;) {
    const batch = s.pending.slice(seen);
    seen = s.pending.length;
    await Promise.all(batch);
  }
  for (const n of s.notes) ctx.progress(n);
  if (s.failures.length > 0) throw new Error(`faults failed: ${s.failures.join('; ')}`);
  s.proxy.mode = 'pass';
  await s.log.close();
  return { s, before };
}

async function compareUnderFaults(
  cloud: ChaosCloud,
  proxy: DynamoFaultProxy,
  ctx: RunContext,
  t0: number,
): Promise<RunResult> {
  const { config, schedule } = ctx;
  const names = resourceNames(config.prefix);
  const { s, before } = await spikeUnderFaults(cloud, proxy, ctx);
  const client = s.client;
  const dynamo = dynamoClient({ endpoint: cloud.endpoint, region: 'us-east-1' });
  try {
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
      ...(settled.drained ? [] : ['the stream was not drained in time']),
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
      acceptedBeforeKill: before,
      dynamoCalls: proxy.calls,
      brokenCalls: proxy.broken,
      settled: settled.drained && settled.closed,
      mismatches: missingFrom(a, b) + missingFrom(b, a) + recordGap + rejectGap + notStored,
      unacknowledged: notLogged,
      problems,
      struckByKind: s.struckByKind,
      durationMs: Date.now() - t0,
    };
  } finally {
    client.destroy();
    dynamo.destroy();
  }
}
