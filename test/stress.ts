/**
 * `npm run test:stress [-- --runs N]`: the whole suite N times in a row
 * (default 5) while another process keeps one core busy (`node -e
 * 'for(;;);'`), to show the tests pass on a loaded machine. Each run is
 * bounded (--timeout-min); its output goes to test-artifacts/stress/; a
 * line per run and a summary are printed; the busy process is stopped at
 * the end, whatever happens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { numberFlag, parseCommandLine } from '../tools/cli-kit/command-line';
import { EXIT, type ExitCode } from '../tools/cli-kit/errors';
import { isEntry, runMain } from '../tools/cli-kit/run-main';
import { PROJECT_ROOT } from './support/synth-cache';

export const STRESS_USAGE = `usage: npm run test:stress [-- --runs N] [--timeout-min M]

Runs the whole suite (vitest run) N times in a row while one core is kept busy by
another process, and prints each run's result and a summary.

  --runs N          runs (default 5)
  --timeout-min M   a run that takes longer is stopped and counts as failed (default 15)
  -h, --help        this text

Logs: test-artifacts/stress/run-<i>.log.
Exit codes: 0 every run passed, 1 a run failed, 2 a wrong command line.`;

export interface RunOutcome {
  passed: boolean;
  tests: string;
  failures: string[];
  wallMs: number;
  why?: string;
}

/** vitest's closing lines → what the run says (colours off). */
export function readOutcome(output: string, exitCode: number | null, wallMs: number): RunOutcome {
  const tests = /^\s*Tests\s+(.+)$/m.exec(output)?.[1]?.trim() ?? 'no test summary';
  const failures = [...output.matchAll(/^\s*FAIL\s+(.+)$/gm)].map((m) => m[1]!.trim());
  return { passed: exitCode === 0 && failures.length === 0, tests, failures, wallMs };
}

const minutes = (ms: number) =>
  `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL'); // vitest and its workers
  } catch {
    child.kill('SIGKILL');
  }
}

function runSuite(logPath: string, timeoutMs: number): Promise<RunOutcome> {
  const started = Date.now();
  const log = createWriteStream(logPath);
  const vitest = spawn(join(PROJECT_ROOT, 'node_modules', '.bin', 'vitest'), ['run'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so a timeout stops its workers too
  });
  let output = '';
  const collect = (d: Buffer) => {
    output += d.toString();
    log.write(d);
  };
  vitest.stdout!.on('data', collect);
  vitest.stderr!.on('data', collect);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(vitest);
  }, timeoutMs);
  return new Promise((resolve) => {
    vitest.on('close', (code) => {
      clearTimeout(timer);
      log.end();
      const outcome = readOutcome(output, code, Date.now() - started);
      if (timedOut)
        resolve({ ...outcome, passed: false, why: `stopped after ${minutes(timeoutMs)}` });
      else resolve(outcome);
    });
  });
}

export async function main(argv: string[]): Promise<ExitCode> {
  const parsed = parseCommandLine(
    {
      invocation: 'npm run test:stress --',
      options: { runs: { type: 'string' }, 'timeout-min': { type: 'string' } },
    },
    argv,
  );
  if (parsed.help) {
    process.stdout.write(`${STRESS_USAGE}\n`);
    return EXIT.ok;
  }
  const runs = numberFlag('runs', parsed.values.runs, 5, { int: true, min: 1, max: 50 });
  const timeoutMin = numberFlag('timeout-min', parsed.values['timeout-min'], 15, {
    min: 1,
    max: 120,
  });
  const dir = join(PROJECT_ROOT, 'test-artifacts', 'stress');
  mkdirSync(dir, { recursive: true });

  const busy = spawn(process.execPath, ['-e', 'for(;;);'], { stdio: 'ignore' });
  const stopBusy = () => {
    if (busy.exitCode === null) busy.kill('SIGKILL');
  };
  const onSignal = () => {
    stopBusy();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.stdout.write(
    `stress: ${runs} run(s) of the whole suite, one core kept busy by pid ${busy.pid}\n`,
  );
  const outcomes: RunOutcome[] = [];
  try {
    for (let i = 1; i <= runs; i++) {
      const logPath = join(dir, `run-${i}.log`);
      const o = await runSuite(logPath, timeoutMin * 60_000);
      outcomes.push(o);
      const detail = o.passed
        ? o.tests
        : `${o.why ? `${o.why}; ` : ''}${o.tests}${o.failures.length ? `; failed: ${o.failures.join(', ')}` : ''}`;
      process.stdout.write(
        `run ${i}/${runs}: ${o.passed ? 'passed' : 'FAILED'} in ${minutes(o.wallMs)} — ${detail} (log: ${logPath})\n`,
      );
    }
  } finally {
    stopBusy();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const passed = outcomes.filter((o) => o.passed).length;
  const walls = outcomes.map((o) => o.wallMs).sort((a, b) => a - b);
  process.stdout.write(
    `stress: ${passed} passed, ${runs - passed} failed (runs of the whole suite with one core busy; wall ${minutes(walls[0]!)} to ${minutes(walls.at(-1)!)})\n`,
  );
  return passed === runs ? EXIT.ok : EXIT.failure;
}

if (isEntry(import.meta.url)) void runMain(main, { name: 'test:stress' });
