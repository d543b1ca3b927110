/**
 * `npm run local`: the embedded local cloud in the foreground. Prints what
 * runs where and the environment a client needs, streams service and
 * function logs with a prefix per source, and stops cleanly on Ctrl-C or
 * SIGTERM (exit 130/143, the shell's codes for those signals). While it
 * runs, .streamscale/local-cloud.json says where it is.
 */
import { constants } from 'node:os';
import { parseArgs } from 'node:util';
import { AWS_LIMITS, DEFAULT_EDGE_PORT } from './config';
import { clearLocalCloudState, writeLocalCloudState } from './deploy/local-cloud-state';
import type { LocalCloud } from './start-local-cloud';

/** Demo default: the stack's 1-minute schedules fire every 5 s. */
const DEFAULT_SPEEDUP = 12;
/** Signals this close together are one signal delivered twice. */
const REPEAT_SIGNAL_GRACE_MS = 1_000;

const HELP = `npm run local [-- options]

Starts the embedded local cloud on one edge endpoint (127.0.0.1 only):
Kinesis, DynamoDB, CloudWatch, SQS, Lambda and EventBridge schedules.
Ctrl-C stops it. Then, in another terminal: npm run deploy:local

  --port N                        edge port (default ${DEFAULT_EDGE_PORT}; 0 = any free port)
  --speedup N                     schedules run N times faster (default ${DEFAULT_SPEEDUP}: rate(1 minute) fires every 5 s; 1 = real time)
  --shard-records-per-second N    per-shard write limit (default ${AWS_LIMITS.kinesis.shardRecordsPerSecond}, as AWS)
  --shard-bytes-per-second N      per-shard write limit (default ${AWS_LIMITS.kinesis.shardBytesPerSecond}, as AWS)
 --dynamodb-partition-limits     DynamoDB refuses more than ${AWS_LIMITS.dynamodb.partitionWcuPerSecond} write / ${AWS_LIMITS.dynamodb.partitionRcuPerSecond} read units a second
                                  on one partition key (ProvisionedThroughputExceededException, as AWS)
  --allow-origin ORIGIN           let web pages from ORIGIN (e.g. http://localhost:3000) call the cloud;
                                  repeat for more; '*' allows any page (default: none, a browser is refused)
  --data-dir DIR                  keep every service's state in DIR (created when missing) across a stop
                                  and a start; start again with the same DIR to continue (default: memory)
  --quiet                         print where things run, then no logs
  --help
`;

function fail(message: string): never {
  process.stderr.write(`npm run local: ${message}\n`);
  process.exit(1);
}

function numberFlag(
  raw: string | undefined,
  name: string,
  fallback: number,
  min: number,
  integer = true,
): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    fail(`--${name} must be ${integer ? 'a whole number' : 'a number'} >= ${min} (got "${raw}")`);
  }
  return n;
}

/** Each origin as a browser sends it: scheme://host[:port], no path. */
function parseOrigins(raw: string[]): string[] | '*' {
  if (raw.includes('*')) return '*';
  return raw.map((o) => {
    let url: URL;
    try {
      url = new URL(o);
    } catch {
      fail(`--allow-origin must be an origin such as http://localhost:3000 (got "${o}")`);
    }
    if (url.origin === 'null' || o.replace(/\/$/, '') !== url.origin)
      fail(
        `--allow-origin must be scheme://host[:port] with no path (got "${o}"; did you mean ${url.origin}?)`,
      );
    return url.origin;
  });
}

function dataDirFlag(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (raw.trim() === '') fail('--data-dir needs a directory (e.g. --data-dir .streamscale/data)');
  return raw;
}

/** Log lines as `source | line`, sources aligned, so function output is easy to follow. */
function logger(quiet: boolean): (source: string, line: string) => void {
  if (quiet) return () => {};
  let width = 10;
  return (source, line) => {
    width = Math.min(32, Math.max(width, source.length));
    for (const l of line.split('\n')) process.stdout.write(`${source.padEnd(width)} | ${l}\n`);
  };
}

// The SDK's documented switch for its Node-version notice (noise in this output).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const OPTIONS = {
  port: { type: 'string' },
  speedup: { type: 'string' },
  'shard-records-per-second': { type: 'string' },
  'shard-bytes-per-second': { type: 'string' },
  'allow-origin': { type: 'string', multiple: true },
  'dynamodb-partition-limits': { type: 'boolean', default: false },
  'data-dir': { type: 'string' },
  quiet: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

async function main(): Promise<void> {
  let values;
  try {
    values = parseArgs({ options: OPTIONS, strict: true }).values;
  } catch (err) {
    fail(`${(err as Error).message} (see --help)`);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const port = numberFlag(values.port, 'port', DEFAULT_EDGE_PORT, 0);
  if (port > 65535) fail(`--port must be at most 65535 (got ${port})`);
  const speedup = numberFlag(values.speedup, 'speedup', DEFAULT_SPEEDUP, 1, false);
  const records = numberFlag(
    values['shard-records-per-second'],
    'shard-records-per-second',
    AWS_LIMITS.kinesis.shardRecordsPerSecond,
    1,
  );
  const bytes = numberFlag(
    values['shard-bytes-per-second'],
    'shard-bytes-per-second',
    AWS_LIMITS.kinesis.shardBytesPerSecond,
    1,
  );

  // Loaded only now: flag errors and --help answer at once, without starting the emulators' modules.
  const { describeLocalCloud, startLocalCloud } = await import('./start-local-cloud');
  let cloud: LocalCloud;
  try {
    cloud = await startLocalCloud({
      port,
      speedup,
      shardRecordsPerSecond: records,
      shardBytesPerSecond: bytes,
      allowOrigins: parseOrigins(values['allow-origin'] ?? []),
      dynamodbPartitionLimits: values['dynamodb-partition-limits'],
      dataDir: dataDirFlag(values['data-dir']),
      log: logger(values.quiet),
    });
  } catch (err) {
    // The edge's message for a busy port already says how to pick another.
    fail((err as Error).message);
  }
  writeLocalCloudState({
    endpoint: cloud.endpoint,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    speedup,
  });
  process.stdout.write(describeLocalCloud(cloud));

  // The shell's code for a stop by a signal (128 + its number): 130 for Ctrl-C, 143 for SIGTERM.
  const exitCode = (signal: 'SIGINT' | 'SIGTERM') => 128 + constants.signals[signal];
  let stoppingSince: number | undefined;
  const stop = async (signal: 'SIGINT' | 'SIGTERM') => {
    // One Ctrl-C reaches us twice (the terminal's process group, and npm/tsx relaying it):
    // a repeat within a second is the same one; a later one quits at once.
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < REPEAT_SIGNAL_GRACE_MS) return;
      process.stderr.write('stopping anyway\n');
      process.exit(exitCode(signal));
    }
    stoppingSince = Date.now();
    process.stdout.write(`\n${signal}: stopping the local cloud…\n`);
    clearLocalCloudState(process.pid);
    await cloud.stop();
    process.stdout.write('stopped\n');
    process.exit(exitCode(signal));
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('exit', () => clearLocalCloudState(process.pid));
}

main().catch((err: unknown) => fail((err as Error).message));
