/**
 * Every command gives up in bounded time and says why (issue 10, defect 4):
 * pointed at an endpoint that accepts connections and never answers, or
 * one that drips its HTTP/1.1 answer, `query`, `spike`, `dashboard`,
 * `cost`, `deploy:local` and `npm start` each exit non-zero with one line
 * naming the endpoint. The client timeouts come from STREAMSCALE_CONFIG
 * (config.clients); each test's own bound derives from them and from the
 * command's attempts, never from wall-clock expectations. Before, `query`
 * waited more than 300 s, `spike` more than 200 s and `dashboard` more than
 * 120 s, silently.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPLOY_CLIENT } from '../../../localcloud/config';
import { stallingEndpoint, type StallKind } from '../../support/stalling-endpoints';

const ROOT = resolve(__dirname, '..', '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const CLIENTS = { connectTimeoutMs: 500, requestTimeoutMs: 2_000 };
/** Starting a command (tsx, the SDK) on a busy two-core machine: a bound, not an expectation. */
const STARTUP_MS = 60_000;

interface Command {
  script: string;
  args: string[];
  /** What bounds its wait: client attempts, or deploy:local's probe. */
  attempts: number;
  probe?: boolean;
  name: string;
}

const COMMANDS: Record<string, Command> = {
  query: { name: 'query', script: 'tools/query/cli.ts', args: ['crash-alerts'], attempts: 2 },
  spike: {
    name: 'spike',
    script: 'producer/spike-cli.ts',
    args: ['--baseline', '2', '--spike', '0', '--cooldown', '0', '--stream', 'nowhere'],
    attempts: 1,
  },
  dashboard: {
    name: 'dashboard',
    script: 'tools/dashboard/cli.ts',
    args: ['--port', '0'],
    attempts: 2,
  },
  cost: { name: 'npm run cost', script: 'tools/cost/cli.ts', args: ['--from', '15m'], attempts: 2 },
  'deploy:local': {
    name: 'deploy:local',
    script: 'localcloud/deploy/cli.ts',
    args: ['--no-synth'],
    attempts: 1,
    probe: true,
  },
  'npm start': {
    name: 'npm start',
    script: 'tools/demo/start.ts',
    args: ['--profile', 'short'],
    attempts: 1,
    probe: true,
  },
};

const boundOf = (c: Command) =>
  STARTUP_MS +
  2 *
    c.attempts *
    (c.probe ? DEPLOY_CLIENT.probeTimeoutMs : CLIENTS.connectTimeoutMs + CLIENTS.requestTimeoutMs);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let cwd: string;
beforeAll(() => {
  // npm start writes reports/ and reads .streamscale/ where it runs.
  cwd = mkdtempSync(join(tmpdir(), 'give-up-'));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function run(c: Command, endpoint: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    STREAMSCALE_CONFIG: JSON.stringify({ clients: CLIENTS }),
  };
  return new Promise((done) => {
    const child = spawn(TSX, [join(ROOT, c.script), ...c.args], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Past its bound the command is hung: kill it, and the exit code (null) fails the test.
    const timer = setTimeout(() => child.kill('SIGKILL'), boundOf(c));
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

function expectGaveUp(r: Run, c: Command, endpoint: string, reason: RegExp): void {
  const lines = r.stderr.trim().split('\n');
  expect(r.code, r.stderr).toBe(1);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toContain(`${c.name}: `);
  expect(lines[0]).toContain(endpoint);
  expect(lines[0]).toMatch(reason);
}

const NO_ANSWER = /no answer from \S+ within 2 s \(request timeout\)/;
const SILENT_PROBE = /accepted the connection but did not answer within 5 s/;
const HTTP2_BROKEN = /broke off the HTTP\/2 session/;

/** One command against one kind of stalling endpoint, bounded by the command's own limits. */
function givesUp(command: string, kind: StallKind, reason: RegExp): void {
  const c = COMMANDS[command]!;
  it(
    `${command} exits 1 with one line naming the endpoint`,
    { timeout: boundOf(c) * 2 },
    async () => {
      const endpoint = await stallingEndpoint(kind);
      try {
        expectGaveUp(await run(c, endpoint.url), c, endpoint.url, reason);
      } finally {
        await endpoint.close();
      }
    },
  );
}

// Each test is one spawned command waiting on its own endpoint's timeouts: they run side by side
// (vitest's maxConcurrency), which turns nine sequential waits into about two.
describe.concurrent('against an endpoint that accepts and never answers', () => {
  givesUp('query', 'silent', NO_ANSWER);
  givesUp('spike', 'silent', NO_ANSWER);
  givesUp('dashboard', 'silent', NO_ANSWER);
  givesUp('cost', 'silent', NO_ANSWER);
  givesUp('deploy:local', 'silent', SILENT_PROBE);
  givesUp('npm start', 'silent', SILENT_PROBE);
});

// Each client's deadline covers dripped headers and bodies (client-timeouts.test.ts);
// through a whole command, once each, and Kinesis's HTTP/2 against HTTP/1.1 bytes.
describe.concurrent('against an endpoint that drips its HTTP/1.1 headers', () => {
  givesUp('spike', 'slow-headers', HTTP2_BROKEN);
  givesUp('cost', 'slow-headers', NO_ANSWER);
});

describe.concurrent('against an endpoint that drips its HTTP/1.1 body', () => {
  givesUp('query', 'slow-body', NO_ANSWER);
});
