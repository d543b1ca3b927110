/**
 * `npm run chaos [-- --runs N] [--seed S]`: N chaos runs (default 3), each
 * on a fresh cloud process with its own seeded fault schedule (run i uses
 * seed S + i; the seed is printed so a run can be replayed with
 * `--seed <it> --runs 1`). A line per run, then the totals: runs, faults
 * injected, records compared, mismatches. Exit 1 if any run mismatched or
 * failed. Not part of `npm test`: a run takes a minute or two.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { numberFlag, parseCommandLine } from '../../tools/cli-kit/command-line';
import { EXIT } from '../../tools/cli-kit/errors';
import { isEntry, runMain } from '../../tools/cli-kit/run-main';
import { synthesizedAssembly } from '../support/synth-cache';
import { CHAOS, chaosConfig, chaosRun, chaosStackConfig, type RunResult } from './chaos-run';
import { describeSchedule } from './schedule';

const USAGE = `usage: npm run chaos -- [--runs N] [--seed S]

Chaos runs against the deployed stack on the embedded cloud: cloud kill and
restart, DynamoDB outages and throttling, invocations failing mid-batch,
Kinesis throttling storms and poison records during a spike; each run's
results compared exactly with the offline recomputation.

  --runs N   runs (default 3)
  --seed S   seed of the first run (default 1); run i uses S + i
  --max-faults N  at most N faults a run (default ${CHAOS.faults.max}; 0: control runs, no faults)
  --logs DIR keep each run's record log and cloud log in DIR (default: a temporary
             directory, removed at the end)
  -h, --help this text`;

const out = (line = '') => process.stdout.write(`${line}\n`);

function runLine(i: number, r: RunResult): string {
  const extra =
    (r.schedule.killAtMs !== undefined
      ? `, ${r.acceptedBeforeKill} acknowledged before the kill`
      : '') +
    (r.unacknowledged > 0 ? `, ${r.unacknowledged} stored twice (answer lost, re-sent)` : '');
  return `run ${i + 1} seed ${r.seed}: ${describeSchedule(r.schedule)} — ${r.records} records${extra}, ${r.brokenCalls} of ${r.dynamoCalls} DynamoDB calls broken, ${r.settled ? `${r.mismatches} mismatches` : 'STALLED before settling'} (${(r.durationMs / 1000).toFixed(0)} s)`;
}

const byKind = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(
    {
      invocation: 'npm run chaos --',
      options: {
        runs: { type: 'string' },
        seed: { type: 'string' },
        'max-faults': { type: 'string' },
        logs: { type: 'string' },
      },
    },
    argv,
  );
  if (parsed.help) {
    out(USAGE);
    return EXIT.ok;
  }
  const runs = numberFlag('runs', parsed.values.runs, 3, { int: true, min: 1 });
  const seed = numberFlag('seed', parsed.values.seed, 1, { int: true, min: 0 });
  const maxFaults = numberFlag('max-faults', parsed.values['max-faults'], CHAOS.faults.max, {
    int: true,
    min: 0,
  });
  const config = chaosConfig();
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  process.env.AWS_REGION ??= 'us-east-1';
  out('synthesizing the stack (cached per config)…');
  const cdkOut = await synthesizedAssembly({
    STREAMSCALE_CONFIG: JSON.stringify(chaosStackConfig()),
  });
  const keep = parsed.values.logs;
  if (keep) mkdirSync(keep, { recursive: true });
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'chaos-'));
  const totals = { runs: 0, faults: 0, records: 0, mismatches: 0, unsettled: 0, failed: 0 };
  const kinds: Record<string, number> = {};
  const durations: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const runSeed = seed + i;
      try {
        const started = Date.now();
        const progress = (line: string) =>
          out(
            `  [run ${i + 1} ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`,
          );
        const r = await chaosRun({
          progress,
          maxFaults,
          seed: runSeed,
          config,
          cdkOut,
          logPath: join(dir, `run-${runSeed}.jsonl`),
          cloudLog: join(dir, `cloud-${runSeed}.log`),
        });
        out(runLine(i, r));
        for (const p of r.problems.slice(0, 40)) out(`  ${p}`);
        for (const [k, n] of Object.entries(r.struckByKind)) {
          kinds[k] = (kinds[k] ?? 0) + n;
          totals.faults += n;
        }
        durations.push(r.durationMs);
        if (r.settled) {
          totals.records += r.records;
          totals.mismatches += r.mismatches;
        } else totals.unsettled++;
      } catch (err) {
        totals.failed++;
        out(`run ${i + 1} seed ${runSeed}: failed: ${(err as Error).message.split('\n')[0]}`);
      }
      totals.runs++;
    }
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
  const secs = durations.map((d) => d / 1000).sort((a, b) => a - b);
  const perRun =
    secs.length === 0
      ? 'no run finished'
      : `per run ${secs[0]!.toFixed(0)}–${secs[secs.length - 1]!.toFixed(0)} s (median ${secs[Math.floor(secs.length / 2)]!.toFixed(0)} s)`;
  out(
    `chaos: ${totals.runs} runs, ${totals.faults} faults injected (${byKind(kinds)}), ${totals.records} records compared, ${totals.mismatches} mismatches; ${totals.unsettled} runs stalled before settling, ${totals.failed} failed; ${perRun}`,
  );
  const clean = totals.mismatches === 0 && totals.unsettled === 0 && totals.failed === 0;
  return clean ? EXIT.ok : EXIT.failure;
}

if (isEntry(import.meta.url)) {
  // Stopped by a signal: exit, which ends the run's cloud process too (chaos-cloud.ts).
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)
    process.once(signal, () => process.exit(code));
  void runMain(main, { name: 'chaos', exitWhenDone: true });
}
