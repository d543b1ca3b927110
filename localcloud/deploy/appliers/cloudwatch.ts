/**
 * AWS::CloudWatch::Dashboard (PutDashboard with the resolved body) and
 * AWS::CloudWatch::Alarm (PutMetricAlarm); both calls replace the whole
 * definition, so an update is the same call again.
 */
import {
  DescribeAlarmsCommand,
  GetDashboardCommand,
  PutDashboardCommand,
  PutMetricAlarmCommand,
  type PutMetricAlarmInput,
} from '@aws-sdk/client-cloudwatch';
import { changedProperties } from '../diff';
import type { Json } from '../template';
import {
  DeployError,
  bool,
  defined,
  errorName,
  num,
  type Applier,
  type ApplyAction,
} from './types';

function action(
  exists: boolean,
  previous: { properties: Record<string, Json> } | undefined,
  props: Record<string, Json>,
): ApplyAction | 'skip' {
  if (!exists) return 'created';
  if (previous && changedProperties(previous.properties, props).length === 0) return 'skip';
  return 'updated';
}

export const applyDashboard: Applier = async ({ name, props, previous, clients }) => {
  const client = clients.cloudwatch;
  let exists = true;
  try {
    await client.send(new GetDashboardCommand({ DashboardName: name }));
  } catch (err) {
    if (errorName(err) !== 'ResourceNotFound' && errorName(err) !== 'ResourceNotFoundException')
      throw err;
    exists = false;
  }
  const a = action(exists, previous, props);
  if (a === 'skip')
    return { action: 'unchanged', physicalId: name, values: { ref: name, attrs: {} } };
  const body =
    typeof props.DashboardBody === 'string'
      ? props.DashboardBody
      : JSON.stringify(props.DashboardBody);
  const r = await client.send(
    new PutDashboardCommand({ DashboardName: name, DashboardBody: body }),
  );
  if (r.DashboardValidationMessages && r.DashboardValidationMessages.length > 0) {
    throw new DeployError(
      `dashboard ${name}: ${r.DashboardValidationMessages.map((m) => m.Message).join('; ')}`,
    );
  }
  return {
    action: a,
    physicalId: name,
    values: { ref: name, attrs: {} },
    detail: `${body.length} byte body`,
  };
};

type Obj = Record<string, Json>;

function metricQueries(v: Json | undefined): PutMetricAlarmInput['Metrics'] {
  if (!Array.isArray(v)) return undefined;
  return (v as Obj[]).map((q) => {
    const stat = q.MetricStat as Obj | undefined;
    return defined({
      Id: q.Id as string,
      Expression: q.Expression as string | undefined,
      Label: q.Label as string | undefined,
      ReturnData: bool(q.ReturnData),
      Period: num(q.Period),
      MetricStat: stat
        ? defined({
            Metric: stat.Metric as never,
            Period: num(stat.Period)!,
            Stat: stat.Stat as string,
            Unit: stat.Unit as never,
          })
        : undefined,
    });
  });
}

export const applyAlarm: Applier = async ({ name, props, previous, predicted, clients }) => {
  const client = clients.cloudwatch;
  const live = await client.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  const existing = (live.MetricAlarms ?? [])[0];
  const a = action(!!existing, previous, props);
  if (a === 'skip')
    return {
      action: 'unchanged',
      physicalId: name,
      values: { ref: name, attrs: { Arn: existing?.AlarmArn ?? predicted.attrs.Arn ?? null } },
    };
  await client.send(
    new PutMetricAlarmCommand(
      defined({
        AlarmName: name,
        AlarmDescription: props.AlarmDescription as string | undefined,
        ActionsEnabled: bool(props.ActionsEnabled),
        AlarmActions: props.AlarmActions as string[] | undefined,
        OKActions: props.OKActions as string[] | undefined,
        InsufficientDataActions: props.InsufficientDataActions as string[] | undefined,
        MetricName: props.MetricName as string | undefined,
        Namespace: props.Namespace as string | undefined,
        Statistic: props.Statistic as never,
        ExtendedStatistic: props.ExtendedStatistic as string | undefined,
        Dimensions: props.Dimensions as never,
        Period: num(props.Period),
        Unit: props.Unit as never,
        EvaluationPeriods: num(props.EvaluationPeriods)!,
        DatapointsToAlarm: num(props.DatapointsToAlarm),
        Threshold: num(props.Threshold),
        ThresholdMetricId: props.ThresholdMetricId as string | undefined,
        ComparisonOperator: props.ComparisonOperator as never,
        TreatMissingData: props.TreatMissingData as string | undefined,
        EvaluateLowSampleCountPercentile: props.EvaluateLowSampleCountPercentile as
          string | undefined,
        Metrics: metricQueries(props.Metrics),
      }),
    ),
  );
  const after = (await client.send(new DescribeAlarmsCommand({ AlarmNames: [name] })))
    .MetricAlarms?.[0];
  return {
    action: a,
    physicalId: name,
    values: { ref: name, attrs: { Arn: after?.AlarmArn ?? predicted.attrs.Arn ?? null } },
  };
};
