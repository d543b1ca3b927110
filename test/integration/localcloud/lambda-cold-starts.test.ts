/**
 * Cold starts are bounded by the cloud's maxConcurrentInits: invocations
 * needing more environments than may initialize at once wait for one to be
 * ready (they all run, in order), the function with the fewest
 * environments first, and a synchronous Invoke waiting for that is not
 * throttled — only concurrency limits throttle.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLambdaCloud, type LambdaTestCloud, createFixtureFunction } from './lambda-helpers';

let cloud: LambdaTestCloud;
let dir: string;

beforeAll(async () => {
  cloud = await startLambdaCloud({ maxConcurrentInits: 1 });
  dir = mkdtempSync(join(tmpdir(), 'cold-starts-'));
});
afterAll(async () => {
  await cloud?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function create(name: string, initLog: string) {
  await createFixtureFunction(cloud, name, 'slow-init', { INIT_LOG: initLog, INIT_MS: '150' });
}

it('initializes one environment at a time when maxConcurrentInits is 1; every invocation runs', async () => {
  const log = join(dir, 'one-at-a-time.log');
  await create('one-at-a-time', log);
  // Each invocation holds its environment, so each needs one of its own.
  const outs = await Promise.all(
    [1, 2, 3].map(() => cloud.lambda.invoke('one-at-a-time', { sleepMs: 1_000 })),
  );
  expect(outs.map((o) => o.ok)).toEqual([true, true, true]);
  const lines = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' ')[0]);
  // Never two starts in a row: each environment was ready before the next began (a freed warm one may serve the last).
  expect(lines.length).toBeGreaterThanOrEqual(4);
  expect(lines).toEqual(lines.map((_, i) => (i % 2 === 0 ? 'start' : 'ready')));
});

it('lets a synchronous Invoke wait for a cold start slot instead of throttling it', async () => {
  const log = join(dir, 'sync.log');
  await create('busy-starting', log);
  await create('sync', log);
  const starting = cloud.lambda.invoke('busy-starting', {});
  const out = await cloud.clients.lambda.send(
    new InvokeCommand({ FunctionName: 'sync', Payload: Buffer.from('{}') }),
  );
  expect(out.StatusCode).toBe(200);
  expect(out.FunctionError).toBeUndefined();
  expect((await starting).ok).toBe(true);
});

it("gives the next cold start to the function with the fewest environments, not to another's queue", async () => {
  const log = join(dir, 'fair.log');
  await create('crowd', log);
  await create('lone', log);
  // Queued in this order while the first crowd environment initializes.
  const crowd = [1, 2, 3].map(() => cloud.lambda.invoke('crowd', { sleepMs: 1_000 }));
  const lone = cloud.lambda.invoke('lone', {});
  const outs = await Promise.all([...crowd, lone]);
  expect(outs.every((o) => o.ok)).toBe(true);
  const starts = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('start'));
  expect(starts.slice(0, 2)).toEqual(['start crowd', 'start lone']);
});
