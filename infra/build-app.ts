/**
 * Builds the CDK app: the one stack plus cdk-nag's AwsSolutions pack as a
 * validation plugin. infra/app.ts (the CLI's entry) and the unit tests both
 * build it here, with cdk.json's feature flags, so tests see the same
 * template `cdk synth` writes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { resourceNames, type StreamscaleConfig } from '../functions/config';
import { PROJECT_ROOT } from './pipeline-function';
import { StreamscaleStack } from './streamscale-stack';

/** CDK's context key listing the stacks whose assets are bundled; [] skips bundling. */
export const BUNDLING_STACKS_CONTEXT = 'aws:cdk:bundling-stacks';

export interface BuildAppOptions {
  config: StreamscaleConfig;
  /** Run esbuild for the function assets (default true). Unit tests turn it off for speed. */
  bundle?: boolean;
  /** Cloud assembly directory (default: the CLI's, or a temp dir). */
  outdir?: string;
  env?: Environment;
}

export interface BuiltApp {
  app: App;
  stack: StreamscaleStack;
  nag: AwsSolutionsChecks;
}

export function buildApp(opts: BuildAppOptions): BuiltApp {
  const context: Record<string, unknown> = { ...cdkJsonContext() };
  if (opts.bundle === false) context[BUNDLING_STACKS_CONTEXT] = [];
  const app = new App({ context, ...(opts.outdir ? { outdir: opts.outdir } : {}) });
  const stack = new StreamscaleStack(app, resourceNames(opts.config.prefix).stack, {
    config: opts.config,
    ...(opts.env ? { env: opts.env } : {}),
  });
  const nag = new AwsSolutionsChecks(app, { verbose: true });
  // A validation plugin (cdk-nag v3): any unacknowledged finding fails the synth.
  Validations.of(app).addPlugins(nag);
  return { app, stack, nag };
}

/** Feature flags from cdk.json (the CLI passes them too; tests need them explicitly). */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}
