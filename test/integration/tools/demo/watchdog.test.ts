/**
 * The demo's stall watchdog: a process whose event loop is blocked is ended
 * with one line on stderr; a responsive one is left alone.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { COMMAND_BOUND_MS } from '../../../support/command-bound';

const run = (body: string) =>
  spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `import { startStallWatchdog } from './tools/demo/stall-watchdog.ts';\n${body}`,
    ],
    { encoding: 'utf8', timeout: COMMAND_BOUND_MS },
  );

describe('stall watchdog', () => {
  it('ends a process whose event loop is blocked, saying so', () => {
    const r = run(`startStallWatchdog({ stallMs: 1000, message: 'blocked for {s} s' });
setTimeout(() => { const t = Date.now(); while (Date.now() - t < 15000) {} console.log('survived'); }, 300);`);
    expect(r.signal).toBe('SIGKILL');
    expect(r.stderr).toMatch(/blocked for \d+ s/);
    expect(r.stdout).not.toContain('survived');
  });

  it('leaves a responsive process alone and lets it exit', () => {
    const r = run(`const w = startStallWatchdog({ stallMs: 1000, message: 'blocked' });
setTimeout(() => { w.stop(); console.log('done'); }, 2500);`);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('done');
    expect(r.stderr).not.toContain('blocked');
  });
});
