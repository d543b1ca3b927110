/**
 * Who may talk to the edge (pure). The cloud runs code it is sent, so a web
 * page must not reach it: a request whose Origin is not explicitly allowed
 * is refused, and so is one whose Host does not name the edge by a loopback
 * name and its port — a page's DNS-rebound name never does. Like AWS, every
 * call must carry SigV4 credentials (an Authorization header, or a presigned
 * URL); like LocalStack, signatures are not verified.
 */
import type { EdgeRequest } from '../contracts';

export interface GuardPolicy {
  /** Web origins allowed to call (`scheme://host[:port]`, exact), or '*' for any. */
  allowedOrigins: ReadonlySet<string> | '*';
  /** The port the edge listens on: Host must carry it. */
  port: number;
}

export interface Refusal {
  status: number;
  /** JSON-protocol error code. */
  code: string;
  /** Query-protocol error code. */
  queryCode: string;
  message: string;
}

/** Operations AWS serves without a signature (the caller has no credentials yet). */
const UNSIGNED_QUERY_ACTIONS = new Set(['AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML']);

/** Loopback names: RFC 6761 `localhost` and its subdomains, 127/8, ::1, and the public name LocalStack's tools use for 127.0.0.1. */
export function isLoopbackName(name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (n === 'localhost' || n.endsWith('.localhost')) return true;
  if (n === 'localhost.localstack.cloud' || n.endsWith('.localhost.localstack.cloud')) return true;
  if (n === '::1' || n === '0:0:0:0:0:0:0:1') return true;
  const v4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(n);
  return v4 !== null && v4.slice(1).every((x) => Number(x) <= 255);
}

/** `name:port` or `[v6]:port` → parts; the port defaults to 80 (plain http). */
export function parseHost(host: string): { name: string; port: number } | undefined {
  const m = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(host.trim());
  if (!m) return undefined;
  const name = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1]!;
  return { name, port: m[2] === undefined ? 80 : Number(m[2]) };
}

export function hostNamesEdge(host: string | undefined, port: number): boolean {
  const parsed = host === undefined ? undefined : parseHost(host);
  return parsed !== undefined && parsed.port === port && isLoopbackName(parsed.name);
}

export function originAllowed(origin: string | undefined, policy: GuardPolicy): boolean {
  if (origin === undefined) return true; // not a browser
  return policy.allowedOrigins === '*' || policy.allowedOrigins.has(origin);
}

/** SigV4 (or SigV4a, or S3's SigV2) credentials in the Authorization header or a presigned URL. */
export function carriesCredentials(req: EdgeRequest): boolean {
  const auth = header(req, 'authorization');
  if (auth !== undefined) return /^(AWS4-[A-Z0-9-]+ Credential=|AWS \S+:)/.test(auth.trim());
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q < 0) return false;
  const params = new URLSearchParams(url.slice(q + 1));
  return (
    params.has('X-Amz-Credential') || (params.has('AWSAccessKeyId') && params.has('Signature'))
  );
}

function unsignedByDesign(req: EdgeRequest, body: string | undefined): boolean {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  const action =
    new URLSearchParams(q >= 0 ? url.slice(q + 1) : '').get('Action') ??
    (body === undefined ? null : new URLSearchParams(body).get('Action'));
  return action !== null && UNSIGNED_QUERY_ACTIONS.has(action);
}

export function header(req: EdgeRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Host and Origin: checked before anything is read. */
export function refuseCaller(req: EdgeRequest, policy: GuardPolicy): Refusal | undefined {
  const host = header(req, 'host');
  if (!hostNamesEdge(host, policy.port)) {
    return {
      status: 403,
      code: 'AccessDeniedException',
      queryCode: 'AccessDenied',
      message: `streamscale local cloud answers only requests addressed to a loopback name on port ${policy.port} (Host: ${host ?? '(none)'}); this keeps DNS-rebound web pages out`,
    };
  }
  const origin = header(req, 'origin');
  if (!originAllowed(origin, policy)) {
    return {
      status: 403,
      code: 'AccessDeniedException',
      queryCode: 'AccessDenied',
      message: `streamscale local cloud refuses requests from the web origin ${origin}; allow it with --allow-origin ${origin}`,
    };
  }
  return undefined;
}

/** The AWS credential check, once the body is known (a query-protocol Action may be in it). */
export function refuseUnsigned(req: EdgeRequest, formBody?: string): Refusal | undefined {
  if (carriesCredentials(req) || unsignedByDesign(req, formBody)) return undefined;
  if (header(req, 'authorization') !== undefined) {
    return {
      status: 403,
      code: 'IncompleteSignatureException',
      queryCode: 'IncompleteSignature',
      message: 'Authorization header requires an AWS Signature Version 4 Credential parameter.',
    };
  }
  return {
    status: 403,
    code: 'MissingAuthenticationTokenException',
    queryCode: 'MissingAuthenticationToken',
    message: 'Missing Authentication Token',
  };
}

/** CORS answer headers for an allowed origin (a browser then lets the page read the answer). */
export function corsHeaders(req: EdgeRequest, preflight: boolean): Record<string, string> {
  const origin = header(req, 'origin');
  if (origin === undefined) return {};
  const out: Record<string, string> = {
    'access-control-allow-origin': origin,
    vary: 'Origin',
    'access-control-expose-headers':
      'x-amzn-RequestId, x-amzn-ErrorType, x-amzn-query-error, x-amz-request-id, x-amz-id-2, x-amz-crc32, ETag, x-amz-version-id',
  };
  if (preflight) {
    out['access-control-allow-methods'] = 'GET, HEAD, POST, PUT, DELETE, PATCH';
    out['access-control-allow-headers'] =
      header(req, 'access-control-request-headers') ??
      'authorization, content-type, x-amz-date, x-amz-target';
    out['access-control-max-age'] = '600';
  }
  return out;
}
