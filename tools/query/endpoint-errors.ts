/**
 * Turns SDK failures that users cause (no cloud running, stack not deployed,
 * no credentials) into one-line messages that say how to fix them. Shared by
 * the query and dashboard tools; anything unrecognised returns undefined and
 * is reported as is.
 */
import { LOCAL_ENDPOINT } from '../cli-kit/aws-env';

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EPIPE',
]);

function codesOf(err: unknown, depth = 0): string[] {
  if (typeof err !== 'object' || err === null || depth > 3) return [];
  const e = err as { code?: unknown; name?: unknown; errors?: unknown; cause?: unknown };
  const own = [e.code, e.name].filter((c): c is string => typeof c === 'string');
  const nested = [...(Array.isArray(e.errors) ? e.errors : []), e.cause].flatMap((x) =>
    codesOf(x, depth + 1),
  );
  return [...own, ...nested];
}

export function isUnreachable(err: unknown): boolean {
  return codesOf(err).some((c) => UNREACHABLE.has(c) || c === 'TimeoutError');
}

const isLocal = (endpoint: string) =>
  /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?$/.test(endpoint);

export interface ErrorContext {
  endpoint: string;
  /** what was being read, e.g. 'table streamscale-windows' or 'dashboards' */
  resource?: string;
}

export function describeCloudError(err: unknown, ctx: ErrorContext): string | undefined {
  const codes = codesOf(err);
  if (isUnreachable(err)) {
    if (isLocal(ctx.endpoint)) {
      const how =
        ctx.endpoint.replace(/\/$/, '') === LOCAL_ENDPOINT
          ? '`npm run local`'
          : '`npm run local` (or point AWS_ENDPOINT_URL at your cloud)';
      return `no local cloud at ${ctx.endpoint} — start it with ${how}`;
    }
    return `cannot reach ${ctx.endpoint} (${codes.find((c) => UNREACHABLE.has(c)) ?? 'timeout'}) — check AWS_ENDPOINT_URL and your network`;
  }
  if (codes.includes('ResourceNotFoundException')) {
    const what = ctx.resource ?? 'a resource';
    const deploy = isLocal(ctx.endpoint)
      ? 'deploy with `npm run deploy:local`'
      : 'deploy the stack (`npx cdk deploy`) or set --prefix';
    return `${what} not found at ${ctx.endpoint} — ${deploy}`;
  }
  if (codes.includes('CredentialsProviderError')) {
    return 'no AWS credentials found — set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or unset them all to use the local cloud defaults)';
  }
  if (
    codes.some((c) => /UnrecognizedClientException|InvalidSignatureException|ExpiredToken/.test(c))
  ) {
    return `the cloud at ${ctx.endpoint} refused the credentials — set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`;
  }
  return undefined;
}
