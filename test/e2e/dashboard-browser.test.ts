/**
 * The dashboard in a real browser: the embedded cloud's CloudWatch holds the
 * stack's own dashboard (synthesized from infra/dashboard.ts, the construct
 * the stack uses) and a few minutes of metric data for every metric it
 * shows; `npm run dashboard`'s server reads them through the SDK; Chromium
 * (driven by playwright-core) opens the page, picks the dashboard,
 * and every metric widget must show data points and the text widget its
 * markdown. The screenshot is kept in test-artifacts/dashboard.png.
 * The browser comes from npm (test/support/browser.ts); if none can start,
 * the test fails with one line saying why.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  PutDashboardCommand,
  PutMetricDataCommand,
  type CloudWatchClient,
  type MetricDatum,
} from '@aws-sdk/client-cloudwatch';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudWatchClient } from '../../functions/aws/clients';
import { applyCliDefaults } from '../../tools/cli-kit/aws-env';
import { DEFAULT_CONFIG, resourceNames } from '../../functions/config';
import { PipelineDashboard } from '../../infra/dashboard';
import { startCoreCloud, type CoreCloud } from '../../localcloud/core-cloud';
import { cloudWatchSource } from '../../tools/dashboard/cloudwatch-source';
import { startDashboardServer, type DashboardServer } from '../../tools/dashboard/server';
import { parseDashboardBody, type MetricSeriesSpec } from '../../tools/dashboard/widgets';
import { launchChromium, type LaunchedBrowser } from '../support/browser';

const ARTIFACT_DIR = join(process.cwd(), 'test-artifacts');
const REGION = 'us-east-1';

/** The dashboard body as CloudFormation gets it, with the pseudo parameters a deploy would fill in. */
function stackDashboardBody(): string {
  const app = new App();
  const stack = new Stack(app, 'DashboardOnly');
  new PipelineDashboard(stack, 'Dashboard', { config: DEFAULT_CONFIG });
  const template = app.synth().getStackByName('DashboardOnly').template as {
    Resources: Record<string, { Type: string; Properties: { DashboardBody: unknown } }>;
  };
  const resource = Object.values(template.Resources).find(
    (r) => r.Type === 'AWS::CloudWatch::Dashboard',
  );
  if (!resource) throw new Error('infra/dashboard.ts synthesized no AWS::CloudWatch::Dashboard');
  const pseudo: Record<string, string> = {
    'AWS::Region': REGION,
    'AWS::AccountId': '000000000000',
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const resolve = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as Record<string, unknown>;
    if (typeof o.Ref === 'string' && o.Ref in pseudo) return pseudo[o.Ref]!;
    const join = o['Fn::Join'] as [string, unknown[]] | undefined;
    if (join) return join[1].map(resolve).join(join[0]);
    throw new Error(`dashboard body holds a token this test cannot resolve: ${JSON.stringify(v)}`);
  };
  return resolve(resource.Properties.DashboardBody);
}

/**
 * A few minutes of points (every 10 s) for every metric the dashboard shows:
 * the pipeline's own through PutMetricData, as producers and functions send
 * them; AWS/* ones (a reserved namespace) through the cloud's metric sink, as
 * its service planes publish them.
 */
async function putMetricData(
  client: CloudWatchClient,
  cloud: CoreCloud,
  metrics: MetricSeriesSpec[],
  nowMs: number,
): Promise<void> {
  const unique = new Map(
    metrics.map((m) => [`${m.namespace}|${m.metricName}|${JSON.stringify(m.dimensions)}`, m]),
  );
  const data: Array<{ namespace: string; datum: MetricDatum }> = [];
  [...unique.values()].forEach((m, k) => {
    for (let i = 0; i < 30; i++) {
      data.push({
        namespace: m.namespace,
        datum: {
          MetricName: m.metricName,
          Dimensions: m.dimensions,
          Timestamp: new Date(nowMs - (30 - i) * 10_000),
          Value: Math.round(50 + 40 * Math.sin(i / 4 + k) + k * 5),
          Unit: 'Count',
          StorageResolution: 1,
        },
      });
    }
  });
  const byNamespace = new Map<string, MetricDatum[]>();
  for (const d of data) {
    if (d.namespace.startsWith('AWS/')) {
      cloud.ctx.metrics.putMetric({
        namespace: d.namespace,
        name: d.datum.MetricName!,
        dimensions: Object.fromEntries((d.datum.Dimensions ?? []).map((x) => [x.Name!, x.Value!])),
        value: d.datum.Value!,
        unit: 'Count',
        timestamp: d.datum.Timestamp!,
      });
    } else {
      byNamespace.set(d.namespace, [...(byNamespace.get(d.namespace) ?? []), d.datum]);
    }
  }
  for (const [namespace, datums] of byNamespace) {
    // Small calls: the SDK gzips PutMetricData bodies over 10 KB, which not every emulator reads.
    for (let i = 0; i < datums.length; i += 20) {
      await client.send(
        new PutMetricDataCommand({ Namespace: namespace, MetricData: datums.slice(i, i + 20) }),
      );
    }
  }
}

