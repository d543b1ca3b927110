/**
 * `npm start` stopped by SIGTERM mid-deploy (issue 10, defect 6): it stops
 * the synth it started, prints that it is stopping and exits 143 (the
 * shell's code for SIGTERM) instead of being killed mid-way or running the
 * deploy to its end. The synth is a cdk app that never ends (its cdk.json
 * in a scratch directory), so only the signal can end the run; the cloud
 * is a core cloud on a free port, named by AWS_ENDPOINT_URL.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCoreCloud, type CoreCloud } from '../../../../localcloud/core-cloud';

const ROOT = resolve(__dirname, '..', '..', '..', '..');
/** As package.json runs it: one node process with tsx as a loader. */
const NODE_TSX = [
  process.execPath,
  '--import',
  pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href,
];
/** Starting the command and the synth (tsx, npx, cdk) on a busy machine: a bound, not an expectation. */
const STARTUP_MS = 90_000;
/** After the signal: the synth is killed, the clients are destroyed; nothing waits on the network. */
const STOP_MS = 30_000;

let cloud: CoreCloud;
let cwd: string;

beforeAll(async () => {
  cloud = await startCoreCloud({ port: 0, log: () => {} });
  cwd = mkdtempSync(join(tmpdir(), 'start-signal-'));
  // A cdk app that never ends, and the project's cdk for npx to find.
  writeFileSync(
    join(cwd, 'cdk.json'),
    JSON.stringify({ app: `"${process.execPath}" -e "setInterval(() => {}, 60000)"` }),
  );
  symlinkSync(join(ROOT, 'node_modules'), join(cwd, 'node_modules'));
});
afterAll(async () => {
  await cloud?.stop();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

it(
  'SIGTERM during the deploy stops the synth and exits 143',
  { timeout: 2 * (STARTUP_MS + STOP_MS) },
  async () => {
    const child = spawn(
      NODE_TSX[0]!,
      [...NODE_TSX.slice(1), join(ROOT, 'tools', 'demo', 'start.ts'), '--profile', 'short'],
      {
        cwd,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AWS_ENDPOINT_URL: cloud.endpoint,
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_REGION: 'us-east-1',
        },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<number | null>((done) => child.on('close', done));
    const hung = setTimeout(() => child.kill('SIGKILL'), STARTUP_MS + STOP_MS);
    try {
      const deadline = Date.now() + STARTUP_MS;
      while (!stdout.includes('synthesizing: npx cdk synth')) {
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`no synth; stdout:\n${stdout}\nstderr:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(stdout).toContain(`using the endpoint ${cloud.endpoint}`);
      child.kill('SIGTERM');
      expect(await closed, `${stdout}\n${stderr}`).toBe(143);
      expect(stdout).toContain('SIGTERM: stopping the producers and shutting down');
      expect(stderr).toBe('');
    } finally {
      clearTimeout(hung);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  },
);
