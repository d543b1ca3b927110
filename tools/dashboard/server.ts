/**
 * `npm run dashboard`'s server: a static page (tools/dashboard/public) plus a
 * small JSON API that reads CloudWatch through a MetricSource:
 *   GET /api/dashboards                          -> { dashboards: [{name, ...}], endpoint }
 *   GET /api/dashboards/<name>                   -> { name, widgets, periodOverride, start }
 *   GET /api/dashboards/<name>/data?start&end&period -> { widgets: WidgetData[] }
 * Binds to loopback only. Static files come from a fixed list (no paths from the URL).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeCloudError } from '../query/endpoint-errors';
import type { MetricSource } from './cloudwatch-source';
import { renderMarkdown } from './markdown';
import {
  alignSeries,
  DashboardBodyError,
  metricDataQueries,
  parseDashboardBody,
  periodFor,
  type MetricWidget,
  type PeriodChoice,
  type WidgetData,
} from './widgets';

export interface DashboardServerOptions {
  source: MetricSource;
  /** 0 picks a free port */
  port: number;
  host?: string;
  /** endpoint shown in messages (AWS_ENDPOINT_URL) */
  endpoint: string;
  /** widgets fetched at once per refresh */
  concurrency?: number;
}

export interface DashboardServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const uplotDist = dirname(createRequire(import.meta.url).resolve('uplot'));

const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: join(here, 'public', 'index.html'), type: 'text/html; charset=utf-8' },
  '/app.js': { file: join(here, 'public', 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: join(here, 'public', 'app.css'), type: 'text/css; charset=utf-8' },
  '/vendor/uPlot.iife.min.js': {
    file: join(uplotDist, 'uPlot.iife.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  '/vendor/uPlot.min.css': {
    file: join(uplotDist, 'uPlot.min.css'),
    type: 'text/css; charset=utf-8',
  },
};

/** Longest range the page may ask for (GetMetricData keeps 15 months, but the page is for recent runs). */
const MAX_RANGE_MS = 15 * 86_400_000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
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

export function startDashboardServer(opts: DashboardServerOptions): Promise<DashboardServer> {
  const { source, endpoint } = opts;
  const concurrency = opts.concurrency ?? 4;

  const cloudMessage = (err: unknown, resource: string) =>
    describeCloudError(err, { endpoint, resource }) ??
    (err instanceof Error ? err.message : String(err));

  async function loadDashboard(name: string) {
    let body: string;
    try {
      body = await source.getDashboardBody(name);
    } catch (err) {
      throw new HttpError(502, cloudMessage(err, `dashboard "${name}"`));
    }
    try {
      return parseDashboardBody(body);
    } catch (err) {
      if (err instanceof DashboardBodyError)
        throw new HttpError(422, `dashboard "${name}": ${err.message}`);
      throw err;
    }
  }

  async function widgetData(
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
      const { results, messages } = await source.getMetricData(queries, alignedStart, endMs);
      return alignSeries(w, results, period, messages);
    } catch (err) {
      return alignSeries(w, [], period, [cloudMessage(err, 'metrics')]);
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'only GET');
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const file = STATIC[url.pathname === '/index.html' ? '/' : url.pathname];
    if (file) {
      const content = await readFile(file.file);
      res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-cache' });
      res.end(content);
      return;
    }
    if (url.pathname === '/api/dashboards') {
      try {
        sendJson(res, 200, { dashboards: await source.listDashboards(), endpoint });
      } catch (err) {
        throw new HttpError(502, cloudMessage(err, 'dashboards'));
      }
      return;
    }
    const m = /^\/api\/dashboards\/([^/]+)(\/data)?$/.exec(url.pathname);
    if (m) {
      const name = decodeURIComponent(m[1]!);
      const dashboard = await loadDashboard(name);
      if (!m[2]) {
        const widgets = dashboard.widgets.map((w) =>
          w.type === 'text' ? { ...w, html: renderMarkdown(w.markdown) } : w,
        );
        sendJson(res, 200, {
          name,
          widgets,
          periodOverride: dashboard.periodOverride,
          start: dashboard.start,
        });
        return;
      }
      const endMs = Number(url.searchParams.get('end') ?? Date.now());
      const startMs = Number(url.searchParams.get('start') ?? endMs - 15 * 60_000);
      if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || startMs >= endMs) {
        throw new HttpError(400, 'start and end must be epoch milliseconds with start < end');
      }
      if (endMs - startMs > MAX_RANGE_MS)
        throw new HttpError(400, 'the time range may be at most 15 days');
      const choice = parsePeriodChoice(url.searchParams.get('period'));
      const metricWidgets = dashboard.widgets.filter((w): w is MetricWidget => w.type === 'metric');
      const widgets = await mapLimit(metricWidgets, concurrency, (w) =>
        widgetData(w, startMs, endMs, choice),
      );
      sendJson(res, 200, { start: startMs, end: endMs, widgets });
      return;
    }
    throw new HttpError(404, `no such page: ${url.pathname}`);
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof Error ? err.message : String(err);
      if (!res.headersSent) sendJson(res, status, { error: message });
      else res.end();
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://${opts.host ?? '127.0.0.1'}:${port}/`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
