/**
 * The demo's closing steps: the query results (crash alerts, course table),
 * the scaling timeline, the run metrics (metrics.json), the spike goals,
 * usage, cost, and report.md with its charts.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  DescribeAlarmsCommand,
  ListDashboardsCommand,
  ListMetricsCommand,
} from '@aws-sdk/client-cloudwatch';
import type { ResourceNames } from '../../functions/config';
import type { createResultsReader } from '../../functions/store/results-reader';
import { summaryLines } from '../../producer/progress-view';
import { scalerMetricReads, writeCostReport } from '../cost/cost-report';
import { METRICS_FILE } from '../cost/run-usage';
import { formatTable } from '../query/format';
import { runQuery } from '../query/run-query';
import { out, PERIOD_S, type DemoContext, type RunState } from './demo-context';
import type { SpikeResult } from './demo-spike';
import { seriesSum, type PipelineObserver, type Series } from './pipeline-observer';
import { buildReport } from './run-report';
import { buildRunMetrics } from './run-metrics';
import { describeTimeline, timelineEvents } from './scaling-timeline';
import { SPIKE_GOALS_FILE, spikeGoalLines, spikeGoals, stallRows, stallTable } from './spike-goals';

type Reader = ReturnType<typeof createResultsReader>;
type RunMetrics = ReturnType<typeof buildRunMetrics>;

/** Prints the crash alerts and the course table; returns both as text for the report. */
export async function queryStep(
  c: DemoContext,
  reader: Reader,
  run: RunState,
  ended: Date,
): Promise<{ crashText: string; courseText: string }> {
  const w = c.config.windowing;
  const fromMs = Number.isFinite(run.minEventMs)
    ? Math.floor(run.minEventMs / w.windowSizeMs) * w.windowSizeMs
    : run.t0 - 3_600_000;
  const q = { fromMs, toMs: ended.getTime() + 60_000, finalOnly: false, all: false, json: false };
  const ctx = {
    allowedLatenessMs: w.allowedLatenessMs,
    crashAlertThreshold: w.crashAlertThreshold,
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
    `Crash alerts (crash_count > ${w.crashAlertThreshold} in a ${w.windowSizeMs / 1000} s window)`,
  );
  out(crashText);
  out();
  out('Course activity');
  out(courseText);
  return { crashText, courseText };
}

/** Prints the scaling timeline; returns its full form for the report. */
export async function timelineStep(
  observer: PipelineObserver,
  run: RunState,
  ended: Date,
): Promise<{ series: Record<string, Series>; timeline: string[] }> {
  const series = await observer.series(run.t0 - 10_000, ended.getTime() + 5_000, PERIOD_S);
  run.states.push(await observer.state());
  const timeline = describeTimeline(timelineEvents(run.states), run.t0);
  const shortTimeline = describeTimeline(timelineEvents(run.states), run.t0, 110);
  out();
  out('Scaling timeline (full reasons in the report)');
  for (const l of shortTimeline.length > 0 ? shortTimeline : ['no scaling change observed'])
    out(`  ${l}`);
  return { series, timeline };
}

export interface CloudWatchCounts {
  customMetrics: number;
  dashboards: number;
  alarms: number;
}

/** Builds and writes metrics.json (the run's time series and usage). */
export async function metricsStep(
  c: DemoContext,
  names: ResourceNames,
  run: RunState,
  series: Record<string, Series>,
  ended: Date,
): Promise<{ runMetrics: RunMetrics; counts: CloudWatchCounts }> {
  const { config } = c;
  const cw = c.clients.cloudwatch;
  const [customMetrics, dashboards, alarms] = await Promise.all([
    cw.send(new ListMetricsCommand({ Namespace: config.metricsNamespace })).then(
      (r) => r.Metrics?.length ?? 0,
      () => 0,
    ),
    cw.send(new ListDashboardsCommand({})).then(
      (r) => r.DashboardEntries?.length ?? 0,
      () => 0,
    ),
    cw.send(new DescribeAlarmsCommand({})).then(
      (r) => r.MetricAlarms?.length ?? 0,
      () => 0,
    ),
  ]);
  const runS = (ended.getTime() - run.t0) / 1000;
  const runMetrics = buildRunMetrics({
    prefix: config.prefix,
    startMs: run.t0,
    endMs: ended.getTime(),
    periodSeconds: PERIOD_S,
    series,
    states: run.states,
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
    getMetricDataMetricsRequested: scalerMetricReads(runS, config),
    getMetricDataMetricsRequestedByScaler: scalerMetricReads(runS, config),
    dashboards,
    alarms,
  });
  writeFileSync(join(c.runDir, METRICS_FILE), `${JSON.stringify(runMetrics, null, 2)}\n`);
  return { runMetrics, counts: { customMetrics, dashboards, alarms } };
}

const loadText = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(', ');

