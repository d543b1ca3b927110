/**
 * Files replaced whole or not at all: written beside the target, then
 * renamed over it (rename is atomic on one filesystem), so a crash at any
 * moment leaves the old file or the new one, never a torn mix.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** `durable`: fsync the file and its directory too (survives an OS crash, not only a killed process). */
export function writeFileAtomic(path: string, data: string | Buffer, durable = false): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeFileSync(fd, data);
    if (durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  if (durable) syncDir(dirname(path));
}

export function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // some filesystems refuse fsync on a directory; the rename itself is still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
