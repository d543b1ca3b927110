/**
 * CloudWatch operations over plain request objects (the JSON protocol's
 * shape; the query protocol is decoded into the same shape with scalars as
 * strings, hence the coercions). Protocol framing lives in
 * cloudwatch-service.ts; data lives in the MetricStore.
 */
import { asArray, toBool, toDate, toNumber } from '../edge/query-protocol';
import {
  COMPARISONS,
  evaluateAlarm,
  type AlarmState,
  type ComparisonOperator,
} from './alarm-evaluation';
import { evaluateMetricMath, MetricMathError, type TimeSeries } from './metric-math';
import { BASIC_STATS, checkStat, type MetricId, type MetricStore } from './metric-store';
import { ACCOUNT_ID as ACCOUNT } from '../config';

/** A client error with its JSON (awsJson1_0) and query-protocol codes. */
export class CloudWatchError extends Error {
  constructor(
    readonly jsonCode: string,
    readonly queryCode: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const invalid = (message: string) =>
  new CloudWatchError('InvalidParameterValueException', 'InvalidParameterValue', message);
const missing = (name: string) =>
  new CloudWatchError(
    'MissingRequiredParameterException',
    'MissingParameter',
    `The parameter ${name} is required.`,
  );

type Input = Record<string, unknown>;
type Output = Record<string, unknown> | undefined;

interface Dashboard {
  name: string;
  body: string;
  modified: Date;
}

interface Alarm {
  def: Input;
  metric: MetricId;
  stat: string;
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparison: ComparisonOperator;
  treatMissingData: string;
  state: AlarmState;
  reason: string;
  stateUpdated: Date;
  configUpdated: Date;
}

function dims(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of asArray<{ Name?: string; Value?: string }>(v))
    if (d.Name !== undefined) out[d.Name] = String(d.Value ?? '');
  return out;
}

function dimList(d: Record<string, string>): Array<{ Name: string; Value: string }> {
  return Object.entries(d).map(([Name, Value]) => ({ Name, Value }));
}

function req(input: Input, name: string): string {
  const v = input[name];
  if (v === undefined || v === null || v === '') throw missing(name);
  return String(v);
}

export class CloudWatchApi {
  private readonly dashboards = new Map<string, Dashboard>();
  private readonly alarms = new Map<string, Alarm>();

  constructor(
    readonly store: MetricStore,
    private readonly region: string,
    private readonly onAlarmChange: (
      name: string,
      from: AlarmState,
      to: AlarmState,
      reason: string,
    ) => void = () => {},
  ) {}

  readonly operations: Record<string, (input: Input) => Output> = {
    PutMetricData: (i) => this.putMetricData(i),
    GetMetricData: (i) => this.getMetricData(i),
    GetMetricStatistics: (i) => this.getMetricStatistics(i),
    ListMetrics: (i) => this.listMetrics(i),
    PutDashboard: (i) => this.putDashboard(i),
    GetDashboard: (i) => this.getDashboard(i),
    ListDashboards: (i) => this.listDashboards(i),
    DeleteDashboards: (i) => this.deleteDashboards(i),
    PutMetricAlarm: (i) => this.putMetricAlarm(i),
    DescribeAlarms: (i) => this.describeAlarms(i),
    DeleteAlarms: (i) => this.deleteAlarms(i),
    TagResource: () => undefined,
    ListTagsForResource: () => ({ Tags: [] }),
  };

  // ---- metrics ----------------------------------------------------------

