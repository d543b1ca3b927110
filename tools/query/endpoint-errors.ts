/**
 * Turns SDK failures that users cause (no cloud running, a cloud that does
 * not answer, stack not deployed, no credentials) into one-line messages
 * that say how to fix them. Shared by every command that talks to the
 * cloud; anything unrecognised returns undefined and is reported as is.
 */
import { ClientTimeoutError } from '../../functions/aws/deadline-handler';
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

/** The client timeout behind an SDK failure, if it is one (the SDK may wrap it). */
export function timeoutOf(err: unknown, depth = 0): ClientTimeoutError | undefined {
  if (err instanceof ClientTimeoutError) return err;
  if (typeof err !== 'object' || err === null || depth > 3) return undefined;
  const e = err as { cause?: unknown; errors?: unknown };
  for (const inner of [e.cause, ...(Array.isArray(e.errors) ? e.errors : [])]) {
    const t = timeoutOf(inner, depth + 1);
    if (t) return t;
  }
  return undefined;
}

/** A timeout in one line: which endpoint, which limit, what to do about it. */
export function describeTimeout(t: ClientTimeoutError): string {
  if (t.phase === 'connect') return `${t.what} — check AWS_ENDPOINT_URL and your network`;
  const more = JSON.stringify({ clients: { requestTimeoutMs: t.timeoutMs * 2 } });
  return `${t.what} — the cloud there is stuck or overloaded (to give it more time: STREAMSCALE_CONFIG='${more}')`;
}

/** Codes of a connection that was never made: nothing listens there. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** An endpoint that broke off the Kinesis client's HTTP/2 session: not the service expected. */
function describeHttp2(err: unknown, codes: string[], endpoint: string): string | undefined {
  const code = codes.find((c) => c.startsWith('ERR_HTTP2_'));
  // A session cancelled because the connection was refused is a missing cloud, said below.
  if (!code || codes.some((c) => NEVER_CONNECTED.has(c))) return undefined;
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  return `${endpoint} broke off the HTTP/2 session (${code}: ${message}) — is AWS_ENDPOINT_URL an AWS endpoint or the local cloud?`;
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
  const timeout = timeoutOf(err);
  if (timeout) return describeTimeout(timeout);
  const http2 = describeHttp2(err, codes, ctx.endpoint);
  if (http2) return http2;
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
