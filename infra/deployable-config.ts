/**
 * What AWS itself accepts, checked before any construct is built so a bad
 * setting ends the synth with one message naming every problem and its fix.
 * (functions/config.ts validates what the pipeline needs; this adds what the
 * services allow.)
 */
import * as logs from 'aws-cdk-lib/aws-logs';
import type { StreamscaleConfig } from '../functions/config';

/** Lambda's maximum timeout. */
const MAX_LAMBDA_TIMEOUT_SECONDS = 900;

export const LOG_RETENTION_DAYS: readonly number[] = Object.values(logs.RetentionDays).filter(
  (v): v is number => typeof v === 'number' && v > 0,
);

export function deployabilityProblems(c: StreamscaleConfig): string[] {
  const problems: string[] = [];
  for (const which of ['closer', 'scaler'] as const) {
    const { scheduleSeconds, timeoutSeconds } = c[which];
    if (!(
      Number.isInteger(scheduleSeconds) &&
      scheduleSeconds >= 60 &&
      scheduleSeconds % 60 === 0
    )) {
      problems.push(
        `${which}.scheduleSeconds must be a whole number of minutes in seconds, at least 60 (EventBridge's finest rate), got ${scheduleSeconds}; use ${which}.tickSeconds for a faster cadence`,
      );
    }
    if (!(timeoutSeconds > scheduleSeconds && timeoutSeconds <= MAX_LAMBDA_TIMEOUT_SECONDS)) {
      problems.push(
        `${which}.timeoutSeconds must be more than ${which}.scheduleSeconds (${scheduleSeconds}; the function ticks for one period) and at most ${MAX_LAMBDA_TIMEOUT_SECONDS}, got ${timeoutSeconds}`,
      );
    }
  }
  const k = c.consumer;
  if (!(k.timeoutSeconds >= 1 && k.timeoutSeconds <= MAX_LAMBDA_TIMEOUT_SECONDS)) {
    problems.push(
      `consumer.timeoutSeconds must be 1-${MAX_LAMBDA_TIMEOUT_SECONDS}, got ${k.timeoutSeconds}`,
    );
  }
  if (!(
    Number.isInteger(k.batchingWindowSeconds) &&
    k.batchingWindowSeconds >= 0 &&
    k.batchingWindowSeconds <= 300
  )) {
    problems.push(
      `consumer.batchingWindowSeconds must be a whole number 0-300, got ${k.batchingWindowSeconds}`,
    );
  }
  if (!(Number.isInteger(k.retryAttempts) && k.retryAttempts >= 0 && k.retryAttempts <= 10_000)) {
    problems.push(`consumer.retryAttempts must be 0-10000, got ${k.retryAttempts}`);
  }
  if (!(
    Number.isInteger(k.maxRecordAgeSeconds) &&
    k.maxRecordAgeSeconds >= 60 &&
    k.maxRecordAgeSeconds <= 604_800
  )) {
    problems.push(
      `consumer.maxRecordAgeSeconds must be 60-604800 (7 days), got ${k.maxRecordAgeSeconds}`,
    );
  }
  for (const [name, mb] of [
    ['consumer', k.memoryMb],
    ['closer', c.closer.memoryMb],
    ['scaler', c.scaler.memoryMb],
  ] as const) {
    if (!(Number.isInteger(mb) && mb >= 128 && mb <= 10_240))
      problems.push(`${name}.memoryMb must be 128-10240, got ${mb}`);
  }
  if (!(c.stream.retentionHours >= 24 && c.stream.retentionHours <= 8760)) {
    problems.push(`stream.retentionHours must be 24-8760, got ${c.stream.retentionHours}`);
  }
  if (!LOG_RETENTION_DAYS.includes(c.logRetentionDays)) {
    problems.push(
      `logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(', ')}, got ${c.logRetentionDays}`,
    );
  }
  return problems;
}

export class UndeployableConfigError extends Error {}

export function assertDeployable(c: StreamscaleConfig): void {
  const problems = deployabilityProblems(c);
  if (problems.length > 0) {
    throw new UndeployableConfigError(`configuration AWS would not accept: ${problems.join('; ')}`);
  }
}
