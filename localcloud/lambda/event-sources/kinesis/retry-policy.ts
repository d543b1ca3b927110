/**
 * What happens to a batch whose invocation failed, as AWS's Kinesis event
 * source does it: with BisectBatchOnFunctionError a batch of more than one
 * record is split in two first (splitting does not count as a retry);
 * otherwise the same batch is retried with backoff until
 * MaximumRetryAttempts (-1 = until the records expire); records older than
 * MaximumRecordAgeInSeconds (-1 = never) are discarded to the on-failure
 * destination without another invocation.
 */
export type FailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

export type FailureDecision =
  | { kind: 'bisect' }
  | { kind: 'retry'; delayMs: number }
  | { kind: 'discard'; condition: FailureCondition };

export interface RetrySettings {
  maximumRetryAttempts: number;
  maximumRecordAgeSeconds: number;
  bisectOnError: boolean;
  retryBaseMs: number;
  retryMaxMs: number;
}

export function recordAgeExceeded(
  oldestArrivalMs: number,
  maximumRecordAgeSeconds: number,
  now: number,
): boolean {
  return maximumRecordAgeSeconds >= 0 && now - oldestArrivalMs > maximumRecordAgeSeconds * 1000;
}

export function backoffMs(retryNumber: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, retryNumber - 1));
}

/** `retriesSoFar`: retries of this batch already made (0 after the first failure). */
export function decideOnFailure(
  s: RetrySettings,
  batchSize: number,
  retriesSoFar: number,
  oldestArrivalMs: number,
  now: number,
): FailureDecision {
  if (recordAgeExceeded(oldestArrivalMs, s.maximumRecordAgeSeconds, now))
    return { kind: 'discard', condition: 'RecordAgeExceeded' };
  if (s.bisectOnError && batchSize > 1) return { kind: 'bisect' };
  if (s.maximumRetryAttempts >= 0 && retriesSoFar >= s.maximumRetryAttempts)
    return { kind: 'discard', condition: 'RetryAttemptsExhausted' };
  return { kind: 'retry', delayMs: backoffMs(retriesSoFar + 1, s.retryBaseMs, s.retryMaxMs) };
}

/**
 * A ReportBatchItemFailures response: the index in the batch from which to
 * retry, 'all' when the response is malformed or names an unknown record
 * (AWS then treats the whole batch as failed), or undefined on success.
 */
export function partialFailureIndex(
  response: unknown,
  sequenceNumbers: readonly string[],
): number | 'all' | undefined {
  if (response === null || typeof response !== 'object') return undefined;
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return undefined;
  if (!Array.isArray(failures)) return 'all';
  if (failures.length === 0) return undefined;
  let lowest = Number.POSITIVE_INFINITY;
  for (const f of failures) {
    const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const i = typeof id === 'string' ? sequenceNumbers.indexOf(id) : -1;
    if (i < 0) return 'all';
    lowest = Math.min(lowest, i);
  }
  return lowest;
}
