/**
 * Object bytes as files, one per blob id, for S3 on a data dir. A blob is
 * written whole (atomic rename) before the metadata naming it can be
 * saved; a deleted blob's file goes only after a later snapshot that no
 * longer names it was taken, so a crash never leaves saved metadata
 * pointing at a missing file. Files no saved metadata names (a crash
 * between a put and the next snapshot) are removed at the next start.
 */
import { existsSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file';

const ID = /^[A-Za-z0-9-]{1,128}$/;

export class FileBlobStore {
  /** deleted since the last snapshot: still named by the snapshot on disk */
  private deletedSinceSnapshot: string[] = [];
  /** deleted before the last snapshot was taken: safe to remove once it is on disk */
  private deletedBeforeSnapshot: string[] = [];

  constructor(private readonly dir: string) {}

  put(id: string, data: Buffer): void {
    writeFileAtomic(this.path(id), data);
  }

  has(id: string): boolean {
    return existsSync(this.path(id));
  }

  get(id: string): Buffer | undefined {
    const p = this.path(id);
    return existsSync(p) ? readFileSync(p) : undefined;
  }

  delete(id: string): void {
    this.deletedSinceSnapshot.push(id);
  }

  /**
   * A snapshot is being taken: the previous one is on disk by now, so files deleted before it
   * are named by no saved state any more.
   */
  snapshotTaken(): void {
    for (const id of this.deletedBeforeSnapshot) this.remove(id);
    this.deletedBeforeSnapshot = this.deletedSinceSnapshot;
    this.deletedSinceSnapshot = [];
  }

  /** After a restore: remove every file the restored state does not name. */
  keepOnly(ids: Iterable<string>): void {
    const keep = new Set(ids);
    for (const f of readdirSync(this.dir)) if (!keep.has(f)) this.remove(f);
  }

  private remove(id: string): void {
    try {
      unlinkSync(join(this.dir, id));
    } catch {
      // already gone
    }
  }

  private path(id: string): string {
    if (!ID.test(id)) throw new Error(`invalid blob id "${id}"`);
    return join(this.dir, id);
  }
}
