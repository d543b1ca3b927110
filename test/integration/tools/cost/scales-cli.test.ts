/**
 * `npm run cost -- --scales` end to end: the table, --json, the chart and
 * JSON written into the run directory, one-line errors for bad values.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMAND_BOUND_MS } from '../../../support/command-bound';

const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const cli = join(process.cwd(), 'tools', 'cost', 'cli.ts');
const dir = mkdtempSync(join(tmpdir(), 'cost-scales-'));
const run = (...args: string[]) =>
  spawnSync(tsx, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, STREAMSCALE_CONFIG: '' },
    timeout: COMMAND_BOUND_MS,
  });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run cost -- --scales', () => {
  it('prints the four fleets at each scale, the crossovers and the EMR check, and writes the chart into the run dir', () => {
    const r = run('--scales', '--run', dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/elastic\s+static\s+on-demand\s+emr-spark/);
    expect(r.stdout).toContain('seed peak');
    expect(r.stdout).toContain('Crossovers');
    expect(r.stdout).toContain('Lab check (EMR): 96 vs 36 instance-hours → 62.5 % saved');
    expect(existsSync(join(dir, 'cost-scales.svg'))).toBe(true);
    const json = JSON.parse(readFileSync(join(dir, 'cost-scales.json'), 'utf8')) as unknown[];
    expect(json).toHaveLength(5);
  });

  it('--json prints an array of { peakRate, lowRate, fleets: [{ fleet, total }] }', () => {
    const r = run('--scales', '--json', '--no-write', '--executor-rate', '800');
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as Array<{
      peakRate: number;
      lowRate: number;
      fleets: Array<{ fleet: string; total: number; executors?: number }>;
    }>;
    expect(json[0]!.peakRate).toBe(2_400);
    expect(json[0]!.fleets.map((f) => f.fleet)).toEqual([
      'elastic',
      'static',
      'on-demand',
      'emr-spark',
    ]);
    // The lab's own sizing (one executor per 800 records/s producer at 70 %): 5 executors for 2,400 records/s.
    expect(json[0]!.fleets[3]!.executors).toBe(5);
  });

  it('a bad value is one line, exit 2', () => {
    const r = run('--scales', '--executor-rate', 'fast', '--no-write');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--executor-rate must be a number');
  });
});
