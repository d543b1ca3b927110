/**
 * Command-line parsing for every command (pure: argv in, values out), on
 * node:util's parseArgs: `--help` and `-h` everywhere, and every mistake a
 * UsageError with one line that names the flag and points to --help.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandSpec<O extends Options> {
  /** How the user runs it, e.g. "npm run query --" (messages say "see npm run query -- --help"). */
  invocation: string;
  options: O;
  /** Positional arguments allowed (default none). */
  positionals?: boolean;
}

export type Parsed<O extends Options> =
  | { help: true }
  | {
      help: false;
      values: ReturnType<
        typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>
      >['values'];
      positionals: string[];
    };

/** "--rate -3" is a (bad) value, not a flag: join it to its flag so the value check answers. */
function joinNegativeValues(argv: string[], options: Options): string[] {
  const out: string[] = [];
  for (const a of argv) {
    const prev = out.at(-1);
    const flag = prev?.startsWith('--') && !prev.includes('=') ? prev.slice(2) : undefined;
    if (/^-\d/.test(a) && flag && options[flag]?.type === 'string')
      out[out.length - 1] = `${prev}=${a}`;
    else out.push(a);
  }
  return out;
}

function oneLine(err: unknown, invocation: string): string {
  const msg = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
  const see = `see ${invocation} --help`;
  const flag = /'(-{1,2}[^' ]+)/.exec(msg)?.[1];
  if (/Unknown option/.test(msg)) return `unknown flag ${flag ?? ''}; ${see}`.replace('  ', ' ');
  if (/argument missing/.test(msg)) return `${flag ?? 'a flag'} needs a value; ${see}`;
  if (/Unexpected argument|allowPositionals/.test(msg)) {
    const arg = /argument '([^']+)'/.exec(msg)?.[1];
    return `unexpected argument${arg ? ` "${arg}"` : ''}: options are --flags; ${see}`;
  }
  if (/does not take an argument/.test(msg)) return `${flag ?? 'a flag'} takes no value; ${see}`;
  return `${msg}; ${see}`;
}

export function parseCommandLine<O extends Options>(
  spec: CommandSpec<O>,
  argv: string[],
): Parsed<O> {
  const options = { ...spec.options, help: { type: 'boolean', short: 'h' } } as Options;
  // Help wins over every other mistake on the line: a user asking for it gets it.
  if (argv.includes('--help') || argv.includes('-h')) return { help: true };
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv, options),
      options,
      strict: true,
      allowPositionals: spec.positionals ?? false,
    });
  } catch (err) {
    throw new UsageError(oneLine(err, spec.invocation));
  }
  return {
    help: false,
    values: parsed.values as Extract<Parsed<O>, { help: false }>['values'],
    positionals: parsed.positionals,
  };
}

/** A number flag: one line naming the flag and the range when it is not one. */
export function numberFlag(
  flag: string,
  raw: string | undefined,
  fallback: number,
  check: { int?: boolean; min: number; max?: number; minExclusive?: boolean },
): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  const range =
    check.max !== undefined
      ? `${check.min}-${check.max}`
      : check.minExclusive
        ? `> ${check.min}`
        : `>= ${check.min}`;
  const what = `${check.int ? 'an integer' : 'a number'} ${range}`;
  if (raw.trim() === '' || !Number.isFinite(v) || (check.int && !Number.isInteger(v)))
    throw new UsageError(`--${flag} must be ${what} (got "${raw}")`);
  if (
    v < check.min ||
    (check.minExclusive && v === check.min) ||
    (check.max !== undefined && v > check.max)
  )
    throw new UsageError(`--${flag} must be ${what} (got ${raw})`);
  return v;
}
