/**
 * The demo's pure parts: SVG charts, metrics.json (read back by the cost
 * analysis' own parser), the scaling timeline, the report, the live block
 * and the --profile flag.
 */
import { describe, expect, it } from 'vitest';
import { visibleRows } from '../../../support/terminal';
import { usageFromMetricsFile } from '../../../../tools/cost/run-usage';
import { UsageError } from '../../../../tools/cli-kit/errors';
import { LiveBlock } from '../../../../tools/cli-kit/live-block';
import { parseDemoArgs } from '../../../../tools/demo/demo-args';
import { liveLines } from '../../../../tools/demo/live-view';
import { buildReport } from '../../../../tools/demo/run-report';
import { buildRunMetrics } from '../../../../tools/demo/run-metrics';
import { describeTimeline, timelineEvents } from '../../../../tools/demo/scaling-timeline';
import { lineChart, niceStep } from '../../../../tools/demo/svg-chart';

const T0 = 1_763_820_000_000;

describe('svg line chart', () => {
  it('draws one polyline per series, a legend, escaped labels, and steps', () => {
    const svg = lineChart(
      [
        {
          label: 'in <rec/s>',
          points: [
            [0, 0],
            [5, 800],
            [10, 3200],
          ],
        },
        {
          label: 'shards',
          points: [
            [0, 1],
            [5, 2],
          ],
          step: true,
        },
      ],
      { title: 'A & B', width: 400, height: 200 },
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('A &amp; B');
    expect(svg).toContain('in &lt;rec/s&gt;');
    const step = /<polyline[^>]*points="([^"]+)"/g;
    const lines = [...svg.matchAll(step)].map((m) => m[1]!.split(' '));
    expect(lines[0]).toHaveLength(3);
    expect(lines[1]).toHaveLength(3); // the step adds a corner
    // the highest point sits at the top of the plot area, the zero at the bottom
    const ys = lines[0]!.map((p) => Number(p.split(',')[1]));
    expect(ys[2]).toBeLessThan(ys[0]!);
  });

  it('handles empty and flat series, and picks nice ticks', () => {
    expect(lineChart([{ label: 'none', points: [] }], { title: 'empty' })).toContain('</svg>');
    expect(
      lineChart(
        [
          {
            label: 'flat',
            points: [
              [0, 0],
              [1, 0],
            ],
          },
        ],
        { title: 'flat' },
      ),
    ).toContain('<polyline');
    expect(niceStep(3200)).toBe(1000);
    expect(niceStep(7)).toBe(2);
    expect(niceStep(0)).toBe(1);
  });
});

