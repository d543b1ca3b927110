/**
 * deploy:local figures: how long `cdk synth` takes (skipped when the
 * assembly in test-artifacts/deploy-local/cdk.out is newer than every source
 * under infra/ and functions/), and how long deploying the project's stack
 * onto a fresh embedded cloud takes, first (everything created) and again
 * (nothing changed).
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalCloud } from '../../../localcloud/start-local-cloud';
import { deployLocal, runSynth } from '../../../localcloud/deploy/deploy-local';
import type { BenchFigure } from '../run';

export const name = 'deploy-local';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CDK_OUT = join(ROOT, 'test-artifacts', 'deploy-local', 'cdk.out');

function newest(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n = Math.max(n, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return n;
}

function fresh(): boolean {
  try {
    return (
      statSync(join(CDK_OUT, 'manifest.json')).mtimeMs >
      Math.max(newest(join(ROOT, 'infra')), newest(join(ROOT, 'functions')))
    );
  } catch {
    return false;
  }
}

export async function run(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  if (!fresh()) {
    const t = performance.now();
    await runSynth(ROOT, CDK_OUT, () => {});
    figures.push({
      figure: 'cdk synth (3 esbuild bundles, cdk-nag)',
      value: (performance.now() - t) / 1000,
      unit: 's',
    });
  }
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  const cloud = await startLocalCloud({ port: 0, log: () => {} });
  const stateDir = mkdtempSync(join(tmpdir(), 'bench-deploy-'));
  try {
    const deploy = async () => {
      const t = performance.now();
      const r = await deployLocal({
        endpoint: cloud.endpoint,
        cdkOut: CDK_OUT,
        synth: false,
        projectRoot: ROOT,
        stateDir,
        log: () => {},
      });
      return { ms: performance.now() - t, resources: r.stacks[0]!.resources.length };
    };
    const first = await deploy();
    figures.push({
      figure: `first deploy of the stack (${first.resources} resources)`,
      value: first.ms,
      unit: 'ms',
    });
    const again = await deploy();
    figures.push({ figure: 'redeploy, nothing changed', value: again.ms, unit: 'ms' });
  } finally {
    await cloud.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
  return figures;
}
