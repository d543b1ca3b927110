/**
 * A part's write-ahead journal: one JSON event per line, appended with a
 * plain write(2) before the part acts on it, so it survives the process
 * being killed the next instant (the OS has it; no fsync, so not an OS
 * crash). A write cut short by a kill leaves a torn last line, which
 * reading ignores; a bad line anywhere else means the file was damaged.
 */
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { StateJournal } from '../contracts';
import { DataDirError, oneLine } from './data-dir';

export class JournalFile implements StateJournal {
  private fd: number | undefined;
  appended = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  append(event: object): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, `${JSON.stringify(event)}\n`);
    this.appended++;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** The events of a journal file, oldest first; none when it does not exist. */
export function readJournal(path: string): unknown[] {
  if (!existsSync(path)) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DataDirError(`${path} is unreadable (${oneLine(err)})`);
  }
  const lines = text.split('\n');
  const events: unknown[] = [];
  lines.forEach((line, i) => {
    if (line === '') return;
    try {
      events.push(JSON.parse(line));
    } catch {
      // Only the last line can be torn (the process was killed while appending it).
      const last = i === lines.length - 1;
      if (!last) throw new DataDirError(`${path} is damaged at line ${i + 1}`);
    }
  });
  return events;
}
