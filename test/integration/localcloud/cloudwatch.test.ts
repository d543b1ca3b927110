/**
 * CloudWatch through the edge: the SDK v3 client (AWS JSON 1.0) and the
 * query protocol the AWS CLI v1 sends (form-encoded, XML answers), on the
 * same in-process store; dashboards and alarm evaluation.
 */
import {
  DeleteDashboardsCommand,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListDashboardsCommand,
  ListMetricsCommand,
  PutDashboardCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  type CloudWatchClient,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudWatchClient } from '../../../functions/aws/clients';
import { startCoreCloud, type CoreCloud } from '../../../localcloud/core-cloud';

let cloud: CoreCloud;
let cw: CloudWatchClient;
const SIGNED =
  'AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=0';

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  cloud = await startCoreCloud({ port: 0, log: () => {} });
  cw = cloudWatchClient({ endpoint: cloud.endpoint, region: 'us-east-1', maxAttempts: 1 });
});
afterAll(async () => {
  cw?.destroy();
  await cloud?.stop();
});

async function queryProtocol(
  params: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const r = await fetch(cloud.endpoint + '/', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization: SIGNED,
    },
    body: new URLSearchParams({ Version: '2010-08-01', ...params }).toString(),
  });
  return { status: r.status, text: await r.text() };
}

const base = Math.floor(Date.now() / 60_000) * 60 - 300; // a whole minute, 5 minutes ago (seconds)
const at = (s: number) => new Date((base + s) * 1000);
const dims = [{ Name: 'Pipeline', Value: 'cw-test' }];

