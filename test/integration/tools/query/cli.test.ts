/**
 * `npm run query` as a user runs it (tsx tools/query/cli.ts in a child
 * process): one-line messages for bad input, a missing cloud and missing
 * tables; a table and parseable JSON from dynalite.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoClient } from '../../../../functions/aws/clients';
import { applyCliDefaults } from '../../../../tools/cli-kit/aws-env';
import { resourceNames } from '../../../../functions/config';
import { FINAL_SK, GSI_FINAL, windowPk } from '../../../../functions/core/table-layout';
import { createTables, startDynalite } from '../../../support/dynalite';
import { COMMAND_BOUND_MS } from '../../../support/command-bound';

const T = Date.UTC(2026, 10, 23, 3, 14, 10);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function query(
  args: string[],
  endpoint: string,
  prefix = 'clitest',
  region: Record<string, string> = { AWS_REGION: 'us-east-1' },
): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    ...region,
    STREAMSCALE_PREFIX: prefix,
    NODE_NO_WARNINGS: '1',
  };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'tools/query/cli.ts', ...args],
      { env, timeout: COMMAND_BOUND_MS },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function deadEndpoint(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

let endpoint: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  applyCliDefaults();
  const dynalite = await startDynalite();
  endpoint = dynalite.endpoint;
  stop = dynalite.stop;
  await createTables(endpoint, 'clitest');
  const client = dynamoClient({ endpoint, region: 'us-east-1' });
  await client.send(
    new PutItemCommand({
      TableName: resourceNames('clitest').windowsTable,
      Item: marshall({
        pk: windowPk(T),
        sk: FINAL_SK,
        windowStart: T,
        windowEnd: T + 10_000,
        records: 5,
        included: ['P#shardId-000000000000#1'],
        closedAt: T + 71_000,
        watermark: T + 10_000,
        gsiPk: GSI_FINAL,
        gsiSk: T,
        courses: { 'CS-315': { events: 5, totalLoc: 210, cpuSum: 200, cpuMin: 10, cpuMax: 70 } },
        crashes: { user_1836: 4, user_7: 1 },
      }),
    }),
  );
  client.destroy();
});

afterAll(async () => stop?.());

const RANGE = ['--from', '2026-11-23T03:10:00Z', '--to', '2026-11-23T03:20:00Z'];

describe('npm run query', () => {
  it('prints the crash alerts table and parseable JSON', async () => {
    const table = await query(['crash-alerts', ...RANGE], endpoint);
    expect(table.code).toBe(0);
    expect(table.stdout).toBe(
      [
        'Interval (UTC)                   | user_id   | crash_count',
        '---------------------------------+-----------+------------',
        '2026-11-23 03:14:10 – 03:14:20   | user_1836 |           4',
        '',
      ].join('\n'),
    );
    const json = await query(['course-activity', ...RANGE, '--json'], endpoint);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      {
        query: 'course-activity',
        windowStart: '2026-11-23T03:14:10.000Z',
        windowEnd: '2026-11-23T03:14:20.000Z',
        group: 'CS-315',
        final: true,
        events: 5,
        total_loc: 210,
        avg_cpu: 40,
        max_cpu: 70,
      },
    ]);
  });

  it('explains an empty result', async () => {
    const r = await query(
      ['late', '--from', '2026-11-23T04:00:00Z', '--to', '2026-11-23T04:10:00Z'],
      endpoint,
    );
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(
      "no late records for windows between 2026-11-23 04:00:00 and 2026-11-23 04:10:00 UTC: every valid record made it into its window's final result.",
    );
  });

  it('honours AWS_DEFAULT_REGION when AWS_REGION is not set, as the AWS CLI does', async () => {
    const r = await query(['crash-alerts', ...RANGE], endpoint, 'clitest', {
      AWS_DEFAULT_REGION: 'eu-west-1',
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('user_1836');
  });

  it('answers bad input (exit 2), a missing cloud and missing tables (exit 1) with one line each', async () => {
    const unknown = await query(['crashes'], endpoint);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe(
      'query: unknown query "crashes": use one of course-activity, crash-alerts, late, rejects',
    );

    const dead = await deadEndpoint();
    const noCloud = await query(['crash-alerts'], dead);
    expect(noCloud.code).toBe(1);
    expect(noCloud.stderr.trim()).toBe(
      `query: no local cloud at ${dead} — start it with \`npm run local\` (or point AWS_ENDPOINT_URL at your cloud)`,
    );

    const noTables = await query(['crash-alerts'], endpoint, 'notdeployed');
    expect(noTables.code).toBe(1);
    expect(noTables.stderr.trim()).toBe(
      `query: table notdeployed-windows (or notdeployed-control) not found at ${endpoint} — deploy with \`npm run deploy:local\``,
    );
  });
});
