/**
 * The dashboard server's own behaviour: static files from a fixed list, the
 * API's input checks, and the message a user gets when no cloud is running
 * (a real SDK client against a loopback port nobody listens on).
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudWatchClient } from '../../../../functions/aws/clients';
import { applyCliDefaults } from '../../../../tools/cli-kit/aws-env';
import { cloudWatchSource } from '../../../../tools/dashboard/cloudwatch-source';
import { parsePeriodChoice } from '../../../../tools/dashboard/dashboard-api';
import { startDashboardServer, type DashboardServer } from '../../../../tools/dashboard/server';

async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('dashboard server', () => {
  let server: DashboardServer;
  let endpoint: string;

  beforeAll(async () => {
    applyCliDefaults(); // test credentials, as the CLI sets them
    endpoint = `http://127.0.0.1:${await deadPort()}`;
    const client = cloudWatchClient({ endpoint, region: 'us-east-1', maxAttempts: 1 });
    server = await startDashboardServer({ source: cloudWatchSource(client), port: 0, endpoint });
  });
  afterAll(async () => server.close());

  it('serves the page, its modules and uPlot from loopback', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(server.url);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<script type="module" src="/app.js">');
    for (const path of ['app.js', 'app.css', 'vendor/uPlot.iife.min.js', 'vendor/uPlot.min.css']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(200);
    }
    // Every module the page imports, followed from app.js, is served as JavaScript.
    const pending = ['app.js'];
    const served = new Set<string>();
    while (pending.length > 0) {
      const path = pending.pop()!;
      if (served.has(path)) continue;
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toContain('text/javascript');
      served.add(path);
      for (const m of (await res.text()).matchAll(/^import [^;]* from '\.\/([\w-]+\.js)';$/gm))
        pending.push(m[1]!);
    }
    expect(served.size).toBeGreaterThan(1);
    expect((await fetch(`${server.url}../../package.json`)).status).toBe(404);
    expect((await fetch(`${server.url}vendor/../server.ts`)).status).toBe(404);
  });

  it('says which endpoint is missing and how to start it', async () => {
    const res = await fetch(`${server.url}api/dashboards`);
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: string };
    expect(body.error).toBe(
      `no local cloud at ${endpoint} — start it with \`npm run local\` (or point AWS_ENDPOINT_URL at your cloud)`,
    );
  });

  it('checks the data request', async () => {
    const bad = await fetch(`${server.url}api/dashboards/x/data?start=10&end=5`);
    // the dashboard is read first, and that fails without a cloud; the period check is pure:
    expect(bad.status).toBe(502);
    expect(parsePeriodChoice(null)).toBe('auto');
    expect(parsePeriodChoice('inherit')).toBe('inherit');
    expect(parsePeriodChoice('10')).toBe(10);
    expect(parsePeriodChoice('120')).toBe(120);
    expect(() => parsePeriodChoice('7')).toThrow(
      /period must be auto, inherit, 1, 5, 10, 30 or a multiple of 60/,
    );
    expect((await fetch(`${server.url}nope`)).status).toBe(404);
  });
});
