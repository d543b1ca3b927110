/**
 * The environment `deploy:localstack` hands to cdklocal, built in one place.
 * aws-cdk-local 3 with aws-cdk >= 2.177 refuses AWS_ENDPOINT_URL without
 * AWS_ENDPOINT_URL_S3 (EnvironmentMisconfigurationError) and drops every
 * AWS_* variable not named in AWS_ENVAR_ALLOWLIST, so both are set here:
 * S3 at the same endpoint (an IP endpoint makes the SDK use path-style
 * addressing, which needs no wildcard DNS), and the region and credentials
 * allow-listed so they survive.
 */

const KEEP = ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

export function cdklocalEnvironment(base: NodeJS.ProcessEnv, endpoint: string): NodeJS.ProcessEnv {
  const region = base.AWS_REGION ?? base.AWS_DEFAULT_REGION ?? 'us-east-1';
  const allow = new Set([
    ...(base.AWS_ENVAR_ALLOWLIST ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
    ...KEEP,
  ]);
  return {
    ...base,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ENDPOINT_URL_S3: base.AWS_ENDPOINT_URL_S3 ?? endpoint,
    AWS_ENVAR_ALLOWLIST: [...allow].join(','),
    AWS_ACCESS_KEY_ID: base.AWS_ACCESS_KEY_ID ?? 'test',
    AWS_SECRET_ACCESS_KEY: base.AWS_SECRET_ACCESS_KEY ?? 'test',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: base.AWS_DEFAULT_REGION ?? region,
    CDK_DEFAULT_ACCOUNT: base.CDK_DEFAULT_ACCOUNT ?? '000000000000',
    CDK_DEFAULT_REGION: base.CDK_DEFAULT_REGION ?? region,
  };
}

export type EdgeKind = 'localstack' | 'embedded' | 'other' | 'down';

/** What answers at the endpoint: LocalStack, this project's embedded cloud (it says so), something else, or nothing. */
export function classifyHealth(ok: boolean, body: unknown): Exclude<EdgeKind, 'down'> {
  const b = body as { services?: unknown; edition?: unknown } | undefined;
  if (!ok || !b || typeof b.services !== 'object') return 'other';
  return b.edition === 'streamscale-localcloud' ? 'embedded' : 'localstack';
}
