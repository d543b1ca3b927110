/**
 * A lock the test processes of one machine share: a directory made with
 * mkdir (atomic) holding its owner's pid, so a lock left by a killed process
 * is taken over rather than waited on forever.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const POLL_MS = 250;

function holderAlive(lock: string): boolean {
  try {
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive but not ours; no pid file yet: its holder is just starting.
    const code = (err as { code?: string }).code;
    return code === 'EPERM' || (code === 'ENOENT' && existsSync(lock));
  }
}

/** Takes the lock if it is free (or its holder is dead); true if this process now holds it. */
export function tryLock(lock: string): boolean {
  mkdirSync(dirname(lock), { recursive: true });
  try {
    mkdirSync(lock);
  } catch {
    if (!holderAlive(lock)) rmSync(lock, { recursive: true, force: true });
    return false;
  }
  writeFileSync(join(lock, 'pid'), String(process.pid));
  return true;
}

export const unlock = (lock: string): void => rmSync(lock, { recursive: true, force: true });

/** Waits for the lock (at most `waitMs`, then throws naming it); returns its release. */
export async function acquireLock(lock: string, waitMs: number): Promise<() => void> {
  const deadline = Date.now() + waitMs;
  while (!tryLock(lock)) {
    if (Date.now() > deadline) throw new Error(`waited ${waitMs} ms for the lock ${lock}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return () => unlock(lock);
}

/**
 * The tests that run a whole cloud under load (autoscaling, the end-to-end
 * spike, the short chaos run) hold this while they run, so two of them never
 * share the two cores: beside each other and a busy core the autoscaling
 * test's consumers were starved (docs/testing.md, "Known flaky pairing").
 */
export const LOAD_LOCK = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'test-artifacts',
  'load.lock',
);
/** The others' longest runs on a busy machine, twice over: a bound for a hung holder. */
export const LOAD_LOCK_WAIT_MS = 600_000;
export const holdLoadLock = (): Promise<() => void> => acquireLock(LOAD_LOCK, LOAD_LOCK_WAIT_MS);
