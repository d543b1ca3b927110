/**
 * `npm start` flags (pure): `--profile seed|short`, `--help`.
 */
import { parseArgs } from 'node:util';
import { PROFILE_NAMES, PROFILES, type DemoProfile } from './profiles';

export class DemoArgsError extends Error {}

export const DEMO_USAGE = `usage: npm start [-- --profile ${PROFILE_NAMES.join('|')}]

Starts the embedded local cloud (unless one is running), deploys the stack,
runs a spike of producers, shows the pipeline live, then prints the crash
alerts, the course table, the scaling timeline, usage and cost, and writes
reports/<timestamp>/report.md. Ctrl-C stops cleanly.

${PROFILE_NAMES.map((n) => `  --profile ${n.padEnd(6)} ${PROFILES[n]!.description}`).join('\n')}
  --help           this text`;

export function parseDemoArgs(argv: string[]): { help: boolean; profile: DemoProfile } {
  let values: { profile?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { profile: { type: 'string', short: 'p' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    const flag = /'(-{1,2}[^' ]+)/.exec((err as Error).message)?.[1];
    throw new DemoArgsError(
      `${flag ? `unknown or incomplete flag ${flag}` : (err as Error).message}; use --profile ${PROFILE_NAMES.join('|')} (see npm start -- --help)`,
    );
  }
  const name = values.profile ?? 'seed';
  const profile = PROFILES[name];
  if (!profile)
    throw new DemoArgsError(
      `unknown profile "${name}": use --profile ${PROFILE_NAMES.join(' or --profile ')}`,
    );
  return { help: values.help === true, profile };
}
