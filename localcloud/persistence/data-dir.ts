/**
 * The local cloud's data dir (`--data-dir DIR`): created when missing,
 * stamped with the data format it holds, locked while a cloud runs on it.
 * Anything wrong with it is one line (DataDirError) before a service
 * starts, never a stack trace or a half-started cloud.
 *
 *   DIR/streamscale-cloud.json   the stamp: data format, region, created
 *   DIR/cloud.lock               the running cloud's pid
 *   DIR/state/                   the parts' snapshots and journals (state-persister.ts)
 *   DIR/<part>/                  a part's own files (kinesalite's and dynalite's LevelDB, object bytes)
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { PERSISTENCE } from '../config';
import { writeFileAtomic } from './atomic-file';

export const STAMP_FILE = 'streamscale-cloud.json';
const LOCK_FILE = 'cloud.lock';
const STAMP_KIND = 'streamscale-local-cloud';

export class DataDirError extends Error {}

interface Stamp {
  kind: string;
  format: number;
  region: string;
  created: string;
}

/** Dirs this process holds: a second cloud on one dir in one process is refused too. */
const held = new Set<string>();

export class DataDir {
  private released = false;

  private constructor(
    readonly path: string,
    readonly created: boolean,
  ) {}

  /** Opens (creating if needed) and locks the dir for a cloud of `region`. */
  static open(path: string, region: string): DataDir {
    const dir = resolve(path);
    const created = prepare(dir);
    const stampPath = join(dir, STAMP_FILE);
    if (created) {
      const stamp: Stamp = {
        kind: STAMP_KIND,
        format: PERSISTENCE.dataFormat,
        region,
        created: new Date().toISOString(),
      };
      writeFileAtomic(stampPath, `${JSON.stringify(stamp, null, 2)}\n`, true);
    } else checkStamp(dir, readStamp(dir), region);
    lock(dir);
    return new DataDir(dir, created);
  }

  /** A sub-directory of the dir, created. */
  sub(name: string): string {
    const p = join(this.path, name);
    mkdirSync(p, { recursive: true });
    return p;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this.path);
    try {
      unlinkSync(join(this.path, LOCK_FILE));
    } catch {
      // already gone: nothing to release
    }
  }
}

/** True when the dir is new (missing or empty), false when it holds a cloud's data. */
function prepare(dir: string): boolean {
  try {
    if (existsSync(dir) && !statSync(dir).isDirectory())
      throw new DataDirError(`data dir ${dir} is a file, not a directory`);
    mkdirSync(dir, { recursive: true });
    const entries = readdirSync(dir);
    if (entries.includes(STAMP_FILE)) return false;
    if (entries.length > 0)
      throw new DataDirError(
        `data dir ${dir} is not empty and holds no local cloud (no ${STAMP_FILE}); choose a new or empty directory`,
      );
    return true;
  } catch (err) {
    if (err instanceof DataDirError) throw err;
    throw new DataDirError(`data dir ${dir} cannot be used: ${oneLine(err)}`);
  }
}

function readStamp(dir: string): Stamp {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(dir, STAMP_FILE), 'utf8'));
  } catch (err) {
    throw new DataDirError(`data dir ${dir}: ${STAMP_FILE} is unreadable (${oneLine(err)})`);
  }
  const s = raw as Partial<Stamp> | null;
  if (!s || s.kind !== STAMP_KIND || typeof s.format !== 'number' || typeof s.region !== 'string')
    throw new DataDirError(`data dir ${dir}: ${STAMP_FILE} is not a local cloud's stamp`);
  return s as Stamp;
}

function checkStamp(dir: string, s: Stamp, region: string): void {
  if (s.format !== PERSISTENCE.dataFormat)
    throw new DataDirError(
      `data dir ${dir} holds data format ${s.format}; this local cloud reads format ${PERSISTENCE.dataFormat} only (start with a new --data-dir)`,
    );
  if (s.region !== region)
    throw new DataDirError(
      `data dir ${dir} holds a ${s.region} cloud; start it with region ${s.region} or use another --data-dir`,
    );
}

function lock(dir: string): void {
  const lockPath = join(dir, LOCK_FILE);
  if (held.has(dir))
    throw new DataDirError(`data dir ${dir} is in use by another local cloud in this process`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      held.add(dir);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new DataDirError(`data dir ${dir} cannot be locked: ${oneLine(err)}`);
    }
    const pid = Number(readFileSync(lockPath, 'utf8').trim());
    if (pid !== process.pid && alive(pid))
      throw new DataDirError(
        `data dir ${dir} is in use by another local cloud (pid ${pid}); stop it or choose another --data-dir`,
      );
    // A lock left by a cloud that was killed: take it over.
    unlinkSync(lockPath);
  }
  throw new DataDirError(`data dir ${dir} cannot be locked`);
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function oneLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!;
}
