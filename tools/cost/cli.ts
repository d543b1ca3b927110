/**
 * `npm run cost`: elastic vs static vs on-demand, from a recorded run.
 * Thin: arguments → usage (metrics.json or CloudWatch) → pricing core →
 * table / JSON, and cost.svg + cost.json written into the run dir.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cloudWatchClient } from '../../functions/aws/clients';
import { fromEnv } from '../../functions/config';
import { applyCliDefaults, endpointInUse } from '../cli-kit/aws-env';
import { parseCommandLine } from '../cli-kit/command-line';
import { CommandError, EXIT, UsageError as UsageArgError, type ExitCode } from '../cli-kit/errors';
import { isEntry, runMain } from '../cli-kit/run-main';
import { describeCloudError } from '../query/endpoint-errors';
import { usageFromCloudWatch } from './cloudwatch-usage';
import { costReportFor } from './cost-report';
import { loadRunUsage, METRICS_FILE, usageFromMetricsFile, UsageError } from './run-usage';
import { scalesJson, writeScalesReport } from './scales-report';

const HELP = `npm run cost -- [options]

Prices what a recorded run used for three fleets — elastic (the shards it
really had), static (its peak shard count all the time), Kinesis on-demand —
projects a day with the lab's profile (20 h low, 4 h peak), and reproduces
the lab's EMR arithmetic (96 vs 36 instance-hours → 62.5 %) as a check.

  --run DIR         a run directory with ${METRICS_FILE} (default: the latest under reports/)
  --from T --to T   read the usage from CloudWatch instead (ISO-8601, or "15m"/"2h" ago for --from)
  --period S        sample period for --from/--to in seconds (default 60)
  --low-hours H     hours at low load in the projected day (default 20)
  --peak-hours H    hours at peak load (default 4)
  --low-rate R      records/s at low load (default: measured in the run)
  --peak-rate R     records/s at peak (default: measured in the run)
  --json            print the report as JSON
  --no-write        do not write cost.svg / cost.json into the run directory
  --scales          price one day of the lab's shape at the demo's scale, 10×, 100×,
                    1,000× and the seed's 1,000,000 records/s peak, for elastic, static,
                    on-demand and an EMR Spark cluster; writes cost-scales.svg and
                    cost-scales.json into the run directory (or reports/)
  --executor-rate R records/s one EMR Spark executor sustains (--scales; default 10,000)
  --scaler-tick S   seconds between the scaler's decisions (--scales; default: the config's)
  --scaler-metrics N  CloudWatch metrics the scaler reads per decision (--scales; default 11)
  -h, --help        this text

Exit codes: 0 done, 1 the usage could not be read (no cloud), 2 a wrong command line
or run directory.

Prices: functions/core/cost/prices.ts (us-east-1 list prices, with sources and date).`;

function latestRun(root = 'reports'): string {
  if (!existsSync(root))
    throw new UsageArgError(
      `no reports/ directory: record a run with \`npm start\`, or pass --run DIR or --from/--to`,
    );
  const dirs = readdirSync(root)
    .map((d) => join(root, d))
    .filter((d) => statSync(d).isDirectory() && existsSync(join(d, METRICS_FILE)))
    .sort();
  const last = dirs.at(-1);
  if (!last)
    throw new UsageArgError(
      `no run with ${METRICS_FILE} under reports/: record one with \`npm start\`, or pass --run DIR or --from/--to`,
    );
  return last;
}

function parseTime(v: string, name: string, now: number): number {
  const rel = /^(\d+(?:\.\d+)?)([smhd])$/.exec(v);
  if (rel)
    return (
      now -
      Number(rel[1]) * { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[rel[2] as 's' | 'm' | 'h' | 'd']
    );
  const t = Date.parse(v);
  if (!Number.isFinite(t))
    throw new UsageArgError(`--${name} must be ISO-8601 or a duration ago like 15m (got "${v}")`);
  return t;
}

function positive(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(Number.isFinite(n) && n >= 0))
    throw new UsageArgError(`--${name} must be a number >= 0 (got "${v}")`);
  return n;
}

const OPTIONS = {
  run: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  period: { type: 'string' },
  'low-hours': { type: 'string' },
  'peak-hours': { type: 'string' },
  'low-rate': { type: 'string' },
  'peak-rate': { type: 'string' },
  json: { type: 'boolean', default: false },
  scales: { type: 'boolean', default: false },
  'executor-rate': { type: 'string' },
  'scaler-tick': { type: 'string' },
  'scaler-metrics': { type: 'string' },
  'no-write': { type: 'boolean', default: false },
} as const;

type Args = {
  run?: string;
  from?: string;
  to?: string;
  period?: string;
  'low-hours'?: string;
  'peak-hours'?: string;
  'low-rate'?: string;
  'peak-rate'?: string;
};

/** The day profile's overrides given on the command line (only those given). */
function profileFrom(args: Args) {
  return {
    ...(args['low-hours'] !== undefined
      ? { lowHours: positive(args['low-hours'], 'low-hours')! }
      : {}),
    ...(args['peak-hours'] !== undefined
      ? { peakHours: positive(args['peak-hours'], 'peak-hours')! }
      : {}),
    ...(args['low-rate'] !== undefined ? { lowRate: positive(args['low-rate'], 'low-rate')! } : {}),
    ...(args['peak-rate'] !== undefined
      ? { peakRate: positive(args['peak-rate'], 'peak-rate')! }
      : {}),
  };
}

