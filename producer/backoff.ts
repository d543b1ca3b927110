/**
 * Exponential backoff with full jitter (the AWS Architecture Blog's
 * "Exponential Backoff And Jitter"): sleep = random(0, min(cap, base × 2^attempt)).
 * Full jitter spreads retries of many throttled records over time instead
 * of re-sending them in lock-step.
 */
import { PRODUCER_CONFIG } from './producer-config';

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = PRODUCER_CONFIG.backoff;

/** Delay before retry number `attempt` (1 = first retry); `random` in [0, 1). */
export function backoffDelayMs(
  attempt: number,
  random: number,
  o: BackoffOptions = DEFAULT_BACKOFF,
): number {
  const ceiling = Math.min(o.capMs, o.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random * ceiling);
}
