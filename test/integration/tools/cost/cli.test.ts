/**
 * `npm run cost` end to end on a recorded run directory: table, --json,
 * cost.svg/cost.json written into the run dir, and one-line errors for bad
 * input (no stack traces).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMAND_BOUND_MS } from '../../../support/command-bound';

const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const cli = join(process.cwd(), 'tools', 'cost', 'cli.ts');
const dir = mkdtempSync(join(tmpdir(), 'cost-cli-'));
const run = (...args: string[]) =>
  spawnSync(tsx, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, STREAMSCALE_CONFIG: '' },
    timeout: COMMAND_BOUND_MS,
  });

const T0 = Date.UTC(2026, 10, 23, 3, 0, 0);
writeFileSync(
  join(dir, 'metrics.json'),
  JSON.stringify({
    version: 1,
    startedAt: new Date(T0).toISOString(),
    endedAt: new Date(T0 + 120_000).toISOString(),
    periodSeconds: 60,
    samples: [
      {
        t: T0,
        shards: 1,
        incomingRecords: 60_000,
        incomingBytes: 18_000_000,
        throttledRecords: 30_000,
      },
      { t: T0 + 60_000, shards: 2, incomingRecords: 90_000, incomingBytes: 27_000_000 },
    ],
  }),
);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run cost', () => {
  it('prints the three fleets and the EMR check, and writes cost.svg and cost.json into the run dir', () => {
    const r = run('--run', dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('This run');
    expect(r.stdout).toMatch(/elastic\s+static\s+on-demand/);
    expect(r.stdout).toContain('Lab check (EMR): 96 vs 36 instance-hours → 62.5 % saved');
    expect(existsSync(join(dir, 'cost.svg'))).toBe(true);
    const json = JSON.parse(readFileSync(join(dir, 'cost.json'), 'utf8')) as {
      run: Array<{ fleet: string }>;
    };
    expect(json.run.map((f) => f.fleet)).toEqual(['elastic', 'static', 'on-demand']);
  });

  it('--json prints the report as JSON', () => {
    const r = run('--run', dir, '--json', '--no-write');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { peakShards: number; emrCheck: { ok: boolean } };
    expect(report.peakShards).toBe(2);
    expect(report.emrCheck.ok).toBe(true);
  });

  it('bad input: one line that says how to fix it, exit 2', () => {
    const missing = run('--run', join(dir, 'nope'));
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/does not exist/);
    const flag = run('--bogus');
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/--help/);
    const empty = mkdtempSync(join(tmpdir(), 'cost-empty-'));
    const noFile = run('--run', empty);
    expect(noFile.status).toBe(2);
    expect(noFile.stderr).toMatch(/npm start/);
    rmSync(empty, { recursive: true, force: true });
  });
});