describe('cloudwatch through the edge', () => {
  it('PutMetricData (Value, Values/Counts, StatisticValues) and GetMetricData at 1 s periods, descending by default', async () => {
    await cw.send(
      new PutMetricDataCommand({
        Namespace: 'Test',
        MetricData: [
          {
            MetricName: 'Latency',
            Dimensions: dims,
            Timestamp: at(0),
            Value: 10,
            Unit: 'Milliseconds',
          },
          {
            MetricName: 'Latency',
            Dimensions: dims,
            Timestamp: at(0),
            Values: [20, 30],
            Counts: [1, 2],
            Unit: 'Milliseconds',
          },
          {
            MetricName: 'Latency',
            Dimensions: dims,
            Timestamp: at(1),
            StatisticValues: { SampleCount: 4, Sum: 400, Minimum: 50, Maximum: 150 },
          },
        ],
      }),
    );
    const q = (id: string, stat: string, period = 1) => ({
      Id: id,
      MetricStat: {
        Metric: { Namespace: 'Test', MetricName: 'Latency', Dimensions: dims },
        Period: period,
        Stat: stat,
      },
    });
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: at(0),
        EndTime: at(10),
        MetricDataQueries: [
          q('sum', 'Sum'),
          q('avg', 'Average'),
          q('max', 'Maximum'),
          q('n', 'SampleCount'),
          q('p50', 'p50'),
          q('min60', 'Minimum', 60),
        ],
      }),
    );
    const r = Object.fromEntries((out.MetricDataResults ?? []).map((x) => [x.Id, x]));
    expect(r.sum?.Timestamps).toEqual([at(1), at(0)]);
    expect(r.sum?.Values).toEqual([400, 90]);
    expect(r.avg?.Values).toEqual([100, 22.5]);
    expect(r.max?.Values).toEqual([150, 30]);
    expect(r.n?.Values).toEqual([4, 4]);
    expect(r.p50?.Values).toEqual([20]); // only the bucket with individual values has percentiles
    expect(r.min60?.Values).toEqual([10]);
    expect(r.sum?.StatusCode).toBe('Complete');

    const asc = await cw.send(
      new GetMetricDataCommand({
        StartTime: at(0),
        EndTime: at(10),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [q('sum', 'Sum')],
      }),
    );
    expect(asc.MetricDataResults?.[0]?.Values).toEqual([90, 400]);

    const stats = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: 'Test',
        MetricName: 'Latency',
        Dimensions: dims,
        StartTime: at(0),
        EndTime: at(60),
        Period: 60,
        Statistics: ['Sum', 'SampleCount'],
        ExtendedStatistics: ['p99'],
      }),
    );
    expect(stats.Datapoints).toHaveLength(1);
    expect(stats.Datapoints?.[0]).toMatchObject({
      Sum: 490,
      SampleCount: 8,
      Unit: 'Milliseconds',
      ExtendedStatistics: { p99: 30 },
    });

    const listed = await cw.send(new ListMetricsCommand({ Namespace: 'Test' }));
    expect(listed.Metrics).toEqual([
      { Namespace: 'Test', MetricName: 'Latency', Dimensions: dims },
    ]);

    // simple metric math over the MetricStat queries (hidden ones included)
    const math = await cw.send(
      new GetMetricDataCommand({
        StartTime: at(0),
        EndTime: at(10),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [
          { ...q('s', 'Sum'), ReturnData: false },
          { ...q('n', 'SampleCount'), ReturnData: false },
          { Id: 'avg', Expression: 's / n', Label: 'mean' },
          { Id: 'twice', Expression: '2 * (s + 0) - s + SUM([s, n]) - n' },
        ],
      }),
    );
    expect(math.MetricDataResults?.map((x) => [x.Id, x.Label, x.Values])).toEqual([
      ['avg', 'mean', [22.5, 100]],
      ['twice', 'twice', [180, 800]],
    ]);
    await expect(
      cw.send(
        new GetMetricDataCommand({
          StartTime: at(0),
          EndTime: at(10),
          MetricDataQueries: [{ Id: 'e', Expression: 'ANOMALY_DETECTION_BAND(m1)' }],
        }),
      ),
    ).rejects.toThrow(/does not support the metric math function ANOMALY_DETECTION_BAND/);
  });

  it('accepts the gzip-compressed PutMetricData the SDK sends for large bodies', async () => {
    const data = Array.from({ length: 200 }, (_, k) => ({
      MetricName: 'Big',
      Dimensions: [...dims, { Name: 'Part', Value: `part-with-a-long-name-${k % 10}` }],
      Timestamp: at(3),
      Value: 1,
    }));
    // 200 data of ~150 bytes is well over the SDK's 10 KiB compression threshold
    await cw.send(new PutMetricDataCommand({ Namespace: 'Gzip', MetricData: data }));
    const listed = await cw.send(new ListMetricsCommand({ Namespace: 'Gzip' }));
    expect(listed.Metrics).toHaveLength(10);
  });

  it('speaks the query protocol of the AWS CLI v1 on the same store', async () => {
    const put = await queryProtocol({
      Action: 'PutMetricData',
      Namespace: 'QueryNs',
      'MetricData.member.1.MetricName': 'Hits',
      'MetricData.member.1.Value': '7',
      'MetricData.member.1.Timestamp': at(2).toISOString(),
      'MetricData.member.1.Dimensions.member.1.Name': 'Pipeline',
      'MetricData.member.1.Dimensions.member.1.Value': 'cw-test',
    });
    expect(put.status).toBe(200);
    expect(put.text).toContain('<PutMetricDataResponse');
    // visible to the JSON client
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: at(0),
        EndTime: at(10),
        MetricDataQueries: [
          {
            Id: 'h',
            MetricStat: {
              Metric: { Namespace: 'QueryNs', MetricName: 'Hits', Dimensions: dims },
              Period: 1,
              Stat: 'Sum',
            },
          },
        ],
      }),
    );
    expect(out.MetricDataResults?.[0]?.Values).toEqual([7]);
    // and answered in XML
    const stats = await queryProtocol({
      Action: 'GetMetricStatistics',
      Namespace: 'QueryNs',
      MetricName: 'Hits',
      'Dimensions.member.1.Name': 'Pipeline',
      'Dimensions.member.1.Value': 'cw-test',
      StartTime: at(0).toISOString(),
      EndTime: at(60).toISOString(),
      Period: '60',
      'Statistics.member.1': 'Sum',
    });
    expect(stats.text).toMatch(
      /<GetMetricStatisticsResult><Label>Hits<\/Label><Datapoints><member><Timestamp>[^<]+<\/Timestamp><Sum>7<\/Sum>/,
    );
    const unknown = await queryProtocol({ Action: 'PutAnomalyDetector' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('<Code>InvalidAction</Code>');
    expect(unknown.text).toContain(
      'streamscale local cloud does not implement monitoring:PutAnomalyDetector',
    );
  });

  it('keeps dashboards', async () => {
    const body = JSON.stringify({
      widgets: [{ type: 'text', x: 0, y: 0, width: 6, height: 2, properties: { markdown: 'hi' } }],
    });
    await cw.send(new PutDashboardCommand({ DashboardName: 'dash-a', DashboardBody: body }));
    expect(
      (await cw.send(new GetDashboardCommand({ DashboardName: 'dash-a' }))).DashboardBody,
    ).toBe(body);
    expect(
      (
        await cw.send(new ListDashboardsCommand({ DashboardNamePrefix: 'dash' }))
      ).DashboardEntries?.map((d) => d.DashboardName),
    ).toEqual(['dash-a']);
    await expect(
      cw.send(new PutDashboardCommand({ DashboardName: 'bad', DashboardBody: '{' })),
    ).rejects.toMatchObject({ name: 'DashboardInvalidInputError' });
    await cw.send(new DeleteDashboardsCommand({ DashboardNames: ['dash-a'] }));
    await expect(
      cw.send(new GetDashboardCommand({ DashboardName: 'dash-a' })),
    ).rejects.toMatchObject({
      name: expect.stringMatching(
        /^(DashboardNotFoundError|ResourceNotFound)$/,
      ) as unknown as string,
    });
  });

  it('evaluates alarms from the store: INSUFFICIENT_DATA, ALARM, OK', async () => {
    const alarm = (name: string, metric: string, threshold: number) =>
      new PutMetricAlarmCommand({
        AlarmName: name,
        Namespace: 'AlarmNs',
        MetricName: metric,
        Dimensions: dims,
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 1,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    const now = Math.floor(Date.now() / 60_000) * 60;
    await cw.send(
      new PutMetricDataCommand({
        Namespace: 'AlarmNs',
        MetricData: [
          {
            MetricName: 'Age',
            Dimensions: dims,
            Value: 5000,
            Timestamp: new Date((now - 90) * 1000),
          },
        ],
      }),
    );
    await cw.send(alarm('high-age', 'Age', 1000));
    await cw.send(alarm('low-age', 'Age', 10_000));
    await cw.send(alarm('no-data', 'Nothing', 1));
    const out = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: '' }));
    const state = Object.fromEntries(
      (out.MetricAlarms ?? []).map((a) => [a.AlarmName, a.StateValue]),
    );
    expect(state).toEqual({ 'high-age': 'ALARM', 'low-age': 'OK', 'no-data': 'INSUFFICIENT_DATA' });
    const only = await cw.send(new DescribeAlarmsCommand({ StateValue: 'ALARM' }));
    expect(only.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['high-age']);
    expect(only.MetricAlarms?.[0]).toMatchObject({
      Threshold: 1000,
      EvaluationPeriods: 3,
      Statistic: 'Maximum',
      Namespace: 'AlarmNs',
    });
  });
});
