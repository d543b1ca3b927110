/**
 * What a failed PutRecords call says, for the writer to act on:
 * - `throttle`: the service answered "slow down" (throughput exceeded,
 *   throttling, limits): the records wait (backoff) and a throughput
 *   throttle cuts the shard's learned limit;
 * - `endpoint`: no usable answer from the endpoint — refused, reset or timed
 *   out connections, a broken HTTP/2 session, a 5xx, an internal failure:
 *   the endpoint is unwell, not busy, and the writers stop sending but for
 *   one probe at a time (endpoint-health.ts) instead of retrying every
 *   record into it;
 * - `fatal`: anything else (a missing stream, bad credentials) stops the writer.
 */
export type CallFailure = 'throttle' | 'endpoint' | 'fatal';

const THROTTLES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'LimitExceededException',
  'KMSThrottlingException',
]);

const SERVICE_FAILURES = new Set([
  'InternalFailure',
  'InternalFailureException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

const CONNECTION_CODES =
  /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|ECONNABORTED|ERR_HTTP2_\w+)$/;

interface ErrorShape {
  name?: string;
  code?: string;
  message?: string;
  cause?: ErrorShape;
  errors?: ErrorShape[];
  $metadata?: { httpStatusCode?: number };
}

/** The error's codes, its cause's and an AggregateError's parts' (IPv4 and IPv6 attempts). */
function codes(e: ErrorShape | undefined, depth = 0): string[] {
  if (!e || typeof e !== 'object' || depth > 3) return [];
  return [
    ...[e.code, e.name].filter((c): c is string => typeof c === 'string'),
    ...codes(e.cause, depth + 1),
    ...(Array.isArray(e.errors) ? e.errors.flatMap((x) => codes(x, depth + 1)) : []),
  ];
}

export function classifyCallError(err: unknown): CallFailure {
  const e = err as ErrorShape | undefined;
  if (e?.name && THROTTLES.has(e.name)) return 'throttle';
  if (e?.name && SERVICE_FAILURES.has(e.name)) return 'endpoint';
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return 'endpoint';
  const all = codes(e);
  if (all.some((c) => c === 'TimeoutError' || CONNECTION_CODES.test(c))) return 'endpoint';
  if (/socket hang up/i.test(e?.message ?? '')) return 'endpoint';
  return 'fatal';
}

export const isRetryableCallError = (err: unknown): boolean => classifyCallError(err) !== 'fatal';

/** One line for the person reading: the code and the first line of the message. */
export function describeCallError(err: unknown): string {
  const e = err as ErrorShape | undefined;
  const message = (e?.message ?? String(err)).split('\n')[0]!;
  const code = codes(e).find((c) => c !== 'Error' && !message.includes(c));
  return code ? `${code}: ${message}` : message;
}
