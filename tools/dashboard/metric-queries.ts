/**
 * A metric widget's GetMetricData queries (pure): the period each series is
 * fetched with — the widget's own, an "auto" one for the range as the
 * console picks it, or the viewer's — and the queries themselves.
 */
import type { MetricWidget, SeriesSpec } from './widgets';

/** Periods GetMetricData accepts: 1, 5, 10, 30 s (high resolution) and multiples of 60. */
const AUTO_PERIODS = [1, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400];
const TARGET_POINTS = 120;

/** A period giving at most ~120 points over the range (what the console's "auto" period does). */
export function autoPeriod(rangeMs: number): number {
  const seconds = rangeMs / 1000;
  return AUTO_PERIODS.find((p) => seconds / p <= TARGET_POINTS) ?? 86400;
}

export type PeriodChoice = 'auto' | 'inherit' | number;

/** The period one series is fetched with. */
export function periodFor(
  series: SeriesSpec,
  widget: MetricWidget,
  rangeMs: number,
  choice: PeriodChoice,
): number {
  if (widget.setPeriodToTimeRange && widget.view !== 'timeSeries') {
    return Math.max(60, Math.ceil(rangeMs / 1000 / 60) * 60);
  }
  if (choice === 'inherit') return series.period;
  if (choice === 'auto') return autoPeriod(rangeMs);
  return choice;
}

export interface MetricDataQuery {
  Id: string;
  Label?: string;
  ReturnData: boolean;
  Period?: number;
  Expression?: string;
  MetricStat?: {
    Metric: {
      Namespace: string;
      MetricName: string;
      Dimensions: Array<{ Name: string; Value: string }>;
    };
    Period: number;
    Stat: string;
  };
}

/** GetMetricData queries for one metric widget. */
export function metricDataQueries(
  widget: MetricWidget,
  rangeMs: number,
  choice: PeriodChoice,
): MetricDataQuery[] {
  return widget.series.map((s) => {
    const period = periodFor(s, widget, rangeMs, choice);
    if (s.kind === 'expression') {
      return {
        Id: s.id,
        Label: s.label,
        ReturnData: s.visible,
        Expression: s.expression,
        Period: period,
      };
    }
    return {
      Id: s.id,
      Label: s.label,
      ReturnData: s.visible,
      MetricStat: {
        Metric: { Namespace: s.namespace, MetricName: s.metricName, Dimensions: s.dimensions },
        Period: period,
        Stat: s.stat,
      },
    };
  });
}
