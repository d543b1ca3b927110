/**
 * Saves the cloud's parts (StatePart) in the data dir and restores them:
 * each part's snapshot is one JSON file replaced atomically, every
 * `snapshotIntervalMs` when it changed and once more when the cloud stops;
 * between snapshots a part may append to its journal (write-ahead), and a
 * restore replays the journal over the snapshot.
 *
 * Journals rotate with the snapshots: snapshot N names journal N+1, which
 * is opened (empty) before snapshot N is renamed into place, all in one
 * synchronous step, so no event can fall between the two; a crash before
 * the rename leaves snapshot N-1 with journal N intact. An older journal
 * is deleted once the newer snapshot is in place.
 */
import { existsSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { PERSISTENCE } from '../config';
import type { Persistence, StateJournal, StatePart } from '../contracts';
import { writeFileAtomic } from './atomic-file';
import { DataDir, DataDirError, oneLine } from './data-dir';
import { JournalFile, readJournal } from './journal';

export interface PersisterOptions {
  snapshotIntervalMs?: number;
  log: (line: string) => void;
}

interface Entry {
  part: StatePart;
  generation: number;
  journal: JournalFile;
  /** the state text last written, to skip unchanged parts */
  lastText?: string;
  lastSavedAt: number;
}

interface SnapshotFile {
  part: string;
  generation: number;
  savedAt: string;
  state: unknown;
}

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

export class StatePersister implements Persistence {
  private readonly entries = new Map<string, Entry>();
  private readonly stateDir: string;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Immediate | undefined;
  private closed = false;

  constructor(
    readonly dataDir: DataDir,
    private readonly opts: PersisterOptions,
  ) {
    this.stateDir = dataDir.sub('state');
    this.intervalMs = opts.snapshotIntervalMs ?? PERSISTENCE.snapshotIntervalMs;
  }

  dir(name: string): string {
    return this.dataDir.sub(name);
  }

  register(part: StatePart): StateJournal {
    if (!NAME.test(part.name) || this.entries.has(part.name))
      throw new Error(`state part name "${part.name}" is invalid or taken`);
    const saved = this.readSnapshot(part.name);
    const generation = saved?.generation ?? 0;
    const events = readJournal(this.journalPath(part.name, generation));
    try {
      part.restore(saved?.state, events);
    } catch (err) {
      throw new DataDirError(
        `data dir ${this.dataDir.path}: the saved ${part.name} state cannot be restored (${oneLine(err)}); start with a new --data-dir`,
      );
    }
    const entry: Entry = {
      part,
      generation,
      journal: new JournalFile(this.journalPath(part.name, generation)),
      lastSavedAt: 0,
    };
    this.entries.set(part.name, entry);
    // Fold the replayed journal into a fresh snapshot at once.
    this.save(entry, true);
    this.removeStaleJournals(part.name, entry.generation);
    return { append: (event) => entry.journal.append(event) };
  }

  /** Periodic snapshots from now on. */
  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Every part saved now (fsynced), journals closed, the dir unlocked. Call once the parts are quiet. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearImmediate(this.soon);
    for (const e of this.entries.values()) {
      try {
        this.save(e, true, true);
      } catch (err) {
        this.opts.log(`could not save ${e.part.name} state: ${oneLine(err)}`);
      }
      e.journal.close();
    }
    this.dataDir.release();
  }

  /**
   * Saves the small parts (those without their own interval) that changed, right after the
   * current turn of the event loop: called after each control-plane request is answered, so a
   * kill loses no deploy, function or parameter that was acknowledged more than a moment before.
   */
  saveSoon(): void {
    if (this.soon || this.closed) return;
    this.soon = setImmediate(() => {
      this.soon = undefined;
      if (this.closed) return;
      for (const e of this.entries.values()) if (e.part.intervalMs === undefined) this.trySave(e);
    });
  }

  /** A start that failed: journals closed and the dir unlocked, nothing saved over what is there. */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearImmediate(this.soon);
    for (const e of this.entries.values()) e.journal.close();
    this.dataDir.release();
  }

  private tick(): void {
    const now = Date.now();
    for (const e of this.entries.values()) {
      if (now - e.lastSavedAt < (e.part.intervalMs ?? this.intervalMs)) continue;
      this.trySave(e);
    }
  }

  private trySave(e: Entry): void {
    try {
      this.save(e);
    } catch (err) {
      // A full disk or a vanished dir: keep running in memory, try again next time.
      this.opts.log(`could not save ${e.part.name} state: ${oneLine(err)}`);
    }
  }

  /** Snapshot the part if it changed (or `force`), rotating its journal. Synchronous on purpose. */
  private save(e: Entry, force = false, durable = false): void {
    const text = JSON.stringify(e.part.snapshot() ?? null);
    e.lastSavedAt = Date.now();
    if (!force && text === e.lastText && e.journal.appended === 0) return;
    const next = e.generation + 1;
    const journal = new JournalFile(this.journalPath(e.part.name, next));
    const header = JSON.stringify({
      part: e.part.name,
      generation: next,
      savedAt: new Date().toISOString(),
    });
    try {
      writeFileAtomic(
        this.snapshotPath(e.part.name),
        `${header.slice(0, -1)},"state":${text}}\n`,
        durable,
      );
    } catch (err) {
      journal.close();
      throw err;
    }
    const old = e.journal;
    e.journal = journal;
    old.close();
    unlinkQuietly(old.path);
    e.generation = next;
    e.lastText = text;
  }

  private readSnapshot(name: string): SnapshotFile | undefined {
    const path = this.snapshotPath(name);
    if (!existsSync(path)) return undefined;
    let file: SnapshotFile;
    try {
      file = JSON.parse(readFileSync(path, 'utf8')) as SnapshotFile;
    } catch (err) {
      throw new DataDirError(
        `data dir ${this.dataDir.path}: ${path} is unreadable (${oneLine(err)})`,
      );
    }
    if (file?.part !== name || !Number.isInteger(file.generation))
      throw new DataDirError(`data dir ${this.dataDir.path}: ${path} is not a ${name} snapshot`);
    return file;
  }

  private removeStaleJournals(name: string, keep: number): void {
    for (const f of readdirSync(this.stateDir)) {
      const m = /^(.+)\.(\d+)\.journal$/.exec(f);
      if (m?.[1] === name && Number(m[2]) !== keep) unlinkQuietly(join(this.stateDir, f));
    }
  }

  private snapshotPath(name: string): string {
    return join(this.stateDir, `${name}.json`);
  }

  private journalPath(name: string, generation: number): string {
    return join(this.stateDir, `${name}.${generation}.journal`);
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
