/**
 * The deploy:local command line as a user meets it: with no local cloud at
 * the endpoint it says which endpoint and how to start one, in one line and
 * without a stack trace, before any slow synth; bad flags get a one-line
 * message too.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMAND_BOUND_MS } from '../../../support/command-bound';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

function deployCli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(TSX, [join(ROOT, 'localcloud/deploy/cli.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', ...env },
    timeout: COMMAND_BOUND_MS,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run deploy:local (command line)', () => {
  it('names the endpoint and how to start a cloud when nothing listens', async () => {
    const port = await closedPort();
    const r = deployCli([], { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    // One line (a cloud recorded in .streamscale/local-cloud.json elsewhere would be named after it).
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(
      `deploy:local: no local cloud at http://127.0.0.1:${port} — start it with \`npm run local\` (or set AWS_ENDPOINT_URL)`,
    );
    // Checked before synth: nothing was synthesized.
    expect(r.stdout).not.toMatch(/synthesizing/);
  });

  it('rejects an unknown flag in one line', () => {
    const r = deployCli(['--frobnicate']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/deploy:local: Unknown option '--frobnicate' \(see --help\)/);
  });
});
