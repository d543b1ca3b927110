/**
 * GetMetricData results on one time axis (pure): what the page draws for a
 * metric widget — every visible series' values at the same timestamps, its
 * colour and its latest value.
 */
import type { MetricWidget } from './widgets';

/** CloudWatch's default graph palette, so colours look familiar. */
export const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

export interface SeriesResult {
  id: string;
  timestamps: number[]; // epoch ms
  values: number[];
}

export interface AlignedSeries {
  id: string;
  label: string;
  color: string;
  yAxis: 'left' | 'right';
  values: Array<number | null>;
  /** value at the latest timestamp that has one, for single values and legends */
  last: number | null;
  points: number;
}

export interface WidgetData {
  index: number;
  /** epoch seconds, ascending (uPlot's x axis) */
  timestamps: number[];
  series: AlignedSeries[];
  points: number;
  period: number;
  messages: string[];
}

/** Put every visible series on one ascending time axis (null where a series has no point). */
export function alignSeries(
  widget: MetricWidget,
  results: SeriesResult[],
  period: number,
  messages: string[] = [],
): WidgetData {
  const visible = widget.series.filter((s) => s.visible);
  const byId = new Map(results.map((r) => [r.id, r]));
  const times = new Set<number>();
  for (const s of visible)
    for (const t of byId.get(s.id)?.timestamps ?? []) times.add(Math.floor(t / 1000));
  const timestamps = [...times].sort((a, b) => a - b);
  const slot = new Map(timestamps.map((t, i) => [t, i]));
  const series = visible.map((s, i): AlignedSeries => {
    const values: Array<number | null> = new Array(timestamps.length).fill(null);
    const r = byId.get(s.id);
    let points = 0;
    r?.timestamps.forEach((t, k) => {
      const v = r.values[k];
      if (v === undefined || !Number.isFinite(v)) return;
      values[slot.get(Math.floor(t / 1000))!] = v;
      points++;
    });
    let last: number | null = null;
    for (let k = values.length - 1; k >= 0 && last === null; k--) last = values[k] ?? null;
    return {
      id: s.id,
      label: s.label,
      color: s.color ?? PALETTE[i % PALETTE.length]!,
      yAxis: s.yAxis,
      values,
      last,
      points,
    };
  });
  return {
    index: widget.index,
    timestamps,
    series,
    points: series.reduce((n, s) => n + s.points, 0),
    period,
    messages,
  };
}
