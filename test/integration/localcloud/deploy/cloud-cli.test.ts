/**
 * `npm run local` as a user meets it (a shell with no AWS settings): it prints what runs where and the
 * environment a client needs, serves AWS SDK calls at the printed endpoint,
 * records itself in .streamscale/local-cloud.json, and on SIGTERM stops
 * cleanly (exit 143, the shell's code for SIGTERM) and removes that file. A busy port and bad flags get a
 * one-line message saying what to do.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CreateStreamCommand, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { CreateEventSourceMappingCommand, CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { kinesisClient, lambdaClient } from '../../../../functions/aws/clients';
import { COMMAND_BOUND_MS } from '../../../support/command-bound';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
/**
 * As `npm run local` runs it: one node process with tsx as a loader (the
 * tsx command SIGKILLs its child unless it confirms a signal within 30 ms).
 */
const NODE_TSX = [
  '--import',
  pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href,
];
const CLI = join(ROOT, 'localcloud', 'cli.ts');

process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';

// Each test runs the CLI in its own working directory, so the state file is the test's, not a developer's running cloud's.
const dirs: string[] = [];
let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'local-cloud-cli-'));
  dirs.push(cwd);
});
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The environment of a shell with no AWS settings. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));

describe('npm run local (command line)', () => {
  it('prints where things run, serves the SDK there, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [...NODE_TSX, CLI, '--port', '0', '--quiet'], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    try {
      const deadline = Date.now() + COMMAND_BOUND_MS;
      while (!/export AWS_ENDPOINT_URL=/.test(stdout)) {
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`no banner; stdout:\n${stdout}\nstderr:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const endpoint = /export AWS_ENDPOINT_URL=(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1]!;
      expect(stdout).toContain(
        `export AWS_ENDPOINT_URL=${endpoint} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1`,
      );
      for (const service of ['Kinesis', 'DynamoDB', 'CloudWatch', 'SQS', 'Lambda', 'EventBridge'])
        expect(stdout).toMatch(new RegExp(`^${service} `, 'm'));
      // The default speed-up: 1-minute schedules every 5 s.
      expect(stdout).toContain('rate(1 minute) fires every 5 s');

      const state = JSON.parse(
        readFileSync(join(cwd, '.streamscale', 'local-cloud.json'), 'utf8'),
      ) as { endpoint: string; pid: number };
      expect(state.endpoint).toBe(endpoint);
      expect(Number.isInteger(state.pid)).toBe(true);

      // The cloud runs with no AWS settings at all (a newcomer's shell); its own
      // SDK clients still work: creating a mapping makes it read the stream.
      const kinesis = kinesisClient({ endpoint, region: 'us-east-1' });
      const lambda = lambdaClient({ endpoint, region: 'us-east-1' });
      try {
        expect((await kinesis.send(new ListStreamsCommand({}))).StreamNames).toEqual([]);
        await kinesis.send(new CreateStreamCommand({ StreamName: 'cli-s', ShardCount: 1 }));
        const code = join(cwd, 'fn');
        mkdirSync(code);
        writeFileSync(join(code, 'index.mjs'), 'export const handler = async () => ({});\n');
        await lambda.send(
          new CreateFunctionCommand({
            FunctionName: 'cli-f',
            Runtime: 'nodejs22.x',
            Handler: 'index.handler',
            Role: 'arn:aws:iam::000000000000:role/r',
            Code: { S3Bucket: 'hot-reload', S3Key: code },
          }),
        );
        const mapping = await lambda.send(
          new CreateEventSourceMappingCommand({
            FunctionName: 'cli-f',
            EventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/cli-s',
            StartingPosition: 'TRIM_HORIZON',
          }),
        );
        expect(mapping.UUID).toBeTruthy();
      } finally {
        kinesis.destroy();
        lambda.destroy();
      }

      child.kill('SIGTERM');
      expect(await exited).toBe(143);
      expect(stdout).toMatch(/stopped/);
      expect(existsSync(join(cwd, '.streamscale', 'local-cloud.json'))).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('says the port is taken and how to choose another', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = spawnSync(TSX, [CLI, '--port', String(port), '--quiet'], {
        cwd,
        env,
        encoding: 'utf8',
        timeout: COMMAND_BOUND_MS,
      });
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`port ${port} .*already in use.*--port`));
      expect(existsSync(join(cwd, '.streamscale', 'local-cloud.json'))).toBe(false);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('rejects bad flag values in one line', () => {
    for (const [args, message] of [
      [['--speedup', '0'], /--speedup must be a number >= 1 \(got "0"\)/],
      [['--port', 'abc'], /--port must be a whole number >= 0 \(got "abc"\)/],
      [['--nope'], /Unknown option '--nope' \(see --help\)/],
    ] as const) {
      const r = spawnSync(TSX, [CLI, ...args], {
        cwd,
        env,
        encoding: 'utf8',
        timeout: COMMAND_BOUND_MS,
      });
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});
