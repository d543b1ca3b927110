/**
 * What one invocation ends with, and the throttle a synchronous Invoke gets
 * when a concurrency limit is reached (the execution pool's answers).
 */

export interface InvokeOutcome {
  requestId: string;
  /** false when the function failed (FunctionError Unhandled) */
  ok: boolean;
  /** JSON text: the handler's result, or the error object Lambda returns */
  payload: string;
  errorType?: string;
  errorMessage?: string;
  durationMs: number;
  /** absolute ms (performance.timeOrigin + now) when the handler was called */
  startedAt?: number;
  /** the invocation's console output (LogType Tail), last 4 KB */
  tail: string;
}

export class ThrottledError extends Error {
  constructor(
    readonly functionName: string,
    readonly reason:
      'ReservedFunctionConcurrentInvocationLimitExceeded' | 'ConcurrentInvocationLimitExceeded',
  ) {
    super(
      reason === 'ReservedFunctionConcurrentInvocationLimitExceeded'
        ? `Rate Exceeded: ${functionName} is at its reserved concurrency`
        : `Rate Exceeded: the local cloud runs at most its global number of concurrent executions`,
    );
    this.name = 'TooManyRequestsException';
  }
}
