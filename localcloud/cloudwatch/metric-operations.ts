/**
 * CloudWatch's metric operations over the MetricStore: PutMetricData,
 * GetMetricData (metric math included), GetMetricStatistics, ListMetrics.
 * Each decodes its typed input first — JSON numbers or the query protocol's
 * strings alike — so a bad parameter is refused before the store is touched.
 */
import { operation, type Operation, type RawInput } from '../edge/operation-table';
import type { Output } from '../edge/query-compatible';
import { asArray, toBool, toDate, toNumber } from '../edge/query-protocol';
import { cwFields, invalid, missing } from './cloudwatch-errors';
import { evaluateMetricMath, MetricMathError, type TimeSeries } from './metric-math';
import { BASIC_STATS, checkStat, type MetricId, type MetricStore } from './metric-store';

export type CloudWatchOperation = Operation<void, Output>;

/** The most data points PutMetricData takes in one call. */
const MAX_DATUMS = 1000;
/** GetMetricData's default MaxDatapoints. */
const DEFAULT_MAX_DATAPOINTS = 100_800;

export function dims(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of asArray<{ Name?: string; Value?: string }>(v))
    if (d.Name !== undefined) out[d.Name] = String(d.Value ?? '');
  return out;
}

export const dimList = (d: Record<string, string>) =>
  Object.entries(d).map(([Name, Value]) => ({ Name, Value }));

export function validStat(stat: string): string {
  try {
    checkStat(stat);
  } catch (e) {
    throw invalid((e as Error).message);
  }
  return stat;
}

type Datum =
  | {
      id: MetricId;
      at: Date;
      unit?: string;
      stats: { count: number; sum: number; min: number; max: number };
    }
  | { id: MetricId; at: Date; unit?: string; values: number[]; counts?: number[] };

function decodeDatum(namespace: string, d: RawInput, now: Date): Datum {
  const f = cwFields(d);
  const id = { namespace, name: f.str('MetricName'), dimensions: dims(d.Dimensions) };
  const head = { id, at: toDate(d.Timestamp) ?? now, unit: f.optStr('Unit') };
  const sv = f.obj('StatisticValues');
  if (sv) {
    const s = cwFields(sv);
    if (!['SampleCount', 'Sum', 'Minimum', 'Maximum'].every((k) => s.has(k)))
      throw missing('StatisticValues.SampleCount, Sum, Minimum and Maximum');
    return {
      ...head,
      stats: {
        count: s.num('SampleCount'),
        sum: s.num('Sum'),
        min: s.num('Minimum'),
        max: s.num('Maximum'),
      },
    };
  }
  if (d.Values !== undefined) {
    const values = asArray<unknown>(d.Values).map((v) => toNumber(v) ?? NaN);
    const counts =
      d.Counts === undefined ? undefined : asArray<unknown>(d.Counts).map((v) => toNumber(v) ?? 1);
    if (counts && counts.length !== values.length)
      throw invalid('Values and Counts must have the same length.');
    return { ...head, values, counts };
  }
  const v = toNumber(d.Value);
  if (v === undefined) throw missing('Value, Values or StatisticValues');
  return { ...head, values: [v] };
}

function decodePut(raw: RawInput): Datum[] {
  const namespace = cwFields(raw).str('Namespace');
  if (namespace.startsWith('AWS/'))
    throw invalid(
      `The value ${namespace} for parameter Namespace is invalid: the AWS/ prefix is reserved.`,
    );
  const data = asArray(raw.MetricData);
  if (data.length === 0) throw missing('MetricData');
  if (data.length > MAX_DATUMS)
    throw invalid(`The collection MetricData must not have a size greater than ${MAX_DATUMS}.`);
  const now = new Date();
  return data.map((d) => decodeDatum(namespace, d, now));
}

interface DataQuery {
  start: Date;
  end: Date;
  ascending: boolean;
  max: number;
  queries: RawInput[];
}

const window = (raw: RawInput) => {
  const start = toDate(raw.StartTime);
  const end = toDate(raw.EndTime);
  if (!start) throw missing('StartTime');
  if (!end) throw missing('EndTime');
  return { start, end };
};

const decodeData = (raw: RawInput): DataQuery => {
  const queries = asArray(raw.MetricDataQueries);
  for (const q of queries) cwFields(q).str('Id');
  return {
    ...window(raw),
    ascending: raw.ScanBy === 'TimestampAscending',
    max: toNumber(raw.MaxDatapoints) ?? DEFAULT_MAX_DATAPOINTS,
    queries,
  };
};