/** `--from/--to`: the usage read from CloudWatch; an unreachable cloud is a one-line error. */
async function cloudWatchUsage(args: Args, config: ReturnType<typeof fromEnv>) {
  if (!args.from) throw new UsageArgError('--to needs --from');
  const now = Date.now();
  const from = parseTime(args.from, 'from', now);
  const to = args.to ? parseTime(args.to, 'to', now) : now;
  if (!(to > from)) throw new UsageArgError('--to must be after --from');
  const period = positive(args.period, 'period') ?? 60;
  applyCliDefaults();
  let file;
  try {
    file = await usageFromCloudWatch(
      cloudWatchClient({ maxAttempts: 2 }),
      config,
      from,
      to,
      period,
    );
  } catch (err) {
    const message = describeCloudError(err, { endpoint: endpointInUse(), resource: 'metrics' });
    if (message) throw new CommandError(message);
    throw err;
  }
  return usageFromMetricsFile(
    file,
    `CloudWatch ${new Date(from).toISOString()} → ${new Date(to).toISOString()}`,
  );
}

async function run(argv: string[]): Promise<ExitCode> {
  const parsed = parseCommandLine({ invocation: 'npm run cost --', options: OPTIONS }, argv);
  if (parsed.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  const args = parsed.values;
  const config = fromEnv();
  const profile = profileFrom(args);
  if (args.scales) {
    await scales(args, config);
    return EXIT.ok;
  }
  if (args.run && (args.from || args.to))
    throw new UsageArgError('use either --run or --from/--to, not both');

  let usage;
  let outDir: string | undefined;
  if (args.from || args.to) {
    usage = await cloudWatchUsage(args, config);
  } else {
    const dir = resolve(args.run ?? latestRun());
    if (!existsSync(dir)) throw new UsageArgError(`run directory ${dir} does not exist`);
    usage = await loadRunUsage(dir);
    outDir = args['no-write'] ? undefined : dir;
  }
  const result = await costReportFor(usage, config, { outDir, profile });
  if (args.json) process.stdout.write(JSON.stringify(result.report, null, 2) + '\n');
  else {
    process.stdout.write(result.text + '\n');
    if (result.svgPath) process.stdout.write(`\nchart: ${result.svgPath}\n`);
  }
  return EXIT.ok;
}

async function scales(
  args: {
    run?: string;
    json?: boolean;
    'no-write'?: boolean;
    'executor-rate'?: string;
    'scaler-tick'?: string;
    'scaler-metrics'?: string;
  },
  config: ReturnType<typeof fromEnv>,
): Promise<void> {
  const executorRate = positive(args['executor-rate'], 'executor-rate');
  const tick = positive(args['scaler-tick'], 'scaler-tick');
  if (executorRate === 0 || tick === 0)
    throw new UsageArgError('--executor-rate and --scaler-tick must be > 0');
  const outDir = args['no-write']
    ? undefined
    : args.run
      ? resolve(args.run)
      : existsSync('reports')
        ? (latestRunOrUndefined() ?? resolve('reports'))
        : resolve('reports');
  const result = await writeScalesReport(config, {
    outDir,
    executorRecordsPerSecond: executorRate,
    scalerTickSeconds: tick,
    scalerMetricsPerDecision: positive(args['scaler-metrics'], 'scaler-metrics'),
  });
  if (args.json) process.stdout.write(JSON.stringify(scalesJson(result.report), null, 2) + '\n');
  else {
    process.stdout.write(result.text + '\n');
    if (result.svgPath) process.stdout.write(`\nchart: ${result.svgPath}\n`);
  }
}

function latestRunOrUndefined(): string | undefined {
  try {
    return resolve(latestRun());
  } catch {
    return undefined;
  }
}

/** `npm run cost`; a run directory's unreadable usage is the user's to fix (exit 2). */
export async function main(argv: string[]): Promise<ExitCode> {
  try {
    return await run(argv);
  } catch (err) {
    throw err instanceof UsageError ? new UsageArgError(err.message) : err;
  }
}

if (isEntry(import.meta.url)) void runMain(main, { name: 'npm run cost' });
