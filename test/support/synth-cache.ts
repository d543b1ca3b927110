/**
 * `cdk synth` once per distinct template: tests that deploy the real stack
 * ask for a cloud assembly by the STREAMSCALE_* settings they synthesize
 * with, and get a directory under test-artifacts/synth/<key>/ that the CLI
 * wrote (`cdk synth -q -o`, as a user runs it). The key hashes those
 * settings and every file the synth reads (infra/, functions/, cdk.json,
 * package-lock.json, tsconfig.json), so a change to any of them synthesizes
 * anew, and a repeat run — or a second test with the same settings — reuses
 * the assembly. Test workers run in parallel processes: the first to need a
 * key synthesizes it under a lock, the others wait for it (bounded).
 *
 * Deploys only read an assembly, so one directory serves every test.
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
  utimesSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tryLock, unlock } from './machine-lock';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CACHE_ROOT = join(PROJECT_ROOT, 'test-artifacts', 'synth');
const SOURCES = ['infra', 'functions', 'cdk.json', 'package-lock.json', 'tsconfig.json'];
/** A synth on a busy 2-core machine takes under a minute; this bounds a hung one. */
export const SYNTH_TIMEOUT_MS = 240_000;
const LOCK_POLL_MS = 250;
/** Assemblies kept (most recently used first); older ones are removed. */
const KEEP = 8;

/** The settings a synth reads from the environment (functions/config.ts ENV_KEYS). */
export interface SynthSettings {
  STREAMSCALE_CONFIG?: string;
  STREAMSCALE_PREFIX?: string;
  STREAMSCALE_METRICS_NAMESPACE?: string;
}

/**
 * The default stack under a prefix of its own: the synth test checks that the
 * prefix is honoured and the deploy test deploys this stack, so one synth
 * serves both.
 */
export const DEFAULT_STACK_SETTINGS = { STREAMSCALE_PREFIX: 'sssynth' } as const;

function filesUnder(path: string, out: string[]): string[] {
  const st = statSync(path);
  if (st.isFile()) out.push(path);
  else
    for (const name of readdirSync(path).sort()) {
      if (name === 'node_modules' || name === 'cdk.out') continue;
      filesUnder(join(path, name), out);
    }
  return out;
}

/** The key of an assembly: the settings and the content of every source the synth reads. */
export function synthKey(settings: SynthSettings, root = PROJECT_ROOT): string {
  const hash = createHash('sha256');
  const entries = Object.entries(settings)
    .filter(([, v]) => v !== undefined && v !== '')
    .sort(([a], [b]) => a.localeCompare(b));
  hash.update(JSON.stringify(entries));
  for (const top of SOURCES) {
    const path = join(root, top);
    if (!existsSync(path)) continue;
    for (const file of filesUnder(path, [])) {
      hash.update(`\0${relative(root, file)}\0`);
      hash.update(readFileSync(file));
    }
  }
  return hash.digest('hex').slice(0, 20);
}

function runCdkSynth(settings: SynthSettings, outdir: string): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('STREAMSCALE_')) delete env[k];
  Object.assign(env, settings);
  return new Promise((done, fail) => {
    const child = spawn(
      join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk'),
      ['synth', '-q', '-o', outdir],
      { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const output: string[] = [];
    child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), SYNTH_TIMEOUT_MS);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) done();
      else {
        const tail = output.join('').trim().split('\n').slice(-15).join('\n');
        fail(new Error(`cdk synth failed (${signal ?? `exit ${code}`}):\n${tail}`));
      }
    });
  });
}

function prune(keepKey: string): void {
  const entries = readdirSync(CACHE_ROOT)
    .filter((n) => /^[0-9a-f]{20}$/.test(n) && n !== keepKey)
    .map((n) => ({ n, t: statSync(join(CACHE_ROOT, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { n } of entries.slice(KEEP - 1)) {
    rmSync(join(CACHE_ROOT, n), { recursive: true, force: true });
  }
}

/**
 * The cloud assembly (cdk.out directory) for these settings: from the cache,
 * or synthesized now. Throws the synth's own last lines if it fails.
 */
export async function synthesizedAssembly(settings: SynthSettings = {}): Promise<string> {
  const key = synthKey(settings);
  const dir = join(CACHE_ROOT, key);
  const lock = `${dir}.lock`;
  mkdirSync(CACHE_ROOT, { recursive: true });
  const deadline = Date.now() + SYNTH_TIMEOUT_MS * 2;
  for (;;) {
    if (existsSync(join(dir, 'manifest.json'))) {
      const now = new Date();
      utimesSync(dir, now, now); // most recently used
      return dir;
    }
    if (!tryLock(lock)) {
      if (Date.now() > deadline)
        throw new Error(`waited ${SYNTH_TIMEOUT_MS * 2} ms for another synth of ${dir}`);
      await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
      continue;
    }
    try {
      const partial = `${dir}.partial-${process.pid}`;
      rmSync(partial, { recursive: true, force: true });
      try {
        await runCdkSynth(settings, partial);
      } catch (err) {
        rmSync(partial, { recursive: true, force: true });
        throw err;
      }
      rmSync(dir, { recursive: true, force: true });
      renameSync(partial, dir);
      prune(key);
    } finally {
      unlock(lock);
    }
  }
}
