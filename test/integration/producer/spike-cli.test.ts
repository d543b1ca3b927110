/**
 * `npm run spike` stopped by a signal (issue 10, defect 6): SIGTERM or
 * Ctrl-C stops the producers, the --record log holds every record Kinesis
 * accepted (exactly what the stream holds, none missing), the summary is
 * printed, and the exit code is the shell's for that signal (143, 130).
 * Before, SIGTERM left the producers running to the plan's end and the log
 * missed records the stream had accepted. The stream's write limit is low,
 * so calls are throttled and in flight when the signal comes. The signal
 * goes to npm, as a supervisor's would.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CreateStreamCommand,
  waitUntilStreamExists,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamContents } from '../../support/stream-contents';
import { kinesisClient } from '../../../functions/aws/clients';
import { startCoreCloud, type CoreCloud } from '../../../localcloud/core-cloud';
import { readRecordLog, type RecordLogLine } from '../../../producer/record-log';

const ROOT = resolve(__dirname, '..', '..', '..');
/**
 * As a user runs it: `npm run spike`, whose script execs one node process
 * with tsx as a loader. (Under `sh -c` without exec, npm's relayed signal
 * would end the shell and leave the producers running; under the `tsx`
 * command, its relay SIGKILLs the child unless the child confirms within
 * 30 ms, which a busy machine misses.)
 */
const NPM = 'npm';
const SHARD_LIMIT = 100; // records/s per shard: the producers outrun it, so puts are throttled
const RATE = 400; // records/s per producer
/** The records logged before the signal: the run is well under way, calls in flight. */
const LOGGED_BEFORE_SIGNAL = 2 * SHARD_LIMIT;
/** Starting the command (tsx, the SDK) and the stop on a busy machine: a bound, not an expectation. */
const STARTUP_MS = 60_000;
/** The spike's client timeouts bound the calls in flight it waits for after the signal. */
const CLIENTS = { connectTimeoutMs: 3_000, requestTimeoutMs: 10_000 };
const STOP_MS = STARTUP_MS + CLIENTS.connectTimeoutMs + CLIENTS.requestTimeoutMs;

let cloud: CoreCloud;
let kinesis: KinesisClient;
let dir: string;

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  cloud = await startCoreCloud({ port: 0, shardRecordsPerSecond: SHARD_LIMIT, log: () => {} });
  kinesis = kinesisClient({ endpoint: cloud.endpoint, region: 'us-east-1' });
  dir = mkdtempSync(join(tmpdir(), 'spike-cli-'));
});
afterAll(async () => {
  kinesis?.destroy();
  await cloud?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const key = (r: RecordLogLine) => `${r.shardId}/${r.sequenceNumber}`;
const sorted = (rs: RecordLogLine[]) => [...rs].sort((a, b) => key(a).localeCompare(key(b)));

const loggedLines = (path: string) =>
  existsSync(path) ? readFileSync(path, 'utf8').split('\n').length - 1 : 0;

interface Stopped {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a spike far longer than the test, and sends `signal` once the log has records. */
async function spikeStoppedBy(signal: NodeJS.Signals, stream: string, record: string) {
  const child = spawn(
    NPM,
    [
      ...['run', '--silent', 'spike', '--'],
      ...['--stream', stream, '--record', record, '--rate', String(RATE)],
      ...['--producers', '2', '--baseline', '3600', '--spike', '0', '--cooldown', '0'],
    ],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AWS_ENDPOINT_URL: cloud.endpoint,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_REGION: 'us-east-1',
        STREAMSCALE_CONFIG: JSON.stringify({ clients: CLIENTS }),
      },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<Stopped>((done) =>
    child.on('close', (code) => done({ code, stdout, stderr })),
  );
  // Past its bound the command is hung: kill it, and the exit code (null) fails the test.
  const hung = setTimeout(() => child.kill('SIGKILL'), STARTUP_MS + STOP_MS);
  try {
    const deadline = Date.now() + STARTUP_MS;
    while (loggedLines(record) < LOGGED_BEFORE_SIGNAL) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`no records logged; stdout:\n${stdout}\nstderr:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill(signal);
    return await closed;
  } finally {
    clearTimeout(hung);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

describe('npm run spike stopped by a signal', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    '%s: producers stop, the log holds every accepted record, summary, exit %i',
    { timeout: 2 * (STARTUP_MS + STOP_MS) },
    async (signal, exitCode) => {
      const stream = `stop-${signal.toLowerCase()}`;
      await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 2 }));
      await waitUntilStreamExists({ client: kinesis, maxWaitTime: 30 }, { StreamName: stream });
      const record = join(dir, `${stream}.jsonl`);

      const r = await spikeStoppedBy(signal, stream, record);

      expect(r.code, r.stderr).toBe(exitCode);
      expect(r.stdout).toContain(`${signal}: stopping the producers`);
      const accepted = /([\d,]+) records accepted/.exec(r.stdout);
      expect(accepted, r.stdout).not.toBeNull();
      const logged = readRecordLog(record);
      expect(r.stdout).toContain(`${logged.length} accepted records written to ${record}`);
      expect(Number(accepted![1]!.replace(/,/g, ''))).toBe(logged.length);
      // What the stream holds is what the log says, record for record.
      expect(sorted(logged)).toEqual(sorted(await streamContents(kinesis, stream)));
    },
  );
});
