/**
 * The demo's `reports/<timestamp>/report.md` and its SVG charts (pure: the
 * caller writes the files). Charts: input vs processed rate, shards /
 * parallelization / concurrency, iterator age.
 */
import type { RunMetricsFile } from '../cost/run-usage';
import type { Series } from './pipeline-observer';
import { lineChart } from './svg-chart';

export interface ReportInput {
  title: string;
  profileDescription: string;
  startedAt: Date;
  endedAt: Date;
  endpoint: string;
  metrics: RunMetricsFile;
  series: Record<string, Series>;
  /** text blocks, already formatted */
  producerSummary: string[];
  crashAlerts: string;
  courseTable: string;
  scalingTimeline: string[];
  /** issue 14's spike goals, one line each with its figure */
  goals?: string[];
  usage: string[];
  cost?: string;
  settle: string[];
  files: { records: string; metrics: string };
}

export interface ReportFiles {
  'report.md': string;
  'rates.svg': string;
  'capacity.svg': string;
  'iterator-age.svg': string;
}

const rel = (t: number, t0: number) => Math.round((t - t0) / 100) / 10;

export function buildReport(i: ReportInput): ReportFiles {
  return { 'report.md': reportMarkdown(i), ...reportCharts(i) };
}

/** The three SVG charts, over seconds since the run started. */
function reportCharts(i: ReportInput): Omit<ReportFiles, 'report.md'> {
  const t0 = i.startedAt.getTime();
  const p = i.metrics.periodSeconds;
  const samples = i.metrics.samples.map((s) => ({
    ...s,
    t: typeof s.t === 'number' ? s.t : Date.parse(s.t),
  }));
  const perS = (f: (s: (typeof samples)[number]) => number | undefined) =>
    samples.map((s): [number, number] => [rel(s.t, t0), (f(s) ?? 0) / p]);
  const rates = lineChart(
    [
      { label: 'input (accepted) rec/s', points: perS((s) => s.incomingRecords) },
      { label: 'processed rec/s', points: perS((s) => s.recordsProcessed) },
      { label: 'throttled put attempts/s', points: perS((s) => s.throttledRecords) },
    ],
    { title: 'Input vs processed rate', xLabel: 'seconds since start', yLabel: 'records/s' },
  );
  const concurrency = (i.series.consumerConcurrentExecutions ?? []).map(
    ([t, v]): [number, number] => [rel(t, t0), v],
  );
  const capacity = lineChart(
    [
      {
        label: 'shards',
        points: samples.map((s): [number, number] => [rel(s.t, t0), s.shards]),
        step: true,
      },
      {
        label: 'parallelization factor',
        points: samples.map((s): [number, number] => [rel(s.t, t0), s.parallelization ?? 1]),
        step: true,
      },
      {
        label:
          concurrency.length > 0
            ? 'consumer concurrent executions'
            : 'consumer lanes (shards × PF)',
        points:
          concurrency.length > 0
            ? concurrency
            : samples.map((s): [number, number] => [
                rel(s.t, t0),
                s.shards * (s.parallelization ?? 1),
              ]),
        step: true,
      },
    ],
    { title: 'Shards and consumer concurrency', xLabel: 'seconds since start', yLabel: 'count' },
  );
  const age = lineChart(
    [
      {
        label: 'iterator age (s)',
        points: samples.map((s): [number, number] => [rel(s.t, t0), (s.iteratorAgeMs ?? 0) / 1000]),
      },
    ],
    {
      title: 'Consumer iterator age',
      xLabel: 'seconds since start',
      yLabel: 'seconds',
    },
  );
  return { 'rates.svg': rates, 'capacity.svg': capacity, 'iterator-age.svg': age };
}

function reportMarkdown(i: ReportInput): string {
  const code = (s: string) => ['```', s.trimEnd(), '```'].join('\n');
  return [
    `# ${i.title}`,
    '',
    `${i.profileDescription}.`,
    '',
    `Run ${i.startedAt.toISOString()} → ${i.endedAt.toISOString()} on ${i.endpoint}.`,
    '',
    '## Producers',
    '',
    code(i.producerSummary.join('\n')),
    '',
    '## Rates',
    '',
    '![input vs processed rate](rates.svg)',
    '',
    '## Capacity',
    '',
    '![shards and concurrency](capacity.svg)',
    '',
    '![iterator age](iterator-age.svg)',
    '',
    '## Scaling timeline',
    '',
    code(
      i.scalingTimeline.length > 0 ? i.scalingTimeline.join('\n') : 'no scaling change observed',
    ),
    '',
    ...(i.goals ? ['## Spike goals', '', code(i.goals.join('\n')), ''] : []),
    '## Crash alerts (crash_count > threshold per window)',
    '',
    code(i.crashAlerts),
    '',
    '## Course activity',
    '',
    code(i.courseTable),
    '',
    '## Drain and close',
    '',
    code(i.settle.join('\n')),
    '',
    '## Usage',
    '',
    code(i.usage.join('\n')),
    '',
    ...(i.cost ? ['## Cost', '', code(i.cost), '', '![cost](cost.svg)', ''] : []),
    '## Files',
    '',
    `- \`${i.files.records}\`: every record Kinesis accepted (\`{"shardId","sequenceNumber","partitionKey","data"}\` per line)`,
    `- \`${i.files.metrics}\`: the run's time series (\`npm run cost -- --run <this directory>\` prices it)`,
    '',
  ].join('\n');
}
