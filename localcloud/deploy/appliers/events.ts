/**
 * AWS::Events::Rule: PutRule and PutTargets (both idempotent on AWS too);
 * a later deploy re-puts a changed rule and removes targets the template
 * dropped.
 */
import { changedProperties } from '../diff';
import type { Json } from '../template';
import { defined, errorName, type Applier } from './types';

type Obj = Record<string, Json>;

function targets(props: Obj): Obj[] {
  return ((props.Targets ?? []) as Obj[]).map(
    (t) =>
      defined({
        Id: t.Id,
        Arn: t.Arn,
        Input: t.Input,
        InputPath: t.InputPath,
        RoleArn: t.RoleArn,
        RetryPolicy: t.RetryPolicy,
        DeadLetterConfig: t.DeadLetterConfig,
      }) as Obj,
  );
}

export const applyRule: Applier = async ({ name, props, previous, clients }) => {
  const api = clients.events;
  let exists = true;
  try {
    await api.call('DescribeRule', defined({ Name: name, EventBusName: props.EventBusName }));
  } catch (err) {
    if (errorName(err) !== 'ResourceNotFoundException') throw err;
    exists = false;
  }
  const rule = {
    Name: name,
    EventBusName: props.EventBusName,
    ScheduleExpression: props.ScheduleExpression,
    State: props.State,
    Description: props.Description,
  };
  const pattern = props.EventPattern;
  const same = exists && previous && changedProperties(previous.properties, props).length === 0;
  if (same) {
    const arn = (
      await api.call<{ Arn?: string }>(
        'DescribeRule',
        defined({ Name: name, EventBusName: props.EventBusName }),
      )
    ).Arn;
    return {
      action: 'unchanged',
      physicalId: name,
      values: { ref: name, attrs: { Arn: arn ?? null } },
    };
  }
  const put = await api.call<{ RuleArn?: string }>(
    'PutRule',
    defined({
      ...rule,
      EventPattern:
        pattern === undefined
          ? undefined
          : typeof pattern === 'string'
            ? pattern
            : JSON.stringify(pattern),
    }),
  );
  const want = targets(props);
  if (want.length > 0) {
    const r = await api.call<{ FailedEntryCount?: number; FailedEntries?: unknown[] }>(
      'PutTargets',
      defined({ Rule: name, EventBusName: props.EventBusName, Targets: want }),
    );
    if (r.FailedEntryCount)
      throw new Error(`PutTargets failed for ${JSON.stringify(r.FailedEntries)}`);
  }
  const dropped = previous
    ? targets(previous.properties)
        .map((t) => t.Id as string)
        .filter((id) => !want.some((t) => t.Id === id))
    : [];
  if (exists && dropped.length > 0)
    await api.call(
      'RemoveTargets',
      defined({ Rule: name, EventBusName: props.EventBusName, Ids: dropped }),
    );
  return {
    action: exists ? 'updated' : 'created',
    physicalId: name,
    values: { ref: name, attrs: { Arn: put.RuleArn ?? null } },
    detail: want.length > 0 ? `${want.length} target${want.length > 1 ? 's' : ''}` : undefined,
  };
};
