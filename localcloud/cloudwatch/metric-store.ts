/**
 * The in-process CloudWatch metric store (pure, no I/O): data points are
 * pre-aggregated into 1-second buckets per series (sum, count, min, max and a
 * bounded reservoir of values for percentiles), buckets older than the
 * retention are dropped, so memory stays bounded however much is put. A
 * series is identified as in CloudWatch by namespace, name and the full
 * dimension set.
 */
import type { MetricDatum, MetricSink } from '../contracts';

export interface MetricId {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
}

export interface MetricQuery extends MetricId {
  start: Date;
  end: Date;
  /** seconds, >= 1 */
  periodSeconds: number;
  /** 'Sum' | 'Average' | 'Minimum' | 'Maximum' | 'SampleCount' | 'p50' | 'p99.9' ... */
  stat: string;
}

export interface MetricPoint {
  /** start of the period */
  timestamp: Date;
  value: number;
}

export interface StatisticsRow {
  timestamp: Date;
  values: Record<string, number>;
  unit?: string;
}

export interface ListMetricsFilter {
  namespace?: string;
  name?: string;
  /** a dimension with a value must match it; without a value it must merely be present */
  dimensions?: Array<{ name: string; value?: string }>;
}

/** One pre-aggregated set of values, as PutMetricData's StatisticValues carries. */
export interface StatisticSet {
  sum: number;
  count: number;
  min: number;
  max: number;
}

export interface MetricStoreOptions {
  /** Buckets older than this are dropped (default 3 h). */
  retentionSeconds?: number;
  /** Values kept per 1-second bucket for percentiles (reservoir sample beyond). */
  samplesPerBucket?: number;
}

interface Bucket extends StatisticSet {
  samples: number[];
  /** values offered to the reservoir (for uniform sampling beyond the cap) */
  seen: number;
}

interface Series {
  id: MetricId;
  unit?: string;
  buckets: Map<number, Bucket>;
  lastPut: number;
}

/** A series as plain data (--data-dir): buckets as [second, sum, count, min, max, seen, samples]. */
export interface SavedSeries {
  id: MetricId;
  unit?: string;
  lastPut: number;
  buckets: Array<[number, number, number, number | null, number | null, number, number[]]>;
}

export const BASIC_STATS = ['Sum', 'Average', 'Minimum', 'Maximum', 'SampleCount'] as const;

export function seriesKey(
  namespace: string,
  name: string,
  dimensions: Record<string, string>,
): string {
  const dims = Object.keys(dimensions)
    .sort()
    .map((k) => `${k}=${dimensions[k]}`)
    .join(',');
  return `${namespace}\u0000${name}\u0000${dims}`;
}

/** Throws on a statistic the store cannot compute, with the list it can. */
export function checkStat(stat: string): void {
  if ((BASIC_STATS as readonly string[]).includes(stat)) return;
  const m = /^p(\d{1,2}(\.\d+)?|100)$/.exec(stat);
  if (m && Number(m[1]) <= 100) return;
  throw new RangeError(
    `unsupported statistic "${stat}": use Sum, Average, Minimum, Maximum, SampleCount or a percentile like p99`,
  );
}

export class MetricStore implements MetricSink {
  private readonly series = new Map<string, Series>();
  private readonly retentionSeconds: number;
  private readonly samplesPerBucket: number;
  private puts = 0;

  constructor(opts: MetricStoreOptions = {}) {
    this.retentionSeconds = opts.retentionSeconds ?? 3 * 3600;
    this.samplesPerBucket = opts.samplesPerBucket ?? 100;
  }

  /** Every series with its retained buckets, as plain data. */
  snapshot(): SavedSeries[] {
    return [...this.series.values()].map((s) => ({
      id: s.id,
      ...(s.unit ? { unit: s.unit } : {}),
      lastPut: s.lastPut,
      // min/max of a bucket that got no finite value are ±Infinity, which JSON cannot hold: null.
      buckets: [...s.buckets].map(([sec, b]) => [
        sec,
        b.sum,
        b.count,
        Number.isFinite(b.min) ? b.min : null,
        Number.isFinite(b.max) ? b.max : null,
        b.seen,
        b.samples,
      ]),
    }));
  }

  /** Series saved by snapshot(); buckets beyond the retention go at the next prune, as any. */
  restore(saved: readonly SavedSeries[]): void {
    this.series.clear();
    for (const s of saved) {
      const buckets = new Map<number, Bucket>();
      for (const [sec, sum, count, min, max, seen, samples] of s.buckets)
        buckets.set(sec, {
          sum,
          count,
          min: min ?? Infinity,
          max: max ?? -Infinity,
          seen,
          samples,
        });
      this.series.set(seriesKey(s.id.namespace, s.id.name, s.id.dimensions), {
        id: s.id,
        unit: s.unit,
        buckets,
        lastPut: s.lastPut,
      });
    }
  }

  /** MetricSink: one value. */
  putMetric(d: MetricDatum): void {
    this.putValues(d, d.timestamp, [d.value], undefined, d.unit);
  }

  /** PutMetricData Values/Counts (a value counted `counts[i]` times). */
  putValues(
    id: MetricId,
    timestamp: Date,
    values: readonly number[],
    counts?: readonly number[],
    unit?: string,
  ): void {
    const b = this.bucket(id, timestamp, unit);
    if (!b) return;
    values.forEach((v, i) => {
      const n = counts?.[i] ?? 1;
      if (!(n > 0) || !Number.isFinite(v)) return;
      b.sum += v * n;
      b.count += n;
      b.min = Math.min(b.min, v);
      b.max = Math.max(b.max, v);
      for (let k = 0; k < Math.min(n, this.samplesPerBucket); k++) this.sample(b, v);
    });
  }

