/**
 * Which failed PutRecords calls are worth another try: throttling, internal
 * and service errors, 5xx, and socket-level failures (reset, refused while
 * the edge restarts, timeouts). Anything else (a missing stream, bad
 * credentials) stops the writer.
 */
const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'InternalFailure',
  'InternalFailureException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ThrottlingException',
  'LimitExceededException',
  'KMSThrottlingException',
]);

export function isRetryableCallError(err: unknown): boolean {
  const e = err as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  };
  if (e?.name && RETRYABLE.has(e.name)) return true;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  const code = e?.code ?? (err as { cause?: { code?: string } })?.cause?.code;
  return typeof code === 'string' &&
    /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|ECONNABORTED)$/.test(code)
    ? true
    : e?.name === 'TimeoutError';
}