describe('dashboard page in Chromium', () => {
  let cloud: CoreCloud | undefined;
  let server: DashboardServer | undefined;
  let browser: LaunchedBrowser | undefined;
  let body: string;

  beforeAll(async () => {
    // First, so a missing browser is reported before anything else is started.
    // Under the C locale Chromium reports "en-US@posix", which Intl rejects: the page must cope.
    browser = await launchChromium({ viewport: { width: 1440, height: 900 }, systemLocale: 'C' });
    applyCliDefaults(); // test credentials, as the tools set them
    body = stackDashboardBody();
    cloud = await startCoreCloud({ port: 0, log: () => {} });
    const client = cloudWatchClient({ endpoint: cloud.endpoint, region: REGION });
    const dashboardName = resourceNames(DEFAULT_CONFIG.prefix).dashboard;
    await client.send(
      new PutDashboardCommand({ DashboardName: dashboardName, DashboardBody: body }),
    );
    await client.send(
      new PutDashboardCommand({
        DashboardName: 'another-dashboard',
        DashboardBody: JSON.stringify({
          widgets: [
            {
              type: 'text',
              x: 0,
              y: 0,
              width: 24,
              height: 2,
              properties: { markdown: '## another one' },
            },
          ],
        }),
      }),
    );
    const metrics = parseDashboardBody(body).widgets.flatMap((w) =>
      w.type === 'metric' ? w.series.filter((s): s is MetricSeriesSpec => s.kind === 'metric') : [],
    );
    await putMetricData(client, cloud, metrics, Date.now());
    server = await startDashboardServer({
      source: cloudWatchSource(client),
      port: 0,
      endpoint: cloud.endpoint,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await cloud?.stop();
  });

  it('renders every widget of the stack dashboard with data', async () => {
    const page = await browser!.context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // Start on the other dashboard, then pick the stack's one in the picker, as a user would.
    await page.goto(`${server!.url}?dashboard=another-dashboard&range=15`);
    await page.waitForSelector('.text-body h2');
    const options = await page.$$eval('#dashboard option', (els) =>
      els.map((e) => (e as HTMLOptionElement).value),
    );
    expect(options).toEqual(['another-dashboard', 'streamscale']);
    await page.selectOption('#dashboard', 'streamscale');
    await page.waitForFunction(
      () =>
        document.querySelector('[data-type="text"] h1') !== null &&
        document.querySelectorAll('[data-type^="metric"]').length > 0 &&
        [...document.querySelectorAll('[data-type^="metric"]')].every(
          (e) => (e as HTMLElement).dataset.state !== 'loading',
        ),
      undefined,
      { timeout: 20_000 },
    );

    const widgets = await page.$$eval('[data-type^="metric"]', (els) =>
      els.map((e) => ({
        title: e.querySelector('h2')?.textContent ?? '',
        type: (e as HTMLElement).dataset.type,
        state: (e as HTMLElement).dataset.state,
        points: Number((e as HTMLElement).dataset.points ?? '0'),
        canvases: e.querySelectorAll('canvas').length,
        singles: e.querySelectorAll('.single .value').length,
      })),
    );
    const expected = parseDashboardBody(body).widgets.filter((w) => w.type === 'metric');
    expect(widgets.map((w) => w.title)).toEqual(expected.map((w) => w.title));
    for (const w of widgets) {
      expect(w, `widget "${w.title}"`).toMatchObject({ state: 'loaded' });
      expect(w.points, `data points of "${w.title}"`).toBeGreaterThan(0);
      if (w.type === 'metric-timeSeries')
        expect(w.canvases, `chart of "${w.title}"`).toBeGreaterThan(0);
      else expect(w.singles, `values of "${w.title}"`).toBeGreaterThan(0);
    }
    const heading = await page.textContent('[data-type="text"] h1');
    expect(heading).toBe('streamscale pipeline streamscale');
    expect(await page.$$eval('[data-type="text"] code', (els) => els.length)).toBeGreaterThan(0);

    // A shorter range refetches (the page tags each completed refresh).
    const before = Number(await page.getAttribute('body', 'data-generation'));
    await page.click('[data-range="5"]');
    await page.waitForFunction((g) => Number(document.body.dataset.generation) > g, before, {
      timeout: 10_000,
    });
    expect(page.url()).toContain('range=5');

    mkdirSync(ARTIFACT_DIR, { recursive: true });
    await page.screenshot({ path: join(ARTIFACT_DIR, 'dashboard.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
    // The premise held: this browser's own locale is one Intl rejects, and the page fell back.
    const blank = await browser!.context.newPage();
    expect(await blank.evaluate('navigator.language')).toBe('en-US@posix');
    expect(await page.evaluate('navigator.language')).toBe('en-US');
  });
});
