/**
 * Every command answers --help and -h with its usage and the documented
 * exit codes, exit 0, doing nothing else (`npm run bench -- --help` used to
 * run every benchmark), and a wrong flag with one line and exit 2 — each
 * command's own main, in process.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main as bench } from '../../../bench/run';
import { main as deployLocalstack } from '../../../../localstack/deploy-localstack';
import { main as spike } from '../../../../producer/spike-cli';
import { runMain } from '../../../../tools/cli-kit/run-main';
import { main as cost } from '../../../../tools/cost/cli';
import { main as dashboard } from '../../../../tools/dashboard/cli';
import { main as start } from '../../../../tools/demo/start';
import { main as query } from '../../../../tools/query/cli';

const COMMANDS = { query, dashboard, cost, spike, start, bench, deployLocalstack };

let out = '';
beforeEach(() => {
  out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(console, 'log').mockImplementation(
    (...a: unknown[]) => void (out += `${a.join(' ')}\n`),
  );
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe.each(Object.entries(COMMANDS))('%s', (name, main) => {
  it.each(['--help', '-h'])(
    '%s prints the usage and the exit codes, and does nothing else',
    async (flag) => {
      expect(await main([flag])).toBe(0);
      expect(out).toMatch(/usage|npm run|npm start/);
      expect(out).toMatch(/Exit codes: 0 [^\n]*, 1 [^\n]*, 2 /);
      expect(out, `${name} ran something`).not.toMatch(/^== |synthesizing|started|deploying/m);
    },
  );

  it('a wrong flag is one line and exit 2', async () => {
    let err = '';
    const code = await runMain(main, {
      name,
      argv: ['--no-such-flag'],
      err: { write: (s: string) => (err += s) },
    });
    expect(code).toBe(2);
    expect(err).toMatch(new RegExp(`^${name}: unknown flag --no-such-flag; see .+ --help\\n$`));
  });
});
