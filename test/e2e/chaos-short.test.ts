/**
 * The chaos suite's short run inside `npm test` (`npm run chaos` runs many):
 * one fixed seed whose schedule brings every fault kind — the cloud
 * SIGKILLed and started again on its data dir, DynamoDB outages, throttling
 * and invocations failing mid-batch, a Kinesis throttling storm, poison
 * records and re-sent duplicates — during a short spike; then the results,
 * compared exactly with the offline recomputation of what the stream holds.
 * Outcomes only: every fault struck, every acknowledged record is in the
 * stream and accounted for, no mismatch. Waits are the run's own (bounded
 * by progress, test/chaos/chaos-run.ts), never a wall-clock assertion.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { holdLoadLock, LOAD_LOCK_WAIT_MS } from '../support/machine-lock';
import { chaosConfig, chaosRun, chaosStackConfig } from '../chaos/chaos-run';
import { FAULT_KINDS } from '../chaos/schedule';
import { synthesizedAssembly } from '../support/synth-cache';

/** A seed whose schedule has every kind and a kill (every seed's has: schedule.ts). */
const SEED = 2;

const dir = mkdtempSync(join(tmpdir(), 'chaos-short-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('chaos, one short run (embedded cloud as a child process)', () => {
  it(
    'stays exact through a kill, DynamoDB faults, crashes, a storm, poison and duplicates',
    async () => {
      process.env.AWS_ACCESS_KEY_ID ??= 'test';
      process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
      process.env.AWS_REGION ??= 'us-east-1';
      const config = chaosConfig();
      const cdkOut = await synthesizedAssembly({
        STREAMSCALE_CONFIG: JSON.stringify(chaosStackConfig()),
      });
      const lines: string[] = [];
      const release = await holdLoadLock();
      const r = await chaosRun({
        progress: (l) => lines.push(l),
        seed: SEED,
        config,
        cdkOut,
        logPath: join(dir, 'records.jsonl'),
        cloudLog: join(dir, 'cloud.log'),
      }).finally(release);
      const context = [...lines, ...r.problems].join('\n');
      expect(Object.keys(r.struckByKind).sort(), context).toEqual(
        [...FAULT_KINDS, 'cloud-kill'].sort(),
      );
      expect(r.acceptedBeforeKill, context).toBeGreaterThan(0);
      expect(r.brokenCalls, context).toBeGreaterThan(0);
      expect(r.settled, context).toBe(true);
      expect(r.problems, context).toEqual([]);
      expect(r.mismatches, context).toBe(0);
    },
    // A bound for a hung run on a busy machine, not an expectation (a quiet one takes ~35 s).
    LOAD_LOCK_WAIT_MS + 600_000,
  );
});
