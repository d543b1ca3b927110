import { describe, expect, it } from 'vitest';
import { autoPeriod, metricDataQueries } from '../../../../tools/dashboard/metric-queries';
import { alignSeries } from '../../../../tools/dashboard/series-alignment';
import {
  DashboardBodyError,
  expandMetricRows,
  parseDashboardBody,
  type MetricWidget,
} from '../../../../tools/dashboard/widgets';

describe('dashboard body parsing', () => {
  it('expands "." and "..." continuations of the compact metrics form', () => {
    const rows = expandMetricRows([
      ['Streamscale', 'IncomingRecords', 'Pipeline', 'streamscale', { stat: 'Sum' }],
      ['.', 'RecordsProcessed', '.', '.'],
      ['AWS/DynamoDB', 'ConsumedWriteCapacityUnits', 'TableName', 'streamscale-windows'],
      ['...', 'streamscale-control', { label: 'control' }],
    ]);
    expect(rows.map((r) => r.values)).toEqual([
      ['Streamscale', 'IncomingRecords', 'Pipeline', 'streamscale'],
      ['Streamscale', 'RecordsProcessed', 'Pipeline', 'streamscale'],
      ['AWS/DynamoDB', 'ConsumedWriteCapacityUnits', 'TableName', 'streamscale-windows'],
      ['AWS/DynamoDB', 'ConsumedWriteCapacityUnits', 'TableName', 'streamscale-control'],
    ]);
    expect(rows[0]!.options).toEqual({ stat: 'Sum' });
    expect(rows[3]!.options).toEqual({ label: 'control' });
    expect(() => expandMetricRows([['.', 'X']])).toThrow(DashboardBodyError);
    expect(() => expandMetricRows([['...', 'x']])).toThrow(/"\.\.\."/);
  });

  it('turns widgets into placed metric, text and other widgets', () => {
    const d = parseDashboardBody(
      JSON.stringify({
        periodOverride: 'inherit',
        widgets: [
          {
            type: 'text',
            x: 0,
            y: 0,
            width: 24,
            height: 2,
            properties: { markdown: '# Title', background: 'transparent' },
          },
          {
            type: 'metric',
            x: 0,
            y: 2,
            width: 12,
            height: 6,
            properties: {
              title: 'Rates',
              view: 'timeSeries',
              stacked: true,
              period: 60,
              stat: 'Sum',
              metrics: [
                [
                  'Streamscale',
                  'IncomingRecords',
                  'Pipeline',
                  'p',
                  { label: 'in', color: '#123456' },
                ],
                [
                  '.',
                  'ThrottledRecords',
                  '.',
                  '.',
                  { yAxis: 'right', stat: 'Maximum', period: 10 },
                ],
                [{ expression: 'm1 / PERIOD(m1)', label: 'in per second', id: 'rate' }],
                ['.', 'Hidden', '.', '.', { visible: false, id: 'h1' }],
              ],
              yAxis: { left: { label: 'records', min: 0 }, right: { label: 'throttled' } },
              annotations: {
                horizontal: [{ value: 1000, label: 'shard limit' }, { label: 'no value' }],
              },
              legend: { position: 'right' },
            },
          },
          { type: 'metric', properties: { view: 'singleValue', metrics: [['N', 'A']] } },
          {
            type: 'alarm',
            x: 0,
            y: 20,
            width: 6,
            height: 3,
            properties: {
              title: 'Alarms',
              alarms: ['arn:aws:cloudwatch:us-east-1:1:alarm:lag-high'],
            },
          },
        ],
      }),
    );
    expect(d.periodOverride).toBe('inherit');
    const [text, rates, single, alarm] = d.widgets;
    expect(text).toMatchObject({
      type: 'text',
      x: 0,
      y: 0,
      width: 24,
      height: 2,
      markdown: '# Title',
      transparent: true,
    });
    expect(rates).toMatchObject({
      type: 'metric',
      title: 'Rates',
      view: 'timeSeries',
      stacked: true,
      period: 60,
      legend: 'right',
      yAxis: { left: { label: 'records', min: 0 }, right: { label: 'throttled' } },
      annotations: [{ value: 1000, label: 'shard limit' }],
    });
    const series = (rates as MetricWidget).series;
    expect(series.map((s) => [s.kind, s.id, s.label, s.yAxis, s.visible, s.period])).toEqual([
      ['metric', 'm1', 'in', 'left', true, 60],
      ['metric', 'm2', 'ThrottledRecords', 'right', true, 10],
      ['expression', 'rate', 'in per second', 'left', true, 60],
      ['metric', 'h1', 'Hidden', 'left', false, 60],
    ]);
    expect(series[1]).toMatchObject({
      stat: 'Maximum',
      namespace: 'Streamscale',
      dimensions: [{ Name: 'Pipeline', Value: 'p' }],
    });
    expect(series[0]).toMatchObject({ stat: 'Sum', color: '#123456' });
    // A widget without x/y flows after the others' row; defaults: 6 x 6, 300 s, Average.
    expect(single).toMatchObject({
      type: 'metric',
      view: 'singleValue',
      width: 6,
      height: 6,
      period: 300,
    });
    expect((single as MetricWidget).series[0]).toMatchObject({ stat: 'Average', dimensions: [] });
    expect(alarm).toMatchObject({
      type: 'other',
      widgetType: 'alarm',
      note: 'alarm status: lag-high',
    });
  });

  it('adds dimension values to labels when one metric appears for several dimensions', () => {
    const d = parseDashboardBody({
      widgets: [
        {
          type: 'metric',
          x: 0,
          y: 0,
          properties: {
            metrics: [
              ['AWS/DynamoDB', 'C', 'TableName', 'a'],
              ['...', 'b'],
            ],
          },
        },
      ],
    });
    expect((d.widgets[0] as MetricWidget).series.map((s) => s.label)).toEqual(['C a', 'C b']);
  });

  it('flows widgets without positions left to right on the 24-column grid', () => {
    const d = parseDashboardBody({
      widgets: Array.from({ length: 5 }, () => ({
        type: 'text',
        width: 8,
        height: 3,
        properties: {},
      })),
    });
    expect(d.widgets.map((w) => [w.x, w.y])).toEqual([
      [0, 0],
      [8, 0],
      [16, 0],
      [0, 3],
      [8, 3],
    ]);
  });

  it('rejects bodies that are not dashboards with a clear message', () => {
    expect(() => parseDashboardBody('not json')).toThrow('the dashboard body is not valid JSON');
    expect(() => parseDashboardBody('{"widgets": 3}')).toThrow('no "widgets" array');
    expect(() =>
      parseDashboardBody({
        widgets: [{ type: 'metric', properties: { metrics: [['OnlyNamespace']] } }],
      }),
    ).toThrow(/widget 0: metrics\[0\] must be \[namespace, metricName/);
  });
});

describe('GetMetricData queries and alignment', () => {
  const widget = parseDashboardBody({
    widgets: [
      {
        type: 'metric',
        x: 0,
        y: 0,
        width: 12,
        height: 6,
        properties: {
          period: 60,
          stat: 'Sum',
          metrics: [
            ['S', 'A', 'Pipeline', 'p'],
            ['.', 'B', '.', '.', { period: 10 }],
            [{ expression: 'm1+m2', id: 'e1' }],
            ['.', 'C', '.', '.', { visible: false }],
          ],
        },
      },
    ],
  }).widgets[0] as MetricWidget;

  it('auto period keeps about 120 points; inherit uses each metric period', () => {
    expect(autoPeriod(5 * 60_000)).toBe(5);
    expect(autoPeriod(15 * 60_000)).toBe(10);
    expect(autoPeriod(60 * 60_000)).toBe(30);
    expect(autoPeriod(3 * 3_600_000)).toBe(300);
    const auto = metricDataQueries(widget, 5 * 60_000, 'auto');
    expect(auto.map((q) => q.MetricStat?.Period ?? q.Period)).toEqual([5, 5, 5, 5]);
    const inherit = metricDataQueries(widget, 5 * 60_000, 'inherit');
    expect(inherit.map((q) => q.MetricStat?.Period ?? q.Period)).toEqual([60, 10, 60, 60]);
    expect(inherit[0]).toEqual({
      Id: 'm1',
      Label: 'A',
      ReturnData: true,
      MetricStat: {
        Metric: { Namespace: 'S', MetricName: 'A', Dimensions: [{ Name: 'Pipeline', Value: 'p' }] },
        Period: 60,
        Stat: 'Sum',
      },
    });
    expect(inherit[2]).toMatchObject({ Id: 'e1', Expression: 'm1+m2', ReturnData: true });
    expect(inherit[3]).toMatchObject({ ReturnData: false });
  });

  it('puts visible series on one ascending time axis with nulls for gaps, and counts points', () => {
    const data = alignSeries(
      widget,
      [
        { id: 'm1', timestamps: [120_000, 60_000], values: [2, 1] },
        { id: 'm2', timestamps: [60_000, 180_000], values: [5, Number.NaN] },
        { id: 'm4', timestamps: [60_000], values: [9] },
      ],
      60,
    );
    expect(data.timestamps).toEqual([60, 120, 180]);
    expect(data.series.map((s) => [s.id, s.values, s.last, s.points])).toEqual([
      ['m1', [1, 2, null], 2, 2],
      ['m2', [5, null, null], 5, 1],
      ['e1', [null, null, null], null, 0],
    ]);
    expect(data.points).toBe(3);
    expect(data.series[0]!.color).toMatch(/^#/);
  });
});
