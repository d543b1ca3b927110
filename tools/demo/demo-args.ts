/**
 * `npm start` flags (pure): `--profile seed|short`, `--help`.
 */
import { parseCommandLine } from '../cli-kit/command-line';
import { UsageError } from '../cli-kit/errors';
import { PROFILE_NAMES, PROFILES, type DemoProfile } from './profiles';

export const DEMO_USAGE = `usage: npm start [-- --profile ${PROFILE_NAMES.join('|')}]

Starts the embedded local cloud (unless one is running), deploys the stack,
runs a spike of producers, shows the pipeline live, then prints the crash
alerts, the course table, the scaling timeline, usage and cost, and writes
reports/<timestamp>/report.md. Ctrl-C stops cleanly.

${PROFILE_NAMES.map((n) => `  --profile ${n.padEnd(6)} ${PROFILES[n]!.description}`).join('\n')}
  -h, --help       this text

Exit codes: 0 done, 1 the demo failed (its log says why), 2 a wrong command line,
130 stopped with Ctrl-C.`;

export function parseDemoArgs(argv: string[]): { help: boolean; profile: DemoProfile } {
  const parsed = parseCommandLine(
    { invocation: 'npm start --', options: { profile: { type: 'string', short: 'p' } } },
    argv,
  );
  if (parsed.help) return { help: true, profile: PROFILES.seed! };
  const values = parsed.values;
  const name = values.profile ?? 'seed';
  const profile = PROFILES[name];
  if (!profile)
    throw new UsageError(
      `unknown profile "${name}": use --profile ${PROFILE_NAMES.join(' or --profile ')}`,
    );
  return { help: false, profile };
}
