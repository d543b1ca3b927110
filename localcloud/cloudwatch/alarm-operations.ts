/**
 * CloudWatch metric alarms on one metric each: PutMetricAlarm,
 * DescribeAlarms, DeleteAlarms, and their evaluation from the MetricStore
 * (on a timer and whenever they are described), state changes reported.
 */
import { ACCOUNT_ID } from '../config';
import { operation, type RawInput } from '../edge/operation-table';
import { asArray, toBool, toNumber } from '../edge/query-protocol';
import {
  COMPARISONS,
  evaluateAlarm,
  type AlarmState,
  type ComparisonOperator,
} from './alarm-evaluation';
import { cwFields, invalid, missing, notFound } from './cloudwatch-errors';
import { dimList, dims, validStat, type CloudWatchOperation } from './metric-operations';
import { BASIC_STATS, type MetricId, type MetricStore } from './metric-store';

/** An alarm as plain data (--data-dir): the PutMetricAlarm input that made it and its state. */
export interface SavedAlarm {
  def: RawInput;
  state: AlarmState;
  reason: string;
  stateUpdated: number;
  configUpdated: number;
}

export type AlarmChange = (name: string, from: AlarmState, to: AlarmState, reason: string) => void;

interface AlarmRuleInput {
  name: string;
  def: RawInput;
  metric: MetricId;
  stat: string;
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparison: ComparisonOperator;
  treatMissingData: string;
}

interface Alarm extends AlarmRuleInput {
  state: AlarmState;
  reason: string;
  stateUpdated: Date;
  configUpdated: Date;
}

/** The alarm's one metric: top-level fields, or a Metrics list holding exactly one MetricStat. */
function alarmMetric(
  raw: RawInput,
  name: string,
): { metric: MetricId; stat: string; period?: number } {
  const metricOf = (m: RawInput): MetricId => ({
    namespace: cwFields(m).str('Namespace'),
    name: cwFields(m).str('MetricName'),
    dimensions: dims(m.Dimensions),
  });
  if (raw.Metrics === undefined) {
    const f = cwFields(raw);
    const stat = f.optStr('ExtendedStatistic') ?? f.str('Statistic');
    return { metric: metricOf(raw), stat, period: toNumber(raw.Period) };
  }
  const queries = asArray(raw.Metrics);
  const only = queries.length === 1 ? queries[0] : undefined;
  const ms = only?.MetricStat as RawInput | undefined;
  if (!ms || only?.Expression !== undefined)
    throw invalid(
      `streamscale local cloud supports alarms on one metric only; alarm ${name} uses metric math`,
    );
  return {
    metric: metricOf((ms.Metric as RawInput | undefined) ?? {}),
    stat: cwFields(ms).str('Stat'),
    period: toNumber(ms.Period),
  };
}

function decodeAlarm(raw: RawInput): AlarmRuleInput {
  const f = cwFields(raw);
  const name = f.str('AlarmName');
  const { metric, stat, period } = alarmMetric(raw, name);
  validStat(stat);
  if (period === undefined || period < 1) throw missing('Period');
  const comparison = f.str('ComparisonOperator');
  if (!(comparison in COMPARISONS))
    throw invalid(
      `streamscale local cloud does not support ComparisonOperator ${comparison} (anomaly detection); use one of ${Object.keys(COMPARISONS).join(', ')}`,
    );
  const evaluationPeriods = toNumber(raw.EvaluationPeriods);
  if (evaluationPeriods === undefined || evaluationPeriods < 1) throw missing('EvaluationPeriods');
  const threshold = toNumber(raw.Threshold);
  if (threshold === undefined) throw missing('Threshold');
  return {
    name,
    def: raw,
    metric,
    stat,
    period,
    evaluationPeriods,
    datapointsToAlarm: toNumber(raw.DatapointsToAlarm) ?? evaluationPeriods,
    threshold,
    comparison: comparison as ComparisonOperator,
    treatMissingData: f.optStr('TreatMissingData') ?? 'missing',
  };
}

