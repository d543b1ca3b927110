/**
 * Metric alarm state from the data of its last evaluation periods (pure),
 * following CloudWatch's rules: M out of N complete periods breaching means
 * ALARM, and TreatMissingData decides what periods without data count as.
 */

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export const COMPARISONS = {
  GreaterThanOrEqualToThreshold: (v: number, t: number) => v >= t,
  GreaterThanThreshold: (v: number, t: number) => v > t,
  LessThanThreshold: (v: number, t: number) => v < t,
  LessThanOrEqualToThreshold: (v: number, t: number) => v <= t,
} as const;

export type ComparisonOperator = keyof typeof COMPARISONS;

export interface AlarmRule {
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparison: ComparisonOperator;
  /** 'missing' (default) | 'breaching' | 'notBreaching' | 'ignore' */
  treatMissingData: string;
}

export interface AlarmVerdict {
  state: AlarmState;
  reason: string;
}

/** `values` are the statistic of each period that had data, within the last `evaluationPeriods` periods. */
export function evaluateAlarm(
  rule: AlarmRule,
  values: readonly number[],
  current: AlarmState,
): AlarmVerdict {
  const compare = COMPARISONS[rule.comparison];
  const missing = Math.max(0, rule.evaluationPeriods - values.length);
  const breaching = values.filter((v) => compare(v, rule.threshold)).length;
  const shown = `[${values.map((v) => Number(v.toFixed(3))).join(', ')}]`;
  if (values.length === 0) {
    switch (rule.treatMissingData) {
      case 'breaching':
        break;
      case 'notBreaching':
        return { state: 'OK', reason: 'no datapoints; missing data treated as not breaching' };
      case 'ignore':
        return { state: current, reason: 'no datapoints; missing data ignored, state kept' };
      default:
        return {
          state: 'INSUFFICIENT_DATA',
          reason: `Insufficient Data: no datapoints in the last ${rule.evaluationPeriods} period(s)`,
        };
    }
  }
  const counted = breaching + (rule.treatMissingData === 'breaching' ? missing : 0);
  if (counted >= rule.datapointsToAlarm) {
    return {
      state: 'ALARM',
      reason: `Threshold Crossed: ${counted} out of the last ${rule.evaluationPeriods} datapoints ${shown} were ${rule.comparison} ${rule.threshold}`,
    };
  }
  return {
    state: 'OK',
    reason: `Threshold Crossed: ${counted} out of the last ${rule.evaluationPeriods} datapoints ${shown} met ${rule.comparison} ${rule.threshold} (needed ${rule.datapointsToAlarm})`,
  };
}