  private putMetricData(i: Input): Output {
    const namespace = req(i, 'Namespace');
    if (namespace.startsWith('AWS/'))
      throw invalid(
        `The value ${namespace} for parameter Namespace is invalid: the AWS/ prefix is reserved.`,
      );
    const data = asArray(i.MetricData);
    if (data.length === 0) throw missing('MetricData');
    if (data.length > 1000)
      throw invalid('The collection MetricData must not have a size greater than 1000.');
    const now = new Date();
    for (const d of data) {
      const id: MetricId = {
        namespace,
        name: req(d, 'MetricName'),
        dimensions: dims(d.Dimensions),
      };
      const ts = toDate(d.Timestamp) ?? now;
      const unit = d.Unit === undefined ? undefined : String(d.Unit);
      const sv = d.StatisticValues as Input | undefined;
      if (sv) {
        const s = {
          count: toNumber(sv.SampleCount),
          sum: toNumber(sv.Sum),
          min: toNumber(sv.Minimum),
          max: toNumber(sv.Maximum),
        };
        if (
          s.count === undefined ||
          s.sum === undefined ||
          s.min === undefined ||
          s.max === undefined
        ) {
          throw missing('StatisticValues.SampleCount, Sum, Minimum and Maximum');
        }
        this.store.putStatistics(
          id,
          ts,
          { count: s.count, sum: s.sum, min: s.min, max: s.max },
          unit,
        );
      } else if (d.Values !== undefined) {
        const values = asArray<unknown>(d.Values).map((v) => toNumber(v) ?? NaN);
        const counts =
          d.Counts === undefined
            ? undefined
            : asArray<unknown>(d.Counts).map((v) => toNumber(v) ?? 1);
        if (counts && counts.length !== values.length)
          throw invalid('Values and Counts must have the same length.');
        this.store.putValues(id, ts, values, counts, unit);
      } else {
        const v = toNumber(d.Value);
        if (v === undefined) throw missing('Value, Values or StatisticValues');
        this.store.putValues(id, ts, [v], undefined, unit);
      }
    }
    return undefined;
  }

