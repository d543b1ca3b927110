/**
 * EventBridge schedule expressions (pure): rate(<n> minute|minutes|hour|hours|day|days)
 * with AWS's rule that 1 takes the singular unit and more the plural, and
 * cron(<6 fields>) checked for shape only.
 */
export type Schedule = { kind: 'rate'; periodMs: number } | { kind: 'cron'; fields: string[] };

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export class ScheduleError extends Error {}

export function parseSchedule(expression: string): Schedule {
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2]!;
    const singular = unit.endsWith('s') ? unit.slice(0, -1) : unit;
    if (n < 1)
      throw new ScheduleError(
        `Parameter ScheduleExpression is not valid: the rate must be at least 1 (${expression})`,
      );
    if ((n === 1) !== (unit === singular)) {
      throw new ScheduleError(
        `Parameter ScheduleExpression is not valid: use "${n} ${n === 1 ? singular : `${singular}s`}" (${expression})`,
      );
    }
    return { kind: 'rate', periodMs: n * UNIT_MS[singular]! };
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (cron) {
    const fields = cron[1]!.trim().split(/\s+/);
    if (fields.length !== 6)
      throw new ScheduleError(
        `Parameter ScheduleExpression is not valid: cron needs 6 fields (minutes hours day-of-month month day-of-week year) (${expression})`,
      );
    return { kind: 'cron', fields };
  }
  throw new ScheduleError(
    `Parameter ScheduleExpression is not valid: expected rate(...) or cron(...) (${expression})`,
  );
}

/** How often a rate rule fires on the local cloud: its period divided by the speed-up. */
export function firingIntervalMs(periodMs: number, speedup: number): number {
  return periodMs / speedup;
}
