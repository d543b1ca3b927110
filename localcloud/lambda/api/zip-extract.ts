/**
 * Unpack a ZIP archive (CreateFunction's ZipFile) into a directory: stored
 * and deflated entries, which is what `zip` and the AWS tools produce. Small
 * enough to keep here rather than add a package for one call.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { inflateRawSync } from 'node:zlib';

export class ZipError extends Error {}

export function extractZip(zip: Buffer, targetDir: string): number {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new ZipError('ZipFile is not a ZIP archive (no end of central directory)');
  const entries = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const root = resolve(targetDir);
  let files = 0;
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(p) !== 0x02014b50)
      throw new ZipError('ZipFile has a damaged central directory');
    const method = zip.readUInt16LE(p + 10);
    const compressedSize = zip.readUInt32LE(p + 20);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const localOffset = zip.readUInt32LE(p + 42);
    const name = zip.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;
    const out = resolve(root, name);
    if (out !== root && !out.startsWith(root + sep))
      throw new ZipError(`ZipFile entry ${name} points outside the archive`);
    if (name.endsWith('/')) {
      mkdirSync(out, { recursive: true });
      continue;
    }
    const localNameLen = zip.readUInt16LE(localOffset + 26);
    const localExtraLen = zip.readUInt16LE(localOffset + 28);
    const start = localOffset + 30 + localNameLen + localExtraLen;
    const raw = zip.subarray(start, start + compressedSize);
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) data = inflateRawSync(raw);
    else
      throw new ZipError(
        `ZipFile entry ${name} uses compression method ${method}; only stored and deflated entries are supported`,
      );
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(join(out), data);
    files++;
  }
  return files;
}
