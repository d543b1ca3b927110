/**
 * The chaos suite's cloud: `npm run local --data-dir DIR` as a child process
 * (so it can be SIGKILLed like a crashed machine's), with the stack deployed
 * from a cached synth and its functions' DynamoDB calls sent through the
 * fault proxy. A kill restarts it on the same port and data dir: streams,
 * records, tables, functions (with the proxy in their environment) and the
 * event sources' checkpoints come back from disk (docs/local-cloud-persistence.md).
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  GetFunctionConfigurationCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { lambdaClient } from '../../functions/aws/clients';
import { resourceNames, toEnv, type StreamscaleConfig } from '../../functions/config';
import { deployLocal } from '../../localcloud/deploy/deploy-local';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LOADER = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
/** Starting the cloud process on a busy machine: a bound, not an expectation. */
const START_TIMEOUT_MS = 60_000;

export interface CloudOptions {
  /** what the functions run with (in their environment; the stack was synthesized with its prefix) */
  config: StreamscaleConfig;
  cdkOut: string;
  speedup: number;
  shardRecordsPerSecond: number;
  /** where the functions' DynamoDB calls go (the fault proxy) */
  dynamoEndpoint: () => string;
  /** the cloud's edge, once it has started (the proxy's upstream) */
  onEndpoint: (endpoint: string) => void;
  /** every line the cloud prints, appended here (kept for a failed run's post-mortem) */
  logFile?: string;
}

export interface ChaosCloud {
  readonly endpoint: string;
  /** SIGKILL, then start again on the same port and data dir */
  killAndRestart(): Promise<void>;
  /** the cloud's last log lines, for a failure's message */
  logTail(): string;
  stop(): Promise<void>;
}

async function spawnCloud(port: number, o: CloudOptions, cwd: string) {
  const child = spawn(
    process.execPath,
    [
      ...['--import', LOADER, join(ROOT, 'localcloud', 'cli.ts')],
      ...['--port', String(port), '--speedup', String(o.speedup)],
      ...['--shard-records-per-second', String(o.shardRecordsPerSecond)],
      ...['--data-dir', join(cwd, 'data')],
    ],
    { cwd, env: { ...process.env, STREAMSCALE_CONFIG: JSON.stringify(o.config) } },
  );
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (o.logFile) appendFileSync(o.logFile, d);
    // The banner is at the start; after it, only the tail matters (a failure's context).
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  // The runner's end (even by a signal) is the cloud's: no cloud outlives its run.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.off('exit', reap));
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const m = /export AWS_ENDPOINT_URL=(http:\/\/127\.0\.0\.1:(\d+))/.exec(out);
    if (m) {
      o.onEndpoint(m[1]!);
      // What went wrong, if anything: error lines first, else the last lines.
      const tail = () => {
        const lines = out
          .split('\n')
          .filter((l) => !/NodeVersionSupportWarning|node >=22|^\s*$/.test(l));
        const errors = lines.filter((l) => /error|fail|exception|timed? ?out/i.test(l));
        return (errors.length > 0 ? errors : lines).slice(-30).join('\n');
      };
      return { child, endpoint: m[1]!, port: Number(m[2]), tail };
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`the cloud did not start:\n${out.slice(-2_000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Deploy the stack and send its functions' DynamoDB calls to `dynamoEndpoint`. */
async function deployStack(endpoint: string, o: CloudOptions, stateDir: string): Promise<void> {
  await deployLocal({ endpoint, synth: false, cdkOut: o.cdkOut, stateDir, log: () => {} });
  const lambda = lambdaClient({ endpoint, region: 'us-east-1' });
  const names = resourceNames(o.config.prefix);
  try {
    for (const fn of [names.consumerFunction, names.closerFunction, names.scalerFunction]) {
      const now = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
      const variables = {
        ...now.Environment?.Variables,
        AWS_ENDPOINT_URL_DYNAMODB: o.dynamoEndpoint(),
        ...toEnv(o.config),
      };
      await lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: fn,
          Environment: { Variables: variables },
        }),
      );
      await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 60 }, { FunctionName: fn });
    }
  } finally {
    lambda.destroy();
  }
}

export async function startChaosCloud(o: CloudOptions): Promise<ChaosCloud> {
  const cwd = mkdtempSync(join(tmpdir(), 'chaos-cloud-'));
  let current: Awaited<ReturnType<typeof spawnCloud>> = await spawnCloud(0, o, cwd);
  const stopChild = async (signal: NodeJS.Signals) => {
    const { child } = current;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await gone;
  };
  try {
    await deployStack(current.endpoint, o, join(cwd, 'state'));
  } catch (err) {
    await stopChild('SIGKILL');
    throw err;
  }
  return {
    get endpoint() {
      return current.endpoint;
    },
    logTail: () => current.tail(),
    async killAndRestart() {
      await stopChild('SIGKILL');
      current = await spawnCloud(current.port, o, cwd);
    },
    async stop() {
      await stopChild('SIGTERM');
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
