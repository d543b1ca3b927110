/**
 * The CDK app (`cdk.json`: `npx tsx infra/app.ts`). Configuration comes from
 * functions/config.ts via fromEnv, so STREAMSCALE_PREFIX, STREAMSCALE_CONFIG
 * and friends work here as everywhere. cdk-nag's AwsSolutions pack checks
 * every synth; an unacknowledged finding fails it.
 */
import { ConfigError, fromEnv } from '../functions/config';
import { buildApp } from './build-app';
import { UndeployableConfigError } from './deployable-config';

function main(): void {
  const config = fromEnv();
  // Environment-agnostic unless the CLI knows the account and region (cdk deploy with credentials).
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  const { app } = buildApp({ config, ...(account && region ? { env: { account, region } } : {}) });
  app.synth();
}

try {
  main();
} catch (err) {
  // Bad configuration is user input: one line, how to fix it, no stack trace.
  const message = err instanceof Error ? err.message : String(err);
  const hint =
    err instanceof ConfigError || err instanceof UndeployableConfigError
      ? ' (fix it in STREAMSCALE_PREFIX / STREAMSCALE_CONFIG or functions/config.ts)'
      : '';
  console.error(`streamscale synth: ${message}${hint}`);
  process.exit(1);
}