describe('metrics.json', () => {
  const input = {
    prefix: 'streamscale',
    startMs: T0 + 1_000,
    endMs: T0 + 16_000,
    periodSeconds: 5,
    series: {
      incomingRecords: [
        [T0, 4000],
        [T0 + 5_000, 5000],
        [T0 + 10_000, 4900],
      ] as Array<[number, number]>,
      incomingBytes: [[T0, 1_200_000]] as Array<[number, number]>,
      throttledRecords: [[T0 + 5_000, 9000]] as Array<[number, number]>,
      recordsProcessed: [[T0 + 5_000, 4500]] as Array<[number, number]>,
      iteratorAgeMs: [[T0 + 10_000, 2500]] as Array<[number, number]>,
      consumerInvocations: [
        [T0, 3],
        [T0 + 5_000, 4],
      ] as Array<[number, number]>,
      consumerDurationMs: [[T0, 300]] as Array<[number, number]>,
      'ddbWrite:w': [
        [T0, 10],
        [T0 + 5_000, 5],
      ] as Array<[number, number]>,
    },
    states: [
      { t: T0 + 1_000, shards: 1, parallelization: 1 },
      { t: T0 + 7_000, shards: 2, parallelization: 3 },
    ],
    lambdaMemoryMb: { consumer: 512, closer: 256, scaler: 256 },
    functionNames: { consumer: 'c', closer: 'cl', scaler: 's' },
    tables: ['w'],
    customMetrics: 12,
    getMetricDataMetricsRequested: 40,
    dashboards: 1,
    alarms: 2,
  };

  it('has one sample per period with shards from the samples, and the cost analysis reads it', () => {
    const file = buildRunMetrics(input);
    expect(
      file.samples.map((s) => [
        s.t,
        s.shards,
        s.parallelization,
        s.incomingRecords,
        s.throttledRecords,
        s.iteratorAgeMs,
      ]),
    ).toEqual([
      [new Date(T0).toISOString(), 1, 1, 4000, 0, 0],
      [new Date(T0 + 5_000).toISOString(), 2, 3, 5000, 9000, 0],
      [new Date(T0 + 10_000).toISOString(), 2, 3, 4900, 0, 2500],
      [new Date(T0 + 15_000).toISOString(), 2, 3, 0, 0, 0],
    ]);
    expect(file.lambda?.[0]).toEqual({
      functionName: 'c',
      memoryMb: 512,
      invocations: 7,
      durationMs: 300,
    });
    expect(file.dynamodb).toEqual({ writeRequestUnits: 15, readRequestUnits: 0 });
    const usage = usageFromMetricsFile(JSON.parse(JSON.stringify(file)), 'metrics.json');
    expect(usage.samples).toHaveLength(4);
    expect(usage.samples[1]!.shards).toBe(2);
    expect(usage.cloudwatch.customMetrics).toBe(12);
  });

  it('goes into a report with three charts', () => {
    const metrics = buildRunMetrics(input);
    const r = buildReport({
      title: 'demo',
      profileDescription: 'a test',
      startedAt: new Date(T0),
      endedAt: new Date(T0 + 16_000),
      endpoint: 'http://127.0.0.1:4566',
      metrics,
      series: input.series,
      producerSummary: ['done'],
      crashAlerts: 'Interval | user_id | crash_count',
      courseTable: 'Interval | course | events',
      scalingTimeline: ['+5.0 s  shards 1 → 2'],
      usage: ['u'],
      settle: ['drained'],
      files: { records: 'records.jsonl', metrics: 'metrics.json' },
    });
    expect(r['report.md']).toContain('![input vs processed rate](rates.svg)');
    expect(r['report.md']).toContain('Interval | user_id | crash_count');
    expect(r['report.md']).toContain('+5.0 s  shards 1 → 2');
    expect(r['report.md']).not.toContain('## Cost');
    expect(r['rates.svg']).toContain('input (accepted) rec/s');
    expect(r['capacity.svg']).toContain('consumer lanes (shards × PF)');
    expect(r['iterator-age.svg']).toContain('<polyline');
  });
});

describe('scaling timeline', () => {
  it('lists shard and parallelization changes and decisions that change something, once each', () => {
    const decision = {
      at: T0 + 4_000,
      desiredShards: 4,
      actualShards: 1,
      desiredParallelization: 2,
      actualParallelization: 1,
      reason: 'input 3,200 rec/s > capacity',
    };
    const events = timelineEvents([
      { t: T0, shards: 1, parallelization: 1 },
      { t: T0 + 5_000, shards: 1, parallelization: 1, lastDecision: decision },
      { t: T0 + 7_000, shards: 2, parallelization: 2, lastDecision: decision },
      {
        t: T0 + 9_000,
        shards: 4,
        parallelization: 2,
        lastDecision: {
          ...decision,
          at: T0 + 9_000,
          desiredShards: 4,
          actualShards: 4,
          desiredParallelization: 2,
          actualParallelization: 2,
          reason: 'steady',
        },
      },
    ]);
    expect(describeTimeline(events, T0)).toEqual([
      '+  4.0 s  scaler: shards 1 → 4, parallelization 1 → 2 (input 3,200 rec/s > capacity)',
      '+  7.0 s  shards 1 → 2',
      '+  7.0 s  parallelization 1 → 2',
      '+  9.0 s  shards 2 → 4',
    ]);
  });
});

