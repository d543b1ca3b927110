import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock, tryLock, unlock } from '../../support/machine-lock';

const dir = mkdtempSync(join(tmpdir(), 'machine-lock-'));
const lock = join(dir, 'x.lock');
afterEach(() => rmSync(lock, { recursive: true, force: true }));

describe('machine lock', () => {
  it('takes a free lock once, recording its pid; unlock frees it', () => {
    expect(tryLock(lock)).toBe(true);
    expect(readFileSync(join(lock, 'pid'), 'utf8')).toBe(String(process.pid));
    expect(tryLock(lock)).toBe(false); // held by a live process (this one)
    unlock(lock);
    expect(tryLock(lock)).toBe(true);
  });

  it("takes over a dead holder's lock", () => {
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), '2147483646'); // no such process
    expect(tryLock(lock)).toBe(false); // cleared now…
    expect(tryLock(lock)).toBe(true); // …and taken
  });

  it('gives up waiting for a live holder after the bound, naming the lock', async () => {
    expect(tryLock(lock)).toBe(true);
    await expect(acquireLock(lock, 300)).rejects.toThrow(`for the lock ${lock}`);
  });
});
