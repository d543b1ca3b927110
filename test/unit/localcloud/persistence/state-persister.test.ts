/**
 * The persister: a part's state survives a close and a reopen, journal
 * events appended after the last snapshot are replayed (a kill), a torn last
 * journal line is ignored, and a data dir that is not a cloud's is refused
 * with one line.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatePart } from '../../../../localcloud/contracts';
import { DataDir, DataDirError } from '../../../../localcloud/persistence/data-dir';
import { StatePersister } from '../../../../localcloud/persistence/state-persister';

const dirs: string[] = [];
const newDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'persister-test-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function counterPart(state: { n: number; events: unknown[] }): StatePart {
  return {
    name: 'counter',
    snapshot: () => ({ n: state.n }),
    restore: (saved, journal) => {
      state.n = (saved as { n: number } | undefined)?.n ?? 0;
      state.events = [...journal];
    },
  };
}

const open = (dir: string) => new StatePersister(DataDir.open(dir, 'us-east-1'), { log: () => {} });

describe('StatePersister', () => {
  it('restores what was saved at close', () => {
    const dir = newDir();
    const a = { n: 0, events: [] as unknown[] };
    const p1 = open(dir);
    p1.register(counterPart(a));
    a.n = 42;
    p1.close();
    const b = { n: 0, events: [] as unknown[] };
    open(dir).register(counterPart(b));
    expect(b.n).toBe(42);
  });

  it('replays the journal after a kill (no close), ignoring a torn last line', () => {
    const dir = newDir();
    const a = { n: 0, events: [] as unknown[] };
    const p1 = open(dir);
    const journal = p1.register(counterPart(a));
    journal.append({ cut: 1 });
    journal.append({ cut: 2 });
    const file = readdirSync(join(dir, 'state')).find((f) => f.endsWith('.journal'))!;
    appendFileSync(join(dir, 'state', file), '{"cut":'); // killed mid-write
    // Nothing saved after the appends, as after a kill (abandon only closes the files and the lock).
    p1.abandon();
    const b = { n: 0, events: [] as unknown[] };
    open(dir).register(counterPart(b));
    expect(b.events).toEqual([{ cut: 1 }, { cut: 2 }]);
  });

  it('refuses a non-empty directory that holds no cloud, and another region, in one line', () => {
    const dir = newDir();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    expect(() => DataDir.open(dir, 'us-east-1')).toThrow(DataDirError);
    expect(() => DataDir.open(dir, 'us-east-1')).toThrow(/not empty and holds no local cloud/);
    const other = newDir();
    DataDir.open(other, 'us-east-1').release();
    expect(() => DataDir.open(other, 'eu-west-1')).toThrow(/holds a us-east-1 cloud/);
  });
});