/** Every query's series by Id, expressions over the others resolved on demand (cycles refused). */
function seriesResolver(store: MetricStore, q: DataQuery): (id: string) => TimeSeries {
  const byId = new Map(q.queries.map((x) => [String(x.Id), x]));
  const series = new Map<string, TimeSeries>();
  const evaluating = new Set<string>();
  const statSeries = (id: string, query: RawInput): TimeSeries => {
    const ms = query.MetricStat as RawInput | undefined;
    if (!ms) throw missing(`MetricDataQueries.${id}.MetricStat or Expression`);
    const m = (ms.Metric as RawInput | undefined) ?? {};
    const period = toNumber(ms.Period);
    if (period === undefined || period < 1)
      throw invalid(`The parameter MetricStat.Period of query ${id} must be >= 1.`);
    const mf = cwFields(m);
    const points = store.query({
      namespace: mf.str('Namespace'),
      name: mf.str('MetricName'),
      dimensions: dims(m.Dimensions),
      start: q.start,
      end: q.end,
      periodSeconds: period,
      stat: validStat(cwFields(ms).str('Stat')),
    });
    return new Map(points.map((p) => [p.timestamp.getTime(), p.value]));
  };
  const resolve = (id: string): TimeSeries => {
    const known = series.get(id);
    if (known) return known;
    const query = byId.get(id);
    if (!query)
      throw invalid(
        `the expression refers to "${id}", which is not the Id of a query in this request`,
      );
    if (evaluating.has(id))
      throw invalid(`the expressions refer to each other in a cycle through "${id}"`);
    evaluating.add(id);
    let out: TimeSeries;
    try {
      out =
        query.Expression !== undefined
          ? evaluateMetricMath(String(query.Expression), resolve, () =>
              q.queries.filter((x) => x.MetricStat !== undefined).map((x) => resolve(String(x.Id))),
            )
          : statSeries(id, query);
    } catch (e) {
      if (e instanceof MetricMathError) throw invalid(`query ${id}: ${e.message}`);
      throw e;
    }
    evaluating.delete(id);
    series.set(id, out);
    return out;
  };
  return resolve;
}

function getMetricData(store: MetricStore, q: DataQuery): Output {
  const resolve = seriesResolver(store, q);
  const results = q.queries
    .filter((x) => toBool(x.ReturnData) !== false)
    .map((x) => {
      const id = String(x.Id);
      const points = [...resolve(id)]
        .sort((a, b) => (q.ascending ? a[0] - b[0] : b[0] - a[0]))
        .slice(0, q.max);
      const metricName = ((x.MetricStat as RawInput | undefined)?.Metric as RawInput | undefined)
        ?.MetricName;
      return {
        Id: id,
        Label:
          x.Label !== undefined
            ? String(x.Label)
            : metricName !== undefined
              ? String(metricName)
              : id,
        Timestamps: points.map(([t]) => new Date(t)),
        Values: points.map(([, v]) => v),
        StatusCode: 'Complete',
        Messages: [],
      };
    });
  return { MetricDataResults: results, Messages: [] };
}

interface StatisticsQuery {
  id: MetricId;
  start: Date;
  end: Date;
  period: number;
  stats: string[];
  extended: string[];
}

const decodeStatistics = (raw: RawInput): StatisticsQuery => {
  const f = cwFields(raw);
  const period = toNumber(raw.Period);
  if (period === undefined || period < 1) throw invalid('The parameter Period must be >= 1.');
  const stats = asArray<string>(raw.Statistics).map(String);
  const extended = asArray<string>(raw.ExtendedStatistics).map(String).map(validStat);
  if (stats.length + extended.length === 0) throw missing('Statistics or ExtendedStatistics');
  for (const s of stats)
    if (!(BASIC_STATS as readonly string[]).includes(s))
      throw invalid(`Statistic ${s} is not one of ${BASIC_STATS.join(', ')}.`);
  const id = {
    namespace: f.str('Namespace'),
    name: f.str('MetricName'),
    dimensions: dims(raw.Dimensions),
  };
  return { id, ...window(raw), period, stats, extended };
};

function getMetricStatistics(store: MetricStore, q: StatisticsQuery): Output {
  const rows = store.statistics({ ...q.id, start: q.start, end: q.end, periodSeconds: q.period }, [
    ...q.stats,
    ...q.extended,
  ]);
  return {
    Label: q.id.name,
    Datapoints: rows.map((r) => {
      const dp: Record<string, unknown> = { Timestamp: r.timestamp };
      for (const s of q.stats) if (r.values[s] !== undefined) dp[s] = r.values[s];
      if (q.extended.length > 0)
        dp.ExtendedStatistics = Object.fromEntries(
          q.extended.filter((s) => r.values[s] !== undefined).map((s) => [s, r.values[s]]),
        );
      dp.Unit = r.unit ?? 'None';
      return dp;
    }),
  };
}

export function metricOperations(store: MetricStore): Record<string, CloudWatchOperation> {
  return {
    PutMetricData: operation(decodePut, (data) => {
      for (const d of data) {
        if ('stats' in d) store.putStatistics(d.id, d.at, d.stats, d.unit);
        else store.putValues(d.id, d.at, d.values, d.counts, d.unit);
      }
      return undefined;
    }),
    GetMetricData: operation(decodeData, (q) => getMetricData(store, q)),
    GetMetricStatistics: operation(decodeStatistics, (q) => getMetricStatistics(store, q)),
    ListMetrics: operation(
      (raw) => ({
        namespace: cwFields(raw).optStr('Namespace'),
        name: cwFields(raw).optStr('MetricName'),
        dimensions: asArray<{ Name?: string; Value?: string }>(raw.Dimensions).map((d) => ({
          name: String(d.Name),
          value: d.Value === undefined ? undefined : String(d.Value),
        })),
      }),
      (filter) => ({
        Metrics: store.listMetrics(filter).map((m) => ({
          Namespace: m.namespace,
          MetricName: m.name,
          Dimensions: dimList(m.dimensions),
        })),
      }),
    ),
  };
}
