/**
 * `npm run dashboard`'s server: a static page (tools/dashboard/public, plain
 * ES modules) plus the JSON API of dashboard-api.ts, which reads CloudWatch
 * through a MetricSource. Binds to loopback only. Static files come from a
 * fixed list (no paths from the URL).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MetricSource } from './cloudwatch-source';
import { DashboardApi, HttpError, sendJson } from './dashboard-api';

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

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
/** The page's modules: app.js and what it imports. */
const PAGE_MODULES = ['app.js', 'chart.js', 'format.js', 'grid.js', 'locale.js', 'page.js'];

const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: join(here, 'public', 'index.html'), type: 'text/html; charset=utf-8' },
  ...Object.fromEntries(
    PAGE_MODULES.map((name) => [`/${name}`, { file: join(here, 'public', name), type: JS }]),
  ),
  '/app.css': { file: join(here, 'public', 'app.css'), type: CSS },
  '/vendor/uPlot.iife.min.js': { file: join(uplotDist, 'uPlot.iife.min.js'), type: JS },
  '/vendor/uPlot.min.css': { file: join(uplotDist, 'uPlot.min.css'), type: CSS },
};

async function serveStatic(url: URL, res: ServerResponse): Promise<boolean> {
  if (url.pathname === '/favicon.ico') {
    res.writeHead(204).end();
    return true;
  }
  const file = STATIC[url.pathname === '/index.html' ? '/' : url.pathname];
  if (!file) return false;
  const content = await readFile(file.file);
  res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-cache' });
  res.end(content);
  return true;
}

export function startDashboardServer(opts: DashboardServerOptions): Promise<DashboardServer> {
  const api = new DashboardApi(opts.source, opts.endpoint, opts.concurrency);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'only GET');
    if (await serveStatic(url, res)) return;
    if (await api.handle(url, res)) return;
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
