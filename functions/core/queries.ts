/**
 * The two queries of DESIGN.md. course-activity takes every valid event;
 * crash-alerts takes events whose content mentions "crash" (any case) with
 * severity High or Critical, grouped by user.
 */
import type { ValidEvent } from './event';

export const QUERY_NAMES = ['course-activity', 'crash-alerts'] as const;
export type QueryName = (typeof QUERY_NAMES)[number];

const CRASH = /crash/i;

export function isCrashAlertEvent(e: Pick<ValidEvent, 'content' | 'severity'>): boolean {
  return (e.severity === 'High' || e.severity === 'Critical') && CRASH.test(e.content);
}
