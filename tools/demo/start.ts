/**
 * `npm start`: the one-command demo. Starts the embedded local cloud unless
 * one is running, deploys the stack, runs the profile's spike with a live
 * view, waits (bounded) for the stream to drain and the last windows to
 * close, prints crash alerts, the course table, the scaling timeline, usage
 * and cost, writes reports/<timestamp>/ (report.md, SVG charts,
 * records.jsonl, metrics.json), shuts down what it started, exits 0.
 */
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  DescribeAlarmsCommand,
  ListDashboardsCommand,
  ListMetricsCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  cloudWatchClient,
  dynamoClient,
  kinesisClient,
  lambdaClient,
} from '../../functions/aws/clients';
import {
  fromEnv,
  resolveConfig,
  type ConfigOverrides,
  type StreamscaleConfig,
} from '../../functions/config';
import { crashRows } from '../../functions/core/partials';
import { createResultsReader } from '../../functions/store/results-reader';
import {
  clearLocalCloudState,
  localCloudStatePath,
  readLocalCloudState,
  writeLocalCloudState,
} from '../../localcloud/deploy/local-cloud-state';
import {
  deployLocal,
  endpointAnswers,
  probeEndpoint,
  silentCloudMessage,
} from '../../localcloud/deploy/deploy-local';
import { DEPLOY_CLIENT } from '../../localcloud/config';
import { startLocalCloud, type LocalCloud } from '../../localcloud/start-local-cloud';
import { DemandHeartbeat } from '../../producer/demand-heartbeat';
import { PRODUCER_CONFIG } from '../../producer/producer-config';
import { ProducerMetrics } from '../../producer/producer-metrics';
import { emptyStats } from '../../producer/producer-stats';
import { summaryLines } from '../../producer/progress-view';
import { RecordLog } from '../../producer/record-log';
import { planSpike } from '../../producer/spike-plan';
import { runSpike, type SpikeStatus } from '../../producer/spike-runner';
import { runFailureMessage } from '../../producer/stream-check';
import { scalerMetricReads, writeCostReport } from '../cost/cost-report';
import { METRICS_FILE } from '../cost/run-usage';
import { formatTable } from '../query/format';
import { applyCliDefaults, endpointInUse } from '../cli-kit/aws-env';
import { CommandError, EXIT } from '../cli-kit/errors';
import { listenForInterrupt, type Interrupt } from '../cli-kit/interrupt';
import { LiveBlock } from '../cli-kit/live-block';
import { isEntry, runMain } from '../cli-kit/run-main';
import { describeCloudError } from '../query/endpoint-errors';
import { runQuery } from '../query/run-query';
import { DEMO_USAGE, parseDemoArgs } from './demo-args';
import { liveLines, type LiveSnapshot } from './live-view';
import { latePartials, waitUntilSettled } from './pipeline-settle';
import {
  latestAtOrBefore,
  PipelineObserver,
  seriesSum,
  type StateSample,
} from './pipeline-observer';
import type { DemoProfile } from './profiles';
import { buildReport } from './run-report';
import { buildRunMetrics } from './run-metrics';
import { describeTimeline, timelineEvents } from './scaling-timeline';
import { spikeGoalLines, spikeGoals } from './spike-goals';
import { startStallWatchdog } from './stall-watchdog';

const PERIOD_S = 5;
/** How long after the spike the demo keeps watching the fleet come back (the goal: 2 min). */
const BACK_TO_MIN_WATCH_MS = 130_000;
const out = (line = '') => process.stdout.write(`${line}\n`);
const stamp = (d: Date) =>
  d
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');

/** The profile's config overrides on top of the user's STREAMSCALE_CONFIG; exported to the synth through the env. */
function demoConfig(profile: DemoProfile): StreamscaleConfig {
  const base = fromEnv();
  const merged = mergeDeep(
    base as unknown as Record<string, unknown>,
    profile.config as Record<string, unknown>,
  ) as ConfigOverrides;
  const config = resolveConfig(merged);
  process.env.STREAMSCALE_CONFIG = JSON.stringify(config);
  return config;
}

