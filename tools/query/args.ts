/**
 * Argument parsing for `npm run query` (pure: argv + now in, options out).
 * Every bad input becomes a UsageError with a one-line message that says how
 * to fix it; the CLI prints it without a stack trace.
 */
import { parseCommandLine } from '../cli-kit/command-line';
import { UsageError } from '../cli-kit/errors';

export { UsageError };

export const QUERY_NAMES = ['course-activity', 'crash-alerts', 'late', 'rejects'] as const;
export type QueryName = (typeof QUERY_NAMES)[number];

export interface QueryOptions {
  query: QueryName;
  /** inclusive start of the searched range (epoch ms) */
  fromMs: number;
  /** exclusive end of the searched range (epoch ms) */
  toMs: number;
  finalOnly: boolean;
  /** crash-alerts: every group, not only crash_count > threshold */
  all: boolean;
  json: boolean;
  /** resource prefix override (else STREAMSCALE_PREFIX or the default) */
  prefix?: string;
}

export type ParsedArgs = { help: true } | ({ help: false } & QueryOptions);

export const DEFAULT_SINCE = '10m';

export const USAGE = `usage: npm run query -- <query> [options]

queries:
  course-activity   events, total_loc, avg_cpu, max_cpu per course and window
  crash-alerts      crash_count per user and window (only counts > threshold unless --all)
  late              records that arrived after their window closed, per query and group
  rejects           malformed records: reason, shard, sequence number, raw excerpt

options:
  --since <n><s|m|h|d>   search the last n seconds/minutes/hours/days (default ${DEFAULT_SINCE})
  --from <ISO-8601>      start of the range (e.g. 2026-11-23T03:00:00Z)
  --to <ISO-8601>        end of the range (default now; needs --from)
  --final-only           only closed windows (no provisional values)
  --all                  crash-alerts: every group, also crash_count <= threshold
  --json                 print a JSON array instead of a table
  --prefix <name>        resource prefix (default STREAMSCALE_PREFIX or "streamscale")
  -h, --help             this text

The endpoint comes from AWS_ENDPOINT_URL (default http://127.0.0.1:4566, the local cloud);
the region from AWS_REGION or AWS_DEFAULT_REGION (default us-east-1).
Exit codes: 0 done, 1 the read failed (no cloud, no stack), 2 a wrong command line.`;

const UNITS_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "10m" -> 600000; UsageError otherwise. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text.trim());
  if (!m)
    throw new UsageError(
      `--since "${text}" is not a duration: use a number and s, m, h or d (e.g. --since 10m)`,
    );
  const ms = Number(m[1]) * UNITS_MS[m[2] as string]!;
  if (!(ms > 0)) throw new UsageError(`--since must be more than zero (e.g. --since 10m)`);
  return ms;
}

/** ISO-8601 with a date; a time without a zone is taken as UTC (the tool prints UTC). */
export function parseInstant(text: string, flag: string): number {
  const t = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(t)) {
    throw new UsageError(
      `${flag} "${text}" is not an ISO-8601 time: use e.g. ${flag} 2026-11-23T03:00:00Z`,
    );
  }
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(t) && t.length > 10;
  const normalised = t.replace(' ', 'T') + (hasZone ? '' : t.length === 10 ? 'T00:00:00Z' : 'Z');
  const ms = Date.parse(normalised);
  if (Number.isNaN(ms))
    throw new UsageError(
      `${flag} "${text}" is not a valid time: use e.g. ${flag} 2026-11-23T03:00:00Z`,
    );
  return ms;
}

export function parseQueryArgs(argv: string[], nowMs: number): ParsedArgs {
  const parsed = parseCommandLine(
    {
      invocation: 'npm run query --',
      positionals: true,
      options: {
        since: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        'final-only': { type: 'boolean', default: false },
        all: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        prefix: { type: 'string' },
      },
    },
    argv,
  );
  if (parsed.help) return { help: true };
  const { values, positionals } = parsed;
  if (positionals.length === 0) {
    throw new UsageError(
      `which query? one of: ${QUERY_NAMES.join(', ')} (e.g. npm run query -- crash-alerts --since 10m)`,
    );
  }
  if (positionals.length > 1) {
    throw new UsageError(
      `one query at a time, got: ${positionals.join(' ')} (valid: ${QUERY_NAMES.join(', ')})`,
    );
  }
  const name = positionals[0] as string;
  if (!(QUERY_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`unknown query "${name}": use one of ${QUERY_NAMES.join(', ')}`);
  }
  const query = name as QueryName;

  if (values.since !== undefined && (values.from !== undefined || values.to !== undefined)) {
    throw new UsageError('use either --since or --from/--to, not both');
  }
  if (values.to !== undefined && values.from === undefined) {
    throw new UsageError(
      '--to needs --from (e.g. --from 2026-11-23T03:00:00Z --to 2026-11-23T03:10:00Z)',
    );
  }
  let fromMs: number;
  let toMs: number;
  if (values.from !== undefined) {
    fromMs = parseInstant(values.from, '--from');
    toMs = values.to !== undefined ? parseInstant(values.to, '--to') : nowMs;
    if (toMs <= fromMs) throw new UsageError('--to must be after --from');
  } else {
    toMs = nowMs;
    fromMs = nowMs - parseDuration(values.since ?? DEFAULT_SINCE);
  }
  if (values.all && query !== 'crash-alerts') {
    throw new UsageError('--all only applies to crash-alerts');
  }
  if (values.prefix !== undefined && !/^[a-z][a-z0-9-]{0,30}$/.test(values.prefix)) {
    throw new UsageError(
      `--prefix "${values.prefix}" is not a resource prefix: lower-case letters, digits and dashes`,
    );
  }
  return {
    help: false,
    query,
    fromMs,
    toMs,
    finalOnly: values['final-only'] ?? false,
    all: values.all ?? false,
    json: values.json ?? false,
    ...(values.prefix !== undefined ? { prefix: values.prefix } : {}),
  };
}