  /** PutMetricData StatisticValues: no individual values, so no percentiles from these. */
  putStatistics(id: MetricId, timestamp: Date, s: StatisticSet, unit?: string): void {
    const b = this.bucket(id, timestamp, unit);
    if (!b || !(s.count > 0)) return;
    b.sum += s.sum;
    b.count += s.count;
    b.min = Math.min(b.min, s.min);
    b.max = Math.max(b.max, s.max);
  }

  /** One statistic per period that has data, ascending by time. Periods are aligned to multiples of the period since the epoch. */
  query(q: MetricQuery): MetricPoint[] {
    checkStat(q.stat);
    return this.statistics(q, [q.stat])
      .filter((r) => r.values[q.stat] !== undefined)
      .map((r) => ({ timestamp: r.timestamp, value: r.values[q.stat]! }));
  }

  /** Several statistics per period (GetMetricStatistics), ascending by time. */
  statistics(
    q: MetricId & { start: Date; end: Date; periodSeconds: number },
    stats: readonly string[],
  ): StatisticsRow[] {
    for (const s of stats) checkStat(s);
    const series = this.series.get(seriesKey(q.namespace, q.name, q.dimensions));
    if (!series) return [];
    const period = Math.max(1, Math.floor(q.periodSeconds));
    const from = Math.floor(q.start.getTime() / 1000);
    const to = Math.ceil(q.end.getTime() / 1000);
    const periods = new Map<number, Bucket[]>();
    for (const [sec, b] of series.buckets) {
      if (sec < from || sec >= to) continue;
      const p = Math.floor(sec / period) * period;
      const list = periods.get(p);
      if (list) list.push(b);
      else periods.set(p, [b]);
    }
    return [...periods.keys()]
      .sort((a, b) => a - b)
      .map((p) => ({
        timestamp: new Date(p * 1000),
        values: aggregate(periods.get(p)!, stats),
        unit: series.unit,
      }));
  }

  listMetrics(filter: ListMetricsFilter = {}): MetricId[] {
    const out: MetricId[] = [];
    for (const s of this.series.values()) {
      if (filter.namespace !== undefined && s.id.namespace !== filter.namespace) continue;
      if (filter.name !== undefined && s.id.name !== filter.name) continue;
      const dimsOk = (filter.dimensions ?? []).every((d) =>
        d.value === undefined ? d.name in s.id.dimensions : s.id.dimensions[d.name] === d.value,
      );
      if (dimsOk)
        out.push({
          namespace: s.id.namespace,
          name: s.id.name,
          dimensions: { ...s.id.dimensions },
        });
    }
    return out;
  }

  unitOf(id: MetricId): string | undefined {
    return this.series.get(seriesKey(id.namespace, id.name, id.dimensions))?.unit;
  }

  private bucket(id: MetricId, timestamp: Date, unit?: string): Bucket | undefined {
    const sec = Math.floor(timestamp.getTime() / 1000);
    if (!Number.isFinite(sec)) return undefined;
    const nowSec = Math.floor(Date.now() / 1000);
    if (sec < nowSec - this.retentionSeconds) return undefined;
    const key = seriesKey(id.namespace, id.name, id.dimensions);
    let s = this.series.get(key);
    if (!s) {
      s = {
        id: { namespace: id.namespace, name: id.name, dimensions: { ...id.dimensions } },
        buckets: new Map(),
        lastPut: nowSec,
      };
      this.series.set(key, s);
    }
    if (unit && unit !== 'None') s.unit = unit;
    s.lastPut = nowSec;
    let b = s.buckets.get(sec);
    if (!b) {
      b = { sum: 0, count: 0, min: Infinity, max: -Infinity, samples: [], seen: 0 };
      s.buckets.set(sec, b);
    }
    if (++this.puts % 10_000 === 0) this.prune(nowSec);
    return b;
  }

  private sample(b: Bucket, v: number): void {
    b.seen++;
    if (b.samples.length < this.samplesPerBucket) b.samples.push(v);
    else {
      const j = Math.floor(Math.random() * b.seen);
      if (j < this.samplesPerBucket) b.samples[j] = v;
    }
  }

  private prune(nowSec: number): void {
    const oldest = nowSec - this.retentionSeconds;
    for (const [key, s] of this.series) {
      for (const sec of s.buckets.keys()) if (sec < oldest) s.buckets.delete(sec);
      // AWS lists a metric for two weeks after its last put; here as long as its data is retained
      if (s.buckets.size === 0 && s.lastPut < oldest) this.series.delete(key);
    }
  }
}

function aggregate(buckets: readonly Bucket[], stats: readonly string[]): Record<string, number> {
  let sum = 0;
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const b of buckets) {
    sum += b.sum;
    count += b.count;
    min = Math.min(min, b.min);
    max = Math.max(max, b.max);
  }
  const out: Record<string, number> = {};
  if (count === 0) return out;
  let sorted: number[] | undefined;
  for (const s of stats) {
    switch (s) {
      case 'Sum':
        out[s] = sum;
        break;
      case 'SampleCount':
        out[s] = count;
        break;
      case 'Average':
        out[s] = sum / count;
        break;
      case 'Minimum':
        out[s] = min;
        break;
      case 'Maximum':
        out[s] = max;
        break;
      default: {
        sorted ??= buckets.flatMap((b) => b.samples).sort((a, b) => a - b);
        if (sorted.length === 0) break; // only StatisticValues were put: no percentile, as in CloudWatch
        const p = Number(s.slice(1)) / 100;
        // nearest rank
        out[s] =
          sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
      }
    }
  }
  return out;
}