function mergeDeep(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
): Record<string, unknown> {
  const o: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    o[k] =
      v && typeof v === 'object' && !Array.isArray(v)
        ? mergeDeep((a[k] ?? {}) as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return o;
}

async function startCloud(
  profile: DemoProfile,
  logFile: string,
): Promise<{ endpoint: string; cloud?: LocalCloud }> {
  const running = readLocalCloudState();
  if (running && (await endpointAnswers(running.endpoint))) {
    out(`using the local cloud already running at ${running.endpoint} (pid ${running.pid})`);
    return { endpoint: running.endpoint };
  }
  const explicit = process.env.AWS_ENDPOINT_URL;
  if (explicit && explicit !== 'http://127.0.0.1:4566') {
    const probe = await probeEndpoint(explicit);
    if (probe === 'answers') {
      out(`using the endpoint ${explicit} (AWS_ENDPOINT_URL)`);
      return { endpoint: explicit };
    }
    // Something listens there and says nothing: the user's cloud, stuck. Starting another would hide it.
    if (probe === 'silent')
      throw new CommandError(
        `${silentCloudMessage(explicit, DEPLOY_CLIENT.probeTimeoutMs)}; unset AWS_ENDPOINT_URL to let npm start run its own cloud`,
      );
  }
  const log = createWriteStream(logFile, { flags: 'a' });
  const opts = {
    speedup: profile.speedup,
    log: (source: string, line: string) =>
      void log.write(`${new Date().toISOString()} ${source} | ${line}\n`),
  };
  let cloud: LocalCloud;
  try {
    cloud = await startLocalCloud({ ...opts, port: 4566 });
  } catch {
    // 4566 is taken by something that is not a streamscale cloud: any free port will do.
    cloud = await startLocalCloud({ ...opts, port: 0 });
  }
  writeLocalCloudState({
    endpoint: cloud.endpoint,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    speedup: profile.speedup,
  });
  out(
    `started the embedded local cloud at ${cloud.endpoint} (schedules ${profile.speedup}x faster; its log: ${logFile})`,
  );
  return { endpoint: cloud.endpoint, cloud };
}

export async function main(argv: string[]): Promise<number> {
  const { help, profile } = parseDemoArgs(argv);
  if (help) {
    out(DEMO_USAGE);
    return EXIT.ok;
  }
  applyCliDefaults();
  const config = demoConfig(profile);
  const started = new Date();
  const runDir = join('reports', stamp(started));
  mkdirSync(runDir, { recursive: true });
  out(`streamscale demo, profile ${profile.name}: ${profile.description}`);
  out(`report directory: ${runDir}`);

  const interrupt = listenForInterrupt({
    onFirst: (sig) => {
      const name = sig === 'SIGINT' ? 'Ctrl-C' : sig;
      out(`\n${name}: stopping the producers and shutting down (${name} again to quit at once)…`);
    },
  });
  try {
    return await demo({ profile, config, runDir, started, interrupt });
  } catch (err) {
    // Stopped by a signal mid-deploy: the deploy's abort is no failure.
    if (interrupt.received) return interrupt.exitCode()!;
    // A cloud that is not there or does not answer: one line naming it, not a stack trace.
    const message = describeCloudError(err, { endpoint: endpointInUse() });
    throw message ? new CommandError(message) : err;
  } finally {
    interrupt.dispose();
  }
}

/** Cloud, deploy, spike and results, once the signals are handled. */
async function demo(o: {
  profile: DemoProfile;
  config: StreamscaleConfig;
  runDir: string;
  started: Date;
  interrupt: Interrupt;
}): Promise<number> {
  const { profile, config, runDir, started, interrupt } = o;
  const { endpoint, cloud } = await startCloud(profile, join(runDir, 'cloud.log'));
  const watchdog = cloud
    ? startStallWatchdog({
        stallMs: 60_000,
        message: `npm start: the embedded local cloud has blocked this process for {s} s (a cloud part is busy-looping; see ${join(runDir, 'cloud.log')}) — stopping. What was recorded is in ${runDir}.`,
        cleanupFile: localCloudStatePath(),
      })
    : undefined;
  process.env.AWS_ENDPOINT_URL = endpoint;
  const stopCloud = async () => {
    if (!cloud) return;
    clearLocalCloudState(process.pid);
    await cloud.stop();
  };
  process.on('exit', () => cloud && clearLocalCloudState(process.pid));
  const clients = {
    kinesis: kinesisClient({ endpoint, maxAttempts: 1, maxSockets: 128 }),
    cloudwatch: cloudWatchClient({ endpoint }),
    dynamo: dynamoClient({ endpoint }),
    lambda: lambdaClient({ endpoint }),
  };
  try {
    if (interrupt.received) return interrupt.exitCode()!;
    out('deploying the stack (cdk synth, then deploy:local)…');
    const deployed = await deployLocal({
      endpoint,
      synth: true,
      signal: interrupt.signal,
      log: (l) => out(`  ${l}`),
    });
    out(`deployed in ${((deployed.synthMs + deployed.deployMs) / 1000).toFixed(1)} s`);
    if (interrupt.received) return interrupt.exitCode()!;
    return await runDemo({ profile, config, runDir, endpoint, clients, interrupt, started });
  } finally {
    watchdog?.stop();
    for (const c of Object.values(clients)) c.destroy();
    await stopCloud();
    if (cloud) out('stopped the embedded local cloud');
  }
}

interface DemoContext {
  profile: DemoProfile;
  config: StreamscaleConfig;
  runDir: string;
  endpoint: string;
  clients: {
    kinesis: ReturnType<typeof kinesisClient>;
    cloudwatch: ReturnType<typeof cloudWatchClient>;
    dynamo: ReturnType<typeof dynamoClient>;
    lambda: ReturnType<typeof lambdaClient>;
  };
  interrupt: Interrupt;
  started: Date;
}

async function runDemo(c: DemoContext): Promise<number> {
  const { profile, config, clients } = c;
  const observer = new PipelineObserver(clients, config);
  const names = observer.names;
  const reader = createResultsReader({
    client: clients.dynamo,
    names,
    windowSizeMs: config.windowing.windowSizeMs,
  });
  const stats = emptyStats();
  const recordsPath = join(c.runDir, 'records.jsonl');
  const log = new RecordLog(recordsPath);
  const metrics = new ProducerMetrics({
    client: clients.cloudwatch,
    namespace: config.metricsNamespace,
    prefix: config.prefix,
    stats,
    intervalMs: 2_000,
  });
  const demand = new DemandHeartbeat({
    client: clients.dynamo,
    table: names.controlTable,
    stats,
    intervalMs: PRODUCER_CONFIG.demandHeartbeatMs,
  });
  const plan = planSpike({
    producers: profile.producers,
    spikeProducers: profile.spikeProducers,
    baselineS: profile.baselineS,
    spikeS: profile.spikeS,
    cooldownS: profile.cooldownS,
  });
  const states: StateSample[] = [];
  const t0 = Date.now();
  let minEventMs = Infinity;
  let maxValidEventMs = -Infinity;
  let spikeStatus: SpikeStatus | undefined;
  let phase = 'starting';
  let alerts = 0;
  const view = new LiveBlock(process.stdout, 10_000);
  const maxRate = Math.max(1, (profile.producers + profile.spikeProducers) * profile.rate);

  // Live view: every 2 s read CloudWatch and the APIs; alerts from the finals every few seconds.
  let live = true;
  let tick = 0;
  const liveLoop = (async () => {
    while (live) {
      try {
        const now = Date.now();
        const [state, series] = await Promise.all([
          observer.state(),
          observer.series(t0 - 60_000, now + 5_000, PERIOD_S),
        ]);
        states.push(state);
        if (tick++ % 3 === 0 && Number.isFinite(minEventMs)) {
          const finals = await reader.finals(
            minEventMs - config.windowing.windowSizeMs,
            now + 60_000,
          );
          alerts = finals.reduce(
            (a, w) => a + crashRows(w.aggregates, config.windowing.crashAlertThreshold).length,
            0,
          );
        }
        const complete = now - PERIOD_S * 1000; // last bucket that has ended
        const rate = (k: string) => (latestAtOrBefore(series[k], complete) ?? 0) / PERIOD_S;
        const st = spikeStatus?.stats ?? stats;
        const snapshot: LiveSnapshot = {
          elapsedS: (now - t0) / 1000,
          phase,
          producers: spikeStatus?.activeProducers ?? 0,
          inputRate: rate('incomingRecords'),
          processedRate: rate('recordsProcessed'),
          throttledRate: rate('throttledRecords'),
          sent: st.sent,
          accepted: st.accepted,
          throttled: st.throttled,
          retried: st.retried,
          producerLimit: st.limit, // kpl (issue 14)
          shards: state.shards,
          parallelization: state.parallelization,
          concurrency:
            latestAtOrBefore(series.consumerConcurrentExecutions, now) ??
            (state.shards ?? 0) * (state.parallelization ?? 1),
          iteratorAgeMs:
            latestAtOrBefore(series.iteratorAgeMs, now) ??
            latestAtOrBefore(series.kinesisIteratorAgeMs, now),
          windowsClosed: seriesSum(series.windowsClosed),
          alerts,
          rejected: seriesSum(series.recordsRejected),
          late: seriesSum(series.lateRecords),
          decisions: describeTimeline(timelineEvents(states), t0, 90),
        };
        view.draw(liveLines(snapshot, maxRate));
      } catch {
        // A slow or failing read only delays the view.
      }
      await new Promise((r) => setTimeout(r, 2_000));
    }
  })();

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
    stats,
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
      minEventMs = Math.min(minEventMs, ms);
      if (g.kind === 'valid') maxValidEventMs = Math.max(maxValidEventMs, ms);
    },
    onStatus: (s) => {
      spikeStatus = s;
      phase = s.phase;
    },
  });
  await metrics.stop();
  await demand.stop();
  await log.close();

  let settleLines: string[] = [];
  if (!c.interrupt.received && !summary.error && summary.stats.accepted > 0) {
    phase = 'settling';
    const w = config.windowing;
    const lastWindowEndMs =
      Math.floor(maxValidEventMs / w.windowSizeMs) * w.windowSizeMs + w.windowSizeMs;
    const timeoutMs = w.allowedLatenessMs + w.idleTimeoutMs + profile.settleMarginS * 1000;
    const settled = await waitUntilSettled({
      client: clients.dynamo,
      names,
      accepted: summary.stats.accepted,
      lastWindowEndMs,
      timeoutMs,
      pollMs: 3_000,
      signal: c.interrupt.signal,
    });
    const late = latePartials(settled.snapshot);
    settleLines = [
      `${settled.drained ? 'drained' : 'NOT drained'}: ${summary.stats.accepted.toLocaleString('en-US')} records accepted, ${(settled.snapshot.partials.reduce((a, p) => a + Number(p.records), 0) + settled.snapshot.rejects.length).toLocaleString('en-US')} accounted for (valid in partials + rejected)`,
      `${settled.closed ? 'closed' : 'NOT all closed'}: close cursor ${settled.snapshot.global?.closedThrough ? new Date(settled.snapshot.global.closedThrough).toISOString() : '–'}, last window with data ends ${new Date(lastWindowEndMs).toISOString()}`,
      `${settled.snapshot.finals.length} final windows, ${late.length} late partials (${late.reduce((a, p) => a + Number(p.records), 0)} records), ${settled.snapshot.rejects.length} rejected records; waited ${(settled.waitedMs / 1000).toFixed(0)} s`,
    ];
  }
  // The spike goals' back-to-minimum figure: keep watching (bounded) until the
  // fleet is back at its minimum or the goal's two minutes have passed.
  const spikePhase = plan.phases.find((p) => p.name === 'spike');
  const spikeStartMs = summary.startedAt.getTime() + (spikePhase?.startMs ?? 0);
  const spikeEndMs = summary.startedAt.getTime() + (spikePhase?.endMs ?? 0);
  const atMinimum = (x: StateSample | undefined) =>
    (x?.shards ?? Infinity) <= config.stream.minShards &&
    (x?.parallelization ?? Infinity) <= config.scaler.minParallelization;
  while (
    !c.interrupt.received &&
    !summary.error &&
    !atMinimum(states.at(-1)) &&
    Date.now() < spikeEndMs + BACK_TO_MIN_WATCH_MS
  ) {
    phase = 'scaling in';
    await new Promise((r) => setTimeout(r, 2_000));
  }
  live = false;
  await liveLoop;
  view.release();
  const ended = new Date();
  const stoppedBy = c.interrupt.exitCode();
  if (stoppedBy !== undefined || summary.error) {
    out();
    for (const l of summaryLines(summary.stats, summary.durationMs, summary.abandoned)) out(l);
    out(`stopped early; the ${log.lines} accepted records are in ${recordsPath}`);
    if (stoppedBy !== undefined) return stoppedBy;
    throw new CommandError(
      runFailureMessage(summary.error, {
        endpoint: c.endpoint,
        stream: names.stream,
        neverSent: summary.abandoned,
      }),
    );
  }

  // Results.
  out();
  for (const l of summaryLines(summary.stats, summary.durationMs, summary.abandoned)) out(l);
  const fromMs = Number.isFinite(minEventMs)
    ? Math.floor(minEventMs / config.windowing.windowSizeMs) * config.windowing.windowSizeMs
    : t0 - 3_600_000;
  const q = { fromMs, toMs: ended.getTime() + 60_000, finalOnly: false, all: false, json: false };
  const ctx = {
    allowedLatenessMs: config.windowing.allowedLatenessMs,
    crashAlertThreshold: config.windowing.crashAlertThreshold,
  };
  const alertRows = await runQuery(reader, { ...q, query: 'crash-alerts' }, ctx);
  const courseRowsOut = await runQuery(reader, { ...q, query: 'course-activity' }, ctx);
  const crashText =
    alertRows.length > 0 ? formatTable('crash-alerts', alertRows, ctx) : 'no crash alerts';
  const courseText =
    courseRowsOut.length > 0
      ? formatTable('course-activity', courseRowsOut, ctx)
      : 'no course results';
  out();
  out(
    `Crash alerts (crash_count > ${config.windowing.crashAlertThreshold} in a ${config.windowing.windowSizeMs / 1000} s window)`,
  );
  out(crashText);
  out();
  out('Course activity');
  out(courseText);

  const series = await observer.series(t0 - 10_000, ended.getTime() + 5_000, PERIOD_S);
  states.push(await observer.state());
  const timeline = describeTimeline(timelineEvents(states), t0);
  const shortTimeline = describeTimeline(timelineEvents(states), t0, 110);
  out();
  out('Scaling timeline (full reasons in the report)');
  for (const l of shortTimeline.length > 0 ? shortTimeline : ['no scaling change observed'])
    out(`  ${l}`);

  const [customMetrics, dashboards, alarms] = await Promise.all([
    clients.cloudwatch.send(new ListMetricsCommand({ Namespace: config.metricsNamespace })).then(
      (r) => r.Metrics?.length ?? 0,
      () => 0,
    ),
    clients.cloudwatch.send(new ListDashboardsCommand({})).then(
      (r) => r.DashboardEntries?.length ?? 0,
      () => 0,
    ),
    clients.cloudwatch.send(new DescribeAlarmsCommand({})).then(
      (r) => r.MetricAlarms?.length ?? 0,
      () => 0,
    ),
  ]);
  const runMetrics = buildRunMetrics({
    prefix: config.prefix,
    startMs: t0,
    endMs: ended.getTime(),
    periodSeconds: PERIOD_S,
    series,
    states,
    lambdaMemoryMb: {
      consumer: config.consumer.memoryMb,
      closer: config.closer.memoryMb,
      scaler: config.scaler.memoryMb,
    },
    functionNames: {
      consumer: names.consumerFunction,
      closer: names.closerFunction,
      scaler: names.scalerFunction,
    },
    tables: [names.windowsTable, names.controlTable, names.rejectsTable],
    customMetrics,
    // The pipeline's own reads (the scaler's). The demo's live view is a viewer, like a person at
    // the dashboard: its reads are not part of what the fleet costs, so they are left out.
    getMetricDataMetricsRequested: scalerMetricReads((ended.getTime() - t0) / 1000, config),
    getMetricDataMetricsRequestedByScaler: scalerMetricReads((ended.getTime() - t0) / 1000, config),
    dashboards,
    alarms,
  });
  writeFileSync(join(c.runDir, METRICS_FILE), `${JSON.stringify(runMetrics, null, 2)}\n`);
  const goals = spikeGoalLines(
    spikeGoals({
      samples: runMetrics.samples,
      periodSeconds: PERIOD_S,
      states,
      spikeStartMs,
      spikeEndMs,
      spikeDemand: (profile.producers + profile.spikeProducers) * profile.rate,
      shardRecordsPerSecond: config.stream.shardRecordsPerSecond,
      targetUtilisation: config.scaler.targetUtilisation,
      minShards: config.stream.minShards,
      minParallelization: config.scaler.minParallelization,
      accepted: summary.stats.accepted,
      throttled: summary.stats.throttled,
    }),
  );
  out();
  out(
    `Spike goals (issue 14; machine load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')})`,
  );
  for (const l of goals) out(`  ${l}`);
  const shardHours = runMetrics.samples.reduce((a, s) => a + (s.shards * PERIOD_S) / 3600, 0);
  const usage = [
    `records accepted ${summary.stats.accepted.toLocaleString('en-US')} (${(summary.stats.acceptedBytes / 1024 / 1024).toFixed(1)} MiB), throttled put attempts ${summary.stats.throttled.toLocaleString('en-US')}`,
    `records processed (consumer metric) ${seriesSum(series.recordsProcessed).toLocaleString('en-US')}, rejected ${seriesSum(series.recordsRejected)}, late ${seriesSum(series.lateRecords)}, windows closed ${seriesSum(series.windowsClosed)}`,
    `shard-hours ${shardHours.toFixed(4)}, peak shards ${Math.max(...runMetrics.samples.map((s) => s.shards))}, peak parallelization ${Math.max(...runMetrics.samples.map((s) => s.parallelization ?? 1))}`,
    ...(runMetrics.lambda ?? []).map(
      (l) =>
        `${l.functionName}: ${l.invocations} invocations, ${(l.durationMs / 1000).toFixed(1)} s billed duration at ${l.memoryMb} MB`,
    ),
    `DynamoDB ${runMetrics.dynamodb?.writeRequestUnits.toFixed(0)} write units, ${runMetrics.dynamodb?.readRequestUnits.toFixed(0)} read units; CloudWatch ${customMetrics} custom metrics, ${dashboards} dashboard(s), ${alarms} alarm(s)`,
  ];
  out();
  out('Usage');
  for (const l of usage) out(`  ${l}`);
  let costText: string | undefined;
  try {
    costText = (await writeCostReport(c.runDir, config)).text;
    out();
    out('Cost');
    out(costText);
  } catch (err) {
    out(`cost analysis unavailable: ${(err as Error).message}`);
  }

  const report = buildReport({
    title: `streamscale demo — profile ${profile.name}`,
    profileDescription: profile.description,
    startedAt: c.started,
    endedAt: ended,
    endpoint: c.endpoint,
    metrics: runMetrics,
    series,
    producerSummary: summaryLines(summary.stats, summary.durationMs, summary.abandoned),
    crashAlerts: crashText,
    courseTable: courseText,
    scalingTimeline: timeline,
    goals: [
      ...goals,
      `machine load average (1, 5, 15 min) at the end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(', ')}`,
    ],
    usage,
    cost: costText,
    settle: settleLines,
    files: { records: 'records.jsonl', metrics: METRICS_FILE },
  });
  for (const [file, text] of Object.entries(report)) writeFileSync(join(c.runDir, file), text);
  out();
  for (const l of settleLines) out(l);
  out(
    `report: ${join(c.runDir, 'report.md')} (charts, records.jsonl, metrics.json beside it; price it again with npm run cost -- --run ${c.runDir})`,
  );
  return 0;
}

// Exits when done: the embedded cloud it started and the SDK's sockets would hold the process.
if (isEntry(import.meta.url)) void runMain(main, { name: 'npm start', exitWhenDone: true });
