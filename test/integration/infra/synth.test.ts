/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized CloudFormation JSON is untyped; the assertions give it shape */
/**
 * `cdk synth` for real, through the CLI and cdk.json as a user runs it: the
 * app honours STREAMSCALE_PREFIX, esbuild bundles every handler locally, and
 * each bundle is a self-contained ES module (AWS SDK included) that loads in
 * plain Node.js from a directory with no node_modules and exports `handler`.
 * Bad configuration ends the synth with one readable line. A bundle holds
 * the function's code only: no tools/, producer/ or cloud file.
 * The assembly is test/support/synth-cache.ts's (the CLI's output, cached
 * per content of the sources; the deploy test deploys the same one).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resourceNames } from '../../../functions/config';
import { ESM_REQUIRE_BANNER, PROJECT_ROOT } from '../../../infra/pipeline-function';
import { DEFAULT_STACK_SETTINGS, synthesizedAssembly } from '../../support/synth-cache';
import { COMMAND_BOUND_MS } from '../../support/command-bound';

const names = resourceNames(DEFAULT_STACK_SETTINGS.STREAMSCALE_PREFIX);
const bin = (name: string) => join(PROJECT_ROOT, 'node_modules', '.bin', name);

type Resource = {
  Type: string;
  Properties: Record<string, any>;
  Metadata?: Record<string, string>;
};
let outdir: string;
let resources: Record<string, Resource>;

beforeAll(async () => {
  outdir = await synthesizedAssembly(DEFAULT_STACK_SETTINGS);
  const template = JSON.parse(readFileSync(join(outdir, `${names.stack}.template.json`), 'utf8'));
  resources = template.Resources;
}, 300_000);

describe('cdk synth', () => {
  it('succeeds with the cdk-nag checks on and names the stack from STREAMSCALE_PREFIX', () => {
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.artifacts)).toContain(names.stack);
    const types = Object.values(resources).map((r) => r.Type);
    for (const t of [
      'AWS::Kinesis::Stream',
      'AWS::DynamoDB::Table',
      'AWS::Lambda::Function',
      'AWS::Lambda::EventSourceMapping',
      'AWS::SQS::Queue',
      'AWS::Events::Rule',
      'AWS::CloudWatch::Dashboard',
    ]) {
      expect(types).toContain(t);
    }
    // No version-reporting resource: cdk.json turns it off (nothing for deployers to skip).
    expect(types).not.toContain('AWS::CDK::Metadata');
  });

  describe.each(['consumer', 'closer', 'scaler'] as const)('the %s bundle', (which) => {
    const functionName = {
      consumer: names.consumerFunction,
      closer: names.closerFunction,
      scaler: names.scalerFunction,
    }[which];
    const fn = () =>
      Object.values(resources).find(
        (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName === functionName,
      )!;
    const assetDir = () => join(outdir, fn().Metadata!['aws:asset:path']!);

    it('is an ES module with the require banner and a source map', () => {
      expect(fn().Properties.Handler).toBe('index.handler');
      const code = readFileSync(join(assetDir(), 'index.mjs'), 'utf8');
      expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
      expect(existsSync(join(assetDir(), 'index.mjs.map'))).toBe(true);
    });

    it('holds the function code and no tools/, producer/, localcloud/ or infra/ source', () => {
      // The source map lists every file esbuild put into the bundle.
      const map = JSON.parse(readFileSync(join(assetDir(), 'index.mjs.map'), 'utf8')) as {
        sources: string[];
      };
      const ours = map.sources.filter((s) => !s.includes('node_modules/'));
      expect(ours.some((s) => s.endsWith(`functions/handlers/${which}.ts`))).toBe(true);
      expect(
        ours.filter((s) => /(^|\/)(tools|producer|localcloud|localstack|infra)\//.test(s)),
      ).toEqual([]);
    });

    it('loads without node_modules and exports handler', () => {
      // Copy the bundle where no node_modules can be found by walking up.
      const isolated = mkdtempSync(join(tmpdir(), `streamscale-bundle-${which}-`));
      try {
        mkdirSync(isolated, { recursive: true });
        copyFileSync(join(assetDir(), 'index.mjs'), join(isolated, 'index.mjs'));
        // The function's environment as the template sets it (unresolved references as placeholders).
        const env: Record<string, string> = {
          PATH: process.env.PATH ?? '',
          AWS_REGION: 'us-east-1',
        };
        for (const [k, v] of Object.entries(
          fn().Properties.Environment.Variables as Record<string, unknown>,
        )) {
          env[k] = typeof v === 'string' ? v : `placeholder-${k.toLowerCase()}`;
        }
        delete env.NODE_OPTIONS;
        const run = spawnSync(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            "const m = await import(process.argv[1]); if (typeof m.handler !== 'function') { console.error('no handler export'); process.exit(3); } console.log('handler ok');",
            join(isolated, 'index.mjs'),
          ],
          { cwd: isolated, env, encoding: 'utf8', timeout: COMMAND_BOUND_MS },
        );
        expect(run.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
        expect(run.status, run.stderr).toBe(0);
        expect(run.stdout).toContain('handler ok');
      } finally {
        rmSync(isolated, { recursive: true, force: true });
      }
    });
  });
});

/** infra/app.ts as the CLI runs it, with extra environment. */
function runApp(env: Record<string, string>) {
  const cdkOut = mkdtempSync(join(tmpdir(), 'streamscale-bad-'));
  try {
    return spawnSync(bin('tsx'), [join(PROJECT_ROOT, 'infra', 'app.ts')], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        STREAMSCALE_PREFIX: '',
        STREAMSCALE_CONFIG: '',
        CDK_OUTDIR: cdkOut,
        ...env,
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
  } finally {
    rmSync(cdkOut, { recursive: true, force: true });
  }
}

describe('a bad configuration', () => {
  it('ends the synth with one line naming the setting, no stack trace', () => {
    const run = runApp({ STREAMSCALE_CONFIG: JSON.stringify({ scaler: { scheduleSeconds: 5 } }) });
    expect(run.status).toBe(1);
    const lines = run.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^streamscale synth: configuration AWS would not accept: scaler\.scheduleSeconds must be .*tickSeconds/,
    );
  });

  it("rejects an invalid prefix with the config module's message", () => {
    const run = runApp({ STREAMSCALE_PREFIX: 'Not_Valid' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(
      /^streamscale synth: invalid streamscale configuration: prefix must be/,
    );
  });
});
