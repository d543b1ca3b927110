/**
 * The dashboard server's JSON API over a MetricSource:
 *   GET /api/dashboards                          -> { dashboards: [{name, ...}], endpoint }
 *   GET /api/dashboards/<name>                   -> { name, widgets, periodOverride, start }
 *   GET /api/dashboards/<name>/data?start&end&period -> { widgets: WidgetData[] }
 * A failure the page can show is an HttpError (status and one line).
 */
import type { ServerResponse } from 'node:http';
import { describeCloudError } from '../query/endpoint-errors';
import type { MetricSource } from './cloudwatch-source';
import { renderMarkdown } from './markdown';
import { metricDataQueries, periodFor, type PeriodChoice } from './metric-queries';
import { alignSeries, type WidgetData } from './series-alignment';
import { DashboardBodyError, parseDashboardBody, type MetricWidget } from './widgets';

/** Longest range the page may ask for (GetMetricData keeps 15 months, but the page is for recent runs). */
const MAX_RANGE_MS = 15 * 86_400_000;
/** The range when the page names none. */
const DEFAULT_RANGE_MS = 15 * 60_000;
/** Widgets fetched at once per refresh, unless the server is told otherwise. */
export const DEFAULT_CONCURRENCY = 4;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(text);
}

async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

export function parsePeriodChoice(text: string | null): PeriodChoice {
  if (text === null || text === '' || text === 'auto') return 'auto';
  if (text === 'inherit') return 'inherit';
  const n = Number(text);
  if (Number.isInteger(n) && ([1, 5, 10, 30].includes(n) || (n >= 60 && n % 60 === 0))) return n;
  throw new HttpError(
    400,
    `period must be auto, inherit, 1, 5, 10, 30 or a multiple of 60 (got ${text})`,
  );
}

export class DashboardApi {
  constructor(
    private readonly source: MetricSource,
    private readonly endpoint: string,
    private readonly concurrency = DEFAULT_CONCURRENCY,
  ) {}

  /** Answers an /api/ request; false when `url` is not one. */
  async handle(url: URL, res: ServerResponse): Promise<boolean> {
    if (url.pathname === '/api/dashboards') {
      try {
        sendJson(res, 200, {
          dashboards: await this.source.listDashboards(),
          endpoint: this.endpoint,
        });
      } catch (err) {
        throw new HttpError(502, this.cloudMessage(err, 'dashboards'));
      }
      return true;
    }
    const m = /^\/api\/dashboards\/([^/]+)(\/data)?$/.exec(url.pathname);
    if (!m) return false;
    const name = decodeURIComponent(m[1]!);
    if (m[2]) await this.data(name, url.searchParams, res);
    else await this.describe(name, res);
    return true;
  }

  private async describe(name: string, res: ServerResponse): Promise<void> {
    const dashboard = await this.loadDashboard(name);
    const widgets = dashboard.widgets.map((w) =>
      w.type === 'text' ? { ...w, html: renderMarkdown(w.markdown) } : w,
    );
    sendJson(res, 200, {
      name,
      widgets,
      periodOverride: dashboard.periodOverride,
      start: dashboard.start,
    });
  }

  private async data(name: string, query: URLSearchParams, res: ServerResponse): Promise<void> {
    const dashboard = await this.loadDashboard(name);
    const endMs = Number(query.get('end') ?? Date.now());
    const startMs = Number(query.get('start') ?? endMs - DEFAULT_RANGE_MS);
    if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || startMs >= endMs) {
      throw new HttpError(400, 'start and end must be epoch milliseconds with start < end');
    }
    if (endMs - startMs > MAX_RANGE_MS)
      throw new HttpError(400, 'the time range may be at most 15 days');
    const choice = parsePeriodChoice(query.get('period'));
    const metricWidgets = dashboard.widgets.filter((w): w is MetricWidget => w.type === 'metric');
    const widgets = await mapLimit(metricWidgets, this.concurrency, (w) =>
      this.widgetData(w, startMs, endMs, choice),
    );
    sendJson(res, 200, { start: startMs, end: endMs, widgets });
  }

  private cloudMessage(err: unknown, resource: string): string {
    return (
      describeCloudError(err, { endpoint: this.endpoint, resource }) ??
      (err instanceof Error ? err.message : String(err))
    );
  }

  private async loadDashboard(name: string) {
    let body: string;
    try {
      body = await this.source.getDashboardBody(name);
    } catch (err) {
      throw new HttpError(502, this.cloudMessage(err, `dashboard "${name}"`));
    }
    try {
      return parseDashboardBody(body);
    } catch (err) {
      if (err instanceof DashboardBodyError)
        throw new HttpError(422, `dashboard "${name}": ${err.message}`);
      throw err;
    }
  }

  private async widgetData(
    w: MetricWidget,
    startMs: number,
    endMs: number,
    choice: PeriodChoice,
  ): Promise<WidgetData> {
    const range = endMs - startMs;
    const queries = metricDataQueries(w, range, choice);
    const period = Math.min(...w.series.map((s) => periodFor(s, w, range, choice)));
    if (queries.length === 0) return alignSeries(w, [], period, ['this widget has no metrics']);
    // Align the start to the period so points fall on the same grid on every refresh.
    const alignedStart = Math.floor(startMs / (period * 1000)) * period * 1000;
    try {
      const { results, messages } = await this.source.getMetricData(queries, alignedStart, endMs);
      return alignSeries(w, results, period, messages);
    } catch (err) {
      return alignSeries(w, [], period, [this.cloudMessage(err, 'metrics')]);
    }
  }
}