describe('scaling timeline, repeated decisions', () => {
  it('shows a decision the scaler repeats while it waits once, and shortens reasons when asked', () => {
    const d = (at: number, reason: string) => ({
      at,
      desiredShards: 4,
      actualShards: 5,
      desiredParallelization: 2,
      actualParallelization: 3,
      reason,
    });
    const events = timelineEvents([
      {
        t: T0 + 1_000,
        shards: 5,
        lastDecision: d(T0 + 1_000, 'hold: consumers behind, a long explanation'),
      },
      {
        t: T0 + 2_000,
        shards: 5,
        lastDecision: d(T0 + 2_000, 'hold: consumers behind, a long explanation'),
      },
      { t: T0 + 3_000, shards: 5, lastDecision: d(T0 + 3_000, 'hold: still behind') },
    ]);
    expect(describeTimeline(events, T0, 12)).toEqual([
      '+  1.0 s  scaler: shards 5 → 4, parallelization 3 → 2 (hold: consu…)',
    ]);
  });
});

describe('live block and flags', () => {
  it('shows rates, capacity, windows and the last decision', () => {
    const lines = liveLines(
      {
        elapsedS: 12,
        phase: 'spike',
        producers: 4,
        inputRate: 1000,
        processedRate: 900,
        throttledRate: 2200,
        sent: 9,
        accepted: 8,
        throttled: 1,
        retried: 1,
        shards: 2,
        parallelization: 3,
        concurrency: 6,
        iteratorAgeMs: 1500,
        windowsClosed: 3,
        alerts: 2,
        rejected: 1,
        late: 0,
        decisions: ['+4 s scale out'],
      },
      3200,
    );
    expect(lines.join('\n')).toMatch(
      /shards 2 {2}parallelization 3 {2}consumer concurrency 6 {2}iterator age 1.5 s/,
    );
    expect(lines.at(-1)).toContain('+4 s scale out');
  });

  it("fits the live block to an 80-column terminal (npm start's view)", () => {
    const lines = liveLines(
      {
        elapsedS: 123,
        phase: 'spike',
        producers: 4,
        inputRate: 3_200,
        processedRate: 3_100,
        throttledRate: 450,
        sent: 1_234_567,
        accepted: 1_200_000,
        throttled: 34_567,
        retried: 34_000,
        shards: 4,
        parallelization: 3,
        concurrency: 12,
        iteratorAgeMs: 1500,
        windowsClosed: 30,
        alerts: 12,
        rejected: 100,
        late: 3,
        decisions: ['+64 s scale out: shards 2→4, PF 1→3 (demand 3,200 rec/s, lanes needed 12)'],
      },
      4_000,
    );
    expect(Math.max(...lines.map((l) => [...l].length))).toBeGreaterThan(80); // the case that wrapped
    let text = '';
    const block = new LiveBlock({ isTTY: true, columns: 80, write: (s) => ((text += s), true) });
    block.draw(lines);
    block.draw(lines);
    const rows = visibleRows(text);
    expect(rows).toHaveLength(lines.length * 2);
    for (const row of rows) expect([...row].length).toBeLessThan(80);
  });

  it('takes --profile seed (default) or short, and says what is wrong otherwise', () => {
    expect(parseDemoArgs([]).profile.name).toBe('seed');
    expect(parseDemoArgs(['--profile', 'short']).profile.name).toBe('short');
    expect(() => parseDemoArgs(['--profile', 'long'])).toThrow(
      new UsageError('unknown profile "long": use --profile seed or --profile short'),
    );
    expect(() => parseDemoArgs(['--fast'])).toThrow(
      /^unknown flag --fast; see npm start -- --help$/,
    );
  });
});
