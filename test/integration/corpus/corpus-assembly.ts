/**
 * The corpus apps' cloud assemblies, synthesized once per content: the key
 * hashes the apps, their handlers, the synth script and package-lock.json, so
 * a change to an app, a handler or a dependency synthesizes anew; otherwise
 * test-artifacts/corpus/<key>/ is reused. All apps synthesize in one child
 * process (synth-corpus.ts). Parallel test processes wait for the first.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from '../../support/synth-cache';

const CORPUS_DIR = dirname(fileURLToPath(import.meta.url));
const CACHE_ROOT = join(PROJECT_ROOT, 'test-artifacts', 'corpus');
/** Bounds a hung synth (ten apps with esbuild bundling take well under a minute on a quiet machine). */
export const CORPUS_SYNTH_TIMEOUT_MS = 300_000;

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? files(p) : [p];
    });
}

export function corpusKey(): string {
  const hash = createHash('sha256');
  const sources = [
    ...files(join(CORPUS_DIR, 'apps')),
    ...files(join(CORPUS_DIR, 'handlers')),
    join(CORPUS_DIR, 'synth-corpus.ts'),
    join(PROJECT_ROOT, 'package-lock.json'),
  ];
  for (const f of sources) {
    hash.update(`\0${relative(PROJECT_ROOT, f)}\0`);
    hash.update(readFileSync(f));
  }
  return hash.digest('hex').slice(0, 20);
}

function synth(outdir: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(
      join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'),
      [join(CORPUS_DIR, 'synth-corpus.ts'), outdir],
      { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const output: string[] = [];
    child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), CORPUS_SYNTH_TIMEOUT_MS);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) done();
      else
        fail(
          new Error(
            `corpus synth failed (exit ${code}):\n${output.join('').trim().split('\n').slice(-15).join('\n')}`,
          ),
        );
    });
  });
}

/** The directory holding one assembly per corpus app (by app name). */
export async function corpusAssemblies(): Promise<string> {
  const key = corpusKey();
  const dir = join(CACHE_ROOT, key);
  const lock = `${dir}.lock`;
  mkdirSync(CACHE_ROOT, { recursive: true });
  const deadline = Date.now() + CORPUS_SYNTH_TIMEOUT_MS * 2;
  while (!existsSync(join(dir, 'done'))) {
    try {
      mkdirSync(lock);
    } catch {
      if (Date.now() > deadline)
        throw new Error(`waited too long for another corpus synth of ${dir}`);
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      const partial = `${dir}.partial-${process.pid}`;
      rmSync(partial, { recursive: true, force: true });
      await synth(partial);
      writeFileSync(join(partial, 'done'), '');
      rmSync(dir, { recursive: true, force: true });
      renameSync(partial, dir);
      for (const old of readdirSync(CACHE_ROOT))
        if (/^[0-9a-f]{20}$/.test(old) && old !== key)
          rmSync(join(CACHE_ROOT, old), { recursive: true, force: true });
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return dir;
}
