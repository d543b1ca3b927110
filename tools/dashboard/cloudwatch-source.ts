/**
 * The dashboard server's only window on the cloud: ListDashboards,
 * GetDashboard and GetMetricData through the SDK, so the same page works on
 * the embedded cloud, LocalStack and AWS. Pages are followed.
 */
import {
  GetDashboardCommand,
  GetMetricDataCommand,
  ListDashboardsCommand,
  type CloudWatchClient,
  type MetricDataQuery as SdkQuery,
} from '@aws-sdk/client-cloudwatch';
import type { MetricDataQuery } from './metric-queries';
import type { SeriesResult } from './series-alignment';

export interface DashboardSummary {
  name: string;
  lastModified?: string;
  size?: number;
}

export interface MetricSource {
  listDashboards(): Promise<DashboardSummary[]>;
  getDashboardBody(name: string): Promise<string>;
  getMetricData(
    queries: MetricDataQuery[],
    startMs: number,
    endMs: number,
  ): Promise<{ results: SeriesResult[]; messages: string[] }>;
}

export function cloudWatchSource(client: CloudWatchClient): MetricSource {
  return {
    async listDashboards() {
      const out: DashboardSummary[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListDashboardsCommand({ NextToken: token }));
        for (const d of page.DashboardEntries ?? []) {
          if (d.DashboardName) {
            out.push({
              name: d.DashboardName,
              lastModified: d.LastModified?.toISOString(),
              size: d.Size,
            });
          }
        }
        token = page.NextToken;
      } while (token);
      return out.sort((a, b) => a.name.localeCompare(b.name));
    },

    async getDashboardBody(name) {
      const out = await client.send(new GetDashboardCommand({ DashboardName: name }));
      return out.DashboardBody ?? '{"widgets":[]}';
    },

    async getMetricData(queries, startMs, endMs) {
      const byId = new Map<string, SeriesResult>();
      const messages: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries as SdkQuery[],
            StartTime: new Date(startMs),
            EndTime: new Date(endMs),
            ScanBy: 'TimestampAscending',
            NextToken: token,
          }),
        );
        for (const r of page.MetricDataResults ?? []) {
          if (!r.Id) continue;
          const acc = byId.get(r.Id) ?? { id: r.Id, timestamps: [], values: [] };
          (r.Timestamps ?? []).forEach((t, i) => {
            acc.timestamps.push(t.getTime());
            acc.values.push(r.Values?.[i] ?? Number.NaN);
          });
          byId.set(r.Id, acc);
          for (const m of r.Messages ?? [])
            if (m.Value) messages.push(`${r.Label ?? r.Id}: ${m.Value}`);
        }
        for (const m of page.Messages ?? []) if (m.Value) messages.push(m.Value);
        token = page.NextToken;
      } while (token);
      return { results: [...byId.values()], messages };
    },
  };
}