/** Prints issue 14's spike goals with their figures. */
export function goalsStep(
  c: DemoContext,
  run: RunState,
  spike: SpikeResult,
  runMetrics: RunMetrics,
): string[] {
  const { profile, config } = c;
  const figures = spikeGoals({
    samples: runMetrics.samples,
    periodSeconds: PERIOD_S,
    states: run.states,
    spikeStartMs: spike.spikeStartMs,
    spikeEndMs: spike.spikeEndMs,
    spikeDemand: (profile.producers + profile.spikeProducers) * profile.rate,
    shardRecordsPerSecond: config.stream.shardRecordsPerSecond,
    targetUtilisation: config.scaler.targetUtilisation,
    minShards: config.stream.minShards,
    minParallelization: config.scaler.minParallelization,
    accepted: spike.summary.stats.accepted,
    throttled: spike.summary.stats.throttled,
  });
  const rows = stallRows(runMetrics.samples, PERIOD_S, config.stream.shardRecordsPerSecond).filter(
    (r) => r.arrived > 0 || r.processed > 0 || r.owed > 0,
  );
  // for `npm run bench -- scaling`, which reports the newest run's figures
  writeFileSync(
    join(c.runDir, SPIKE_GOALS_FILE),
    `${JSON.stringify({ profile: profile.name, loadAverage: loadavg(), goals: figures, samples: rows }, null, 2)}\n`,
  );
  const goals = [
    ...spikeGoalLines(figures),
    '',
    'every 5 s sample with records (time since the demo started): what it owed and processed',
    ...stallTable(rows, run.t0),
  ];
  out();
  out(`Spike goals (issue 14; machine load ${loadText()})`);
  for (const l of goals) out(`  ${l}`);
  return goals;
}

/** Prints what the run used (records, shard-hours, Lambda, DynamoDB, CloudWatch). */
export function usageStep(
  spike: SpikeResult,
  series: Record<string, Series>,
  runMetrics: RunMetrics,
  counts: CloudWatchCounts,
): string[] {
  const stats = spike.summary.stats;
  const samples = runMetrics.samples;
  const shardHours = samples.reduce((a, s) => a + (s.shards * PERIOD_S) / 3600, 0);
  const usage = [
    `records accepted ${stats.accepted.toLocaleString('en-US')} (${(stats.acceptedBytes / 1024 / 1024).toFixed(1)} MiB), throttled put attempts ${stats.throttled.toLocaleString('en-US')}`,
    `records processed (consumer metric) ${seriesSum(series.recordsProcessed).toLocaleString('en-US')}, rejected ${seriesSum(series.recordsRejected)}, late ${seriesSum(series.lateRecords)}, windows closed ${seriesSum(series.windowsClosed)}`,
    `shard-hours ${shardHours.toFixed(4)}, peak shards ${Math.max(...samples.map((s) => s.shards))}, peak parallelization ${Math.max(...samples.map((s) => s.parallelization ?? 1))}`,
    ...(runMetrics.lambda ?? []).map(
      (l) =>
        `${l.functionName}: ${l.invocations} invocations, ${(l.durationMs / 1000).toFixed(1)} s billed duration at ${l.memoryMb} MB`,
    ),
    `DynamoDB ${runMetrics.dynamodb?.writeRequestUnits.toFixed(0)} write units, ${runMetrics.dynamodb?.readRequestUnits.toFixed(0)} read units; CloudWatch ${counts.customMetrics} custom metrics, ${counts.dashboards} dashboard(s), ${counts.alarms} alarm(s)`,
  ];
  out();
  out('Usage');
  for (const l of usage) out(`  ${l}`);
  return usage;
}

/** Prices the run (cost.md, cost.svg); undefined when the analysis fails. */
export async function costStep(c: DemoContext): Promise<string | undefined> {
  try {
    const costText = (await writeCostReport(c.runDir, c.config)).text;
    out();
    out('Cost');
    out(costText);
    return costText;
  } catch (err) {
    out(`cost analysis unavailable: ${(err as Error).message}`);
    return undefined;
  }
}

/** Writes report.md and its charts, then prints the settle lines and where the report is. */
export function reportStep(
  c: DemoContext,
  r: {
    ended: Date;
    spike: SpikeResult;
    runMetrics: RunMetrics;
    series: Record<string, Series>;
    crashText: string;
    courseText: string;
    timeline: string[];
    goals: string[];
    usage: string[];
    cost?: string;
    settleLines: string[];
  },
): void {
  const { summary } = r.spike;
  const report = buildReport({
    title: `streamscale demo — profile ${c.profile.name}`,
    profileDescription: c.profile.description,
    startedAt: c.started,
    endedAt: r.ended,
    endpoint: c.endpoint,
    metrics: r.runMetrics,
    series: r.series,
    producerSummary: summaryLines(summary.stats, summary.durationMs, summary.abandoned),
    crashAlerts: r.crashText,
    courseTable: r.courseText,
    scalingTimeline: r.timeline,
    goals: [...r.goals, `machine load average (1, 5, 15 min) at the end: ${loadText()}`],
    usage: r.usage,
    cost: r.cost,
    settle: r.settleLines,
    files: { records: 'records.jsonl', metrics: METRICS_FILE },
  });
  for (const [file, text] of Object.entries(report)) writeFileSync(join(c.runDir, file), text);
  out();
  for (const l of r.settleLines) out(l);
  out(
    `report: ${join(c.runDir, 'report.md')} (charts, records.jsonl, metrics.json beside it; price it again with npm run cost -- --run ${c.runDir})`,
  );
}