export class AlarmBook {
  private readonly alarms = new Map<string, Alarm>();

  constructor(
    private readonly store: MetricStore,
    private readonly region: string,
    private readonly onChange: AlarmChange,
  ) {}

  put(rule: AlarmRuleInput, now = new Date()): void {
    const previous = this.alarms.get(rule.name);
    const alarm: Alarm = {
      ...rule,
      state: previous?.state ?? 'INSUFFICIENT_DATA',
      reason: previous?.reason ?? 'Unchecked: Initial alarm creation',
      stateUpdated: previous?.stateUpdated ?? now,
      configUpdated: now,
    };
    this.alarms.set(rule.name, alarm);
    this.evaluate(alarm, now);
  }

  saved(): SavedAlarm[] {
    return [...this.alarms.values()].map((a) => ({
      def: a.def,
      state: a.state,
      reason: a.reason,
      stateUpdated: a.stateUpdated.getTime(),
      configUpdated: a.configUpdated.getTime(),
    }));
  }

  /** Alarms as saved(): each decoded again from its input, so it is checked as a new one. */
  restore(saved: readonly SavedAlarm[]): void {
    for (const s of saved) {
      const rule = decodeAlarm(s.def);
      this.alarms.set(rule.name, {
        ...rule,
        state: s.state,
        reason: s.reason,
        stateUpdated: new Date(s.stateUpdated),
        configUpdated: new Date(s.configUpdated),
      });
    }
  }

  /** Re-evaluates every alarm (on a timer and on DescribeAlarms). */
  evaluateAll(now = new Date()): void {
    for (const a of this.alarms.values()) this.evaluate(a, now);
  }

  private evaluate(a: Alarm, now: Date): void {
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
      a,
      points.map((p) => p.value),
      a.state,
    );
    if (verdict.state !== a.state) {
      this.onChange(a.name, a.state, verdict.state, verdict.reason);
      a.state = verdict.state;
      a.stateUpdated = now;
    }
    a.reason = verdict.reason;
  }

  describe(filter: {
    names: string[];
    prefix?: string;
    state?: string;
  }): Array<Record<string, unknown>> {
    this.evaluateAll();
    return [...this.alarms.values()]
      .filter(
        (a) =>
          (filter.names.length === 0 || filter.names.includes(a.name)) &&
          (filter.prefix === undefined || a.name.startsWith(filter.prefix)) &&
          (filter.state === undefined || a.state === filter.state),
      )
      .sort((x, y) => x.name.localeCompare(y.name))
      .map((a) => this.description(a));
  }

  private description(a: Alarm): Record<string, unknown> {
    const d = a.def;
    const basic = (BASIC_STATS as readonly string[]).includes(a.stat);
    return {
      AlarmName: a.name,
      AlarmArn: `arn:aws:cloudwatch:${this.region}:${ACCOUNT_ID}:alarm:${a.name}`,
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
      ...(d.Metrics !== undefined
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
  }

  delete(names: string[]): void {
    const unknown = names.filter((n) => !this.alarms.has(n));
    if (unknown.length > 0)
      throw notFound('ResourceNotFound', `Alarm ${unknown.join(', ')} does not exist`);
    for (const n of names) this.alarms.delete(n);
  }
}

export function alarmOperations(book: AlarmBook): Record<string, CloudWatchOperation> {
  return {
    PutMetricAlarm: operation(decodeAlarm, (rule) => {
      book.put(rule);
      return undefined;
    }),
    DescribeAlarms: operation(
      (raw) => ({
        names: asArray<string>(raw.AlarmNames).map(String),
        prefix: cwFields(raw).optStr('AlarmNamePrefix'),
        state: cwFields(raw).optStr('StateValue'),
      }),
      (filter) => ({ MetricAlarms: book.describe(filter), CompositeAlarms: [] }),
    ),
    DeleteAlarms: operation(
      (raw) => asArray<string>(raw.AlarmNames).map(String),
      (names) => {
        book.delete(names);
        return undefined;
      },
    ),
  };
}