  private getMetricData(i: Input): Output {
    const start = toDate(i.StartTime);
    const end = toDate(i.EndTime);
    if (!start) throw missing('StartTime');
    if (!end) throw missing('EndTime');
    const ascending = i.ScanBy === 'TimestampAscending';
    const max = toNumber(i.MaxDatapoints) ?? 100_800;
    const queries = asArray(i.MetricDataQueries);
    const byId = new Map(queries.map((q) => [req(q, 'Id'), q]));
    const series = new Map<string, TimeSeries>();
    const statSeries = (id: string, q: Input): TimeSeries => {
      const ms = q.MetricStat as Input | undefined;
      if (!ms) throw missing(`MetricDataQueries.${id}.MetricStat or Expression`);
      const m = (ms.Metric as Input | undefined) ?? {};
      const stat = req(ms, 'Stat');
      const period = toNumber(ms.Period);
      if (period === undefined || period < 1)
        throw invalid(`The parameter MetricStat.Period of query ${id} must be >= 1.`);
      try {
        checkStat(stat);
      } catch (e) {
        throw invalid((e as Error).message);
      }
      const points = this.store.query({
        namespace: req(m, 'Namespace'),
        name: req(m, 'MetricName'),
        dimensions: dims(m.Dimensions),
        start,
        end,
        periodSeconds: period,
        stat,
      });
      return new Map(points.map((p) => [p.timestamp.getTime(), p.value]));
    };
    const evaluating = new Set<string>();
    const resolve = (id: string): TimeSeries => {
      const known = series.get(id);
      if (known) return known;
      const q = byId.get(id);
      if (!q)
        throw invalid(
          `the expression refers to "${id}", which is not the Id of a query in this request`,
        );
      if (evaluating.has(id))
        throw invalid(`the expressions refer to each other in a cycle through "${id}"`);
      evaluating.add(id);
      let out: TimeSeries;
      if (q.Expression !== undefined) {
        try {
          out = evaluateMetricMath(String(q.Expression), resolve, () =>
            queries.filter((x) => x.MetricStat !== undefined).map((x) => resolve(String(x.Id))),
          );
        } catch (e) {
          if (e instanceof MetricMathError) throw invalid(`query ${id}: ${e.message}`);
          throw e;
        }
      } else {
        out = statSeries(id, q);
      }
      evaluating.delete(id);
      series.set(id, out);
      return out;
    };
    const results = queries
      .filter((q) => toBool(q.ReturnData) !== false)
      .map((q) => {
        const id = String(q.Id);
        const points = [...resolve(id)]
          .sort((x, y) => (ascending ? x[0] - y[0] : y[0] - x[0]))
          .slice(0, max);
        const metricName = ((q.MetricStat as Input | undefined)?.Metric as Input | undefined)
          ?.MetricName;
        return {
          Id: id,
          Label:
            q.Label !== undefined
              ? String(q.Label)
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

  private getMetricStatistics(i: Input): Output {
    const start = toDate(i.StartTime);
    const end = toDate(i.EndTime);
    if (!start) throw missing('StartTime');
    if (!end) throw missing('EndTime');
    const period = toNumber(i.Period);
    if (period === undefined || period < 1) throw invalid('The parameter Period must be >= 1.');
    const stats = asArray<string>(i.Statistics).map(String);
    const extended = asArray<string>(i.ExtendedStatistics).map(String);
    if (stats.length + extended.length === 0) throw missing('Statistics or ExtendedStatistics');
    for (const s of stats)
      if (!(BASIC_STATS as readonly string[]).includes(s))
        throw invalid(`Statistic ${s} is not one of ${BASIC_STATS.join(', ')}.`);
    try {
      for (const s of extended) checkStat(s);
    } catch (e) {
      throw invalid((e as Error).message);
    }
    const name = req(i, 'MetricName');
    const id: MetricId = { namespace: req(i, 'Namespace'), name, dimensions: dims(i.Dimensions) };
    const rows = this.store.statistics({ ...id, start, end, periodSeconds: period }, [
      ...stats,
      ...extended,
    ]);
    return {
      Label: name,
      Datapoints: rows.map((r) => {
        const dp: Record<string, unknown> = { Timestamp: r.timestamp };
        for (const s of stats) if (r.values[s] !== undefined) dp[s] = r.values[s];
        if (extended.length > 0) {
          dp.ExtendedStatistics = Object.fromEntries(
            extended.filter((s) => r.values[s] !== undefined).map((s) => [s, r.values[s]]),
          );
        }
        dp.Unit = r.unit ?? 'None';
        return dp;
      }),
    };
  }

  private listMetrics(i: Input): Output {
    const metrics = this.store.listMetrics({
      namespace: i.Namespace === undefined ? undefined : String(i.Namespace),
      name: i.MetricName === undefined ? undefined : String(i.MetricName),
      dimensions: asArray<{ Name?: string; Value?: string }>(i.Dimensions).map((d) => ({
        name: String(d.Name),
        value: d.Value === undefined ? undefined : String(d.Value),
      })),
    });
    return {
      Metrics: metrics.map((m) => ({
        Namespace: m.namespace,
        MetricName: m.name,
        Dimensions: dimList(m.dimensions),
      })),
    };
  }

  // ---- dashboards -------------------------------------------------------

  private dashboardArn(name: string): string {
    return `arn:aws:cloudwatch::${ACCOUNT}:dashboard/${name}`;
  }

  private putDashboard(i: Input): Output {
    const name = req(i, 'DashboardName');
    const body = req(i, 'DashboardBody');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      throw new CloudWatchError(
        'DashboardInvalidInputError',
        'InvalidParameterInput',
        `The field DashboardBody must be a valid JSON object: ${(e as Error).message}`,
      );
    }
    if (
      !parsed ||
      typeof parsed !== 'object' ||
      !Array.isArray((parsed as { widgets?: unknown }).widgets)
    ) {
      throw new CloudWatchError(
        'DashboardInvalidInputError',
        'InvalidParameterInput',
        'The field DashboardBody must be a JSON object with a "widgets" array.',
      );
    }
    this.dashboards.set(name, { name, body, modified: new Date() });
    return { DashboardValidationMessages: [] };
  }

  private getDashboard(i: Input): Output {
    const name = req(i, 'DashboardName');
    const d = this.dashboards.get(name);
    if (!d)
      throw new CloudWatchError(
        'DashboardNotFoundError',
        'ResourceNotFound',
        `Dashboard ${name} does not exist`,
        404,
      );
    return { DashboardArn: this.dashboardArn(name), DashboardBody: d.body, DashboardName: name };
  }

  private listDashboards(i: Input): Output {
    const prefix = i.DashboardNamePrefix === undefined ? '' : String(i.DashboardNamePrefix);
    return {
      DashboardEntries: [...this.dashboards.values()]
        .filter((d) => d.name.startsWith(prefix))
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((d) => ({
          DashboardName: d.name,
          DashboardArn: this.dashboardArn(d.name),
          LastModified: d.modified,
          Size: Buffer.byteLength(d.body),
        })),
    };
  }

  private deleteDashboards(i: Input): Output {
    const names = asArray<string>(i.DashboardNames).map(String);
    const unknown = names.filter((n) => !this.dashboards.has(n));
    if (unknown.length > 0)
      throw new CloudWatchError(
        'DashboardNotFoundError',
        'ResourceNotFound',
        `Dashboard ${unknown.join(', ')} does not exist`,
        404,
      );
    for (const n of names) this.dashboards.delete(n);
    return undefined;
  }

  // ---- alarms -----------------------------------------------------------

  private putMetricAlarm(i: Input): Output {
    const name = req(i, 'AlarmName');
    let metric: MetricId;
    let stat: string;
    let period: number | undefined;
    if (i.Metrics !== undefined) {
      const queries = asArray(i.Metrics);
      const only = queries.length === 1 ? queries[0] : undefined;
      const ms = only?.MetricStat as Input | undefined;
      if (!ms || only?.Expression !== undefined) {
        throw invalid(
          `streamscale local cloud supports alarms on one metric only; alarm ${name} uses metric math`,
        );
      }
      const m = (ms.Metric as Input | undefined) ?? {};
      metric = {
        namespace: req(m, 'Namespace'),
        name: req(m, 'MetricName'),
        dimensions: dims(m.Dimensions),
      };
      stat = req(ms, 'Stat');
      period = toNumber(ms.Period);
    } else {
      metric = {
        namespace: req(i, 'Namespace'),
        name: req(i, 'MetricName'),
        dimensions: dims(i.Dimensions),
      };
      stat = i.ExtendedStatistic !== undefined ? String(i.ExtendedStatistic) : req(i, 'Statistic');
      period = toNumber(i.Period);
    }
    try {
      checkStat(stat);
    } catch (e) {
      throw invalid((e as Error).message);
    }
    if (period === undefined || period < 1) throw missing('Period');
    const comparison = req(i, 'ComparisonOperator');
    if (!(comparison in COMPARISONS)) {
      throw invalid(
        `streamscale local cloud does not support ComparisonOperator ${comparison} (anomaly detection); use one of ${Object.keys(COMPARISONS).join(', ')}`,
      );
    }
    const evaluationPeriods = toNumber(i.EvaluationPeriods);
    if (evaluationPeriods === undefined || evaluationPeriods < 1)
      throw missing('EvaluationPeriods');
    const threshold = toNumber(i.Threshold);
    if (threshold === undefined) throw missing('Threshold');
    const now = new Date();
    const previous = this.alarms.get(name);
    this.alarms.set(name, {
      def: i,
      metric,
      stat,
      period,
      evaluationPeriods,
      datapointsToAlarm: toNumber(i.DatapointsToAlarm) ?? evaluationPeriods,
      threshold,
      comparison: comparison as ComparisonOperator,
      treatMissingData: i.TreatMissingData === undefined ? 'missing' : String(i.TreatMissingData),
      state: previous?.state ?? 'INSUFFICIENT_DATA',
      reason: previous?.reason ?? 'Unchecked: Initial alarm creation',
      stateUpdated: previous?.stateUpdated ?? now,
      configUpdated: now,
    });
    this.evaluate(this.alarms.get(name)!, name, now);
    return undefined;
  }

  /** Re-evaluates every alarm (called on a timer and on DescribeAlarms). */
  evaluateAlarms(now = new Date()): void {
    for (const [name, a] of this.alarms) this.evaluate(a, name, now);
  }

  private evaluate(a: Alarm, name: string, now: Date): void {
    // the last `evaluationPeriods` complete periods
    const endSec = Math.floor(now.getTime() / 1000 / a.period) * a.period;
    const points = this.store.query({
      ...a.metric,
      start: new Date((endSec - a.evaluationPeriods * a.period) * 1000),
      end: new Date(endSec * 1000),
      periodSeconds: a.period,
      stat: a.stat,
    });
    const verdict = evaluateAlarm(
      {
        evaluationPeriods: a.evaluationPeriods,
        datapointsToAlarm: a.datapointsToAlarm,
        threshold: a.threshold,
        comparison: a.comparison,
        treatMissingData: a.treatMissingData,
      },
      points.map((p) => p.value),
      a.state,
    );
    if (verdict.state !== a.state) {
      this.onAlarmChange(name, a.state, verdict.state, verdict.reason);
      a.state = verdict.state;
      a.stateUpdated = now;
    }
    a.reason = verdict.reason;
  }

  private describeAlarms(i: Input): Output {
    this.evaluateAlarms();
    const names = asArray<string>(i.AlarmNames).map(String);
    const prefix = i.AlarmNamePrefix === undefined ? undefined : String(i.AlarmNamePrefix);
    const state = i.StateValue === undefined ? undefined : String(i.StateValue);
    const alarms = [...this.alarms.entries()]
      .filter(
        ([n, a]) =>
          (names.length === 0 || names.includes(n)) &&
          (prefix === undefined || n.startsWith(prefix)) &&
          (state === undefined || a.state === state),
      )
      .sort(([x], [y]) => x.localeCompare(y))
      .map(([n, a]) => {
        const d = a.def;
        const usesMetrics = d.Metrics !== undefined;
        const basic = (BASIC_STATS as readonly string[]).includes(a.stat);
        return {
          AlarmName: n,
          AlarmArn: `arn:aws:cloudwatch:${this.region}:${ACCOUNT}:alarm:${n}`,
          AlarmDescription: d.AlarmDescription,
          AlarmConfigurationUpdatedTimestamp: a.configUpdated,
          ActionsEnabled: toBool(d.ActionsEnabled) ?? true,
          OKActions: asArray<string>(d.OKActions),
          AlarmActions: asArray<string>(d.AlarmActions),
          InsufficientDataActions: asArray<string>(d.InsufficientDataActions),
          StateValue: a.state,
          StateReason: a.reason,
          StateUpdatedTimestamp: a.stateUpdated,
          StateTransitionedTimestamp: a.stateUpdated,
          ...(usesMetrics
            ? { Metrics: d.Metrics }
            : {
                MetricName: a.metric.name,
                Namespace: a.metric.namespace,
                Dimensions: dimList(a.metric.dimensions),
                Period: a.period,
                ...(basic ? { Statistic: a.stat } : { ExtendedStatistic: a.stat }),
              }),
          Unit: d.Unit,
          EvaluationPeriods: a.evaluationPeriods,
          DatapointsToAlarm: a.datapointsToAlarm,
          Threshold: a.threshold,
          ComparisonOperator: a.comparison,
          TreatMissingData: a.treatMissingData,
        };
      });
    return { MetricAlarms: alarms, CompositeAlarms: [] };
  }

  private deleteAlarms(i: Input): Output {
    const names = asArray<string>(i.AlarmNames).map(String);
    const unknown = names.filter((n) => !this.alarms.has(n));
    if (unknown.length > 0)
      throw new CloudWatchError(
        'ResourceNotFound',
        'ResourceNotFound',
        `Alarm ${unknown.join(', ')} does not exist`,
        404,
      );
    for (const n of names) this.alarms.delete(n);
    return undefined;
  }
}
