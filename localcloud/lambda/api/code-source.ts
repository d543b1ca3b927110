/**
 * Where a function's code comes from: LocalStack's hot-reload convention
 * (S3Bucket "hot-reload", S3Key = absolute directory holding the bundle,
 * e.g. cdk.out/asset.<hash>/), mounted in place and re-read by new workers;
 * or a ZipFile, unpacked into a temporary directory; or a zip in the
 * cloud's S3 (as AWS takes code from S3), unpacked the same way.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { ObjectReader } from '../../contracts';
import { extractZip, ZipError } from './zip-extract';

export const HOT_RELOAD_BUCKET = 'hot-reload';

export class CodeError extends Error {}

export interface LoadedCode {
  dir: string;
  sha256: string;
  size: number;
  location: string;
  /** a directory we made (ZipFile) and remove when the code is replaced */
  owned: boolean;
  /** the zip it was unpacked from, when it was one (kept on a data dir to unpack it again) */
  zip?: Buffer;
}

export interface CodeInput {
  ZipFile?: string;
  S3Bucket?: string;
  S3Key?: string;
  ImageUri?: string;
}

export function loadCode(code: CodeInput | undefined, objects?: ObjectReader): LoadedCode {
  if (!code)
    throw new CodeError(
      'Code is required: { S3Bucket: "hot-reload", S3Key: "<absolute bundle directory>" } or { ZipFile }',
    );
  if (code.ImageUri)
    throw new CodeError(
      'container images are not supported by the embedded local cloud; use a Zip function',
    );
  if (code.S3Bucket && code.S3Bucket !== HOT_RELOAD_BUCKET && objects) {
    const zip = objects.readObject(code.S3Bucket, code.S3Key ?? '');
    if (!zip)
      throw new CodeError(
        `Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist. (s3://${code.S3Bucket}/${code.S3Key ?? ''})`,
      );
    return unpackZip(zip, `s3://${code.S3Bucket}/${code.S3Key ?? ''}`);
  }
  if (code.ZipFile) return unpackZip(Buffer.from(code.ZipFile, 'base64'));
  if (code.S3Bucket === HOT_RELOAD_BUCKET) {
    const dir = code.S3Key ?? '';
    if (!isAbsolute(dir) || !existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new CodeError(
        `hot-reload S3Key must be an absolute path to an existing directory with the bundle (got "${dir}")`,
      );
    }
    const { sha256, size } = hashDirectory(dir);
    return { dir, sha256, size, location: dir, owned: false };
  }
  throw new CodeError(
    `S3 code (bucket "${code.S3Bucket ?? ''}") is not supported by the embedded local cloud (no S3): use S3Bucket "hot-reload" with S3Key the absolute bundle directory, or ZipFile`,
  );
}

/** A zip unpacked into a directory of our own; `location` defaults to that directory. */
export function unpackZip(zip: Buffer, location?: string): LoadedCode {
  const dir = mkdtempSync(join(tmpdir(), 'streamscale-lambda-'));
  try {
    extractZip(zip, dir);
  } catch (err) {
    throw new CodeError(
      err instanceof ZipError ? err.message : `could not unpack ZipFile: ${(err as Error).message}`,
    );
  }
  return {
    dir,
    sha256: createHash('sha256').update(zip).digest('base64'),
    size: zip.length,
    location: location ?? dir,
    owned: true,
    zip,
  };
}

/** Hash of the directory's top-level files (a cdk.out asset is one flat directory). */
function hashDirectory(dir: string): { sha256: string; size: number } {
  const h = createHash('sha256');
  let size = 0;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (!statSync(p).isFile()) continue;
    const data = readFileSync(p);
    size += data.length;
    h.update(name).update('\0').update(data);
  }
  return { sha256: h.digest('base64'), size };
}
