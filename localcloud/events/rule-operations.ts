/**
 * The EventBridge operations schedules need, each decoding its typed input:
 * Put/Describe/List/Enable/Disable/DeleteRule, Put/ListTargetsByRule/
 * RemoveTargets.
 */
import { ACCOUNT_ID } from '../config';
import { AwsError } from '../edge/aws-errors';
import { Fields } from '../edge/input-fields';
import { operation, type Operation, type RawInput } from '../edge/operation-table';
import type { Rule, RuleScheduler, Target } from './rules';
import { parseSchedule, ScheduleError } from './schedule-expression';

export type EventsOperation = Operation<void, unknown>;

const NAME = /^[\w.-]{1,64}$/;

const invalid = (message: string) => new AwsError('ValidationException', message);

const fields = (raw: RawInput) =>
  new Fields(raw, {
    missing: (name) => invalid(`${name} is required`),
    invalid: (name, _value, expected) => invalid(`${name} must be ${expected}`),
  });

interface PutRuleInput {
  name: string;
  bus: string;
  schedule?: string;
  pattern?: string;
  state: 'ENABLED' | 'DISABLED';
  description?: string;
}

function decodePutRule(raw: RawInput): PutRuleInput {
  const f = fields(raw);
  const name = f.str('Name');
  if (!NAME.test(name))
    throw invalid(`Rule name must be 1-64 of letters, digits, . - _ (got "${name}")`);
  const schedule = f.optStr('ScheduleExpression');
  if (schedule) {
    try {
      parseSchedule(schedule);
    } catch (err) {
      throw invalid((err as ScheduleError).message);
    }
  }
  const pattern = f.optStr('EventPattern');
  if (!schedule && pattern === undefined)
    throw invalid('Parameter(s) ScheduleExpression or EventPattern must be specified.');
  return {
    name,
    bus: f.optStr('EventBusName') ?? 'default',
    schedule,
    pattern,
    state: raw.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    description: f.optStr('Description'),
  };
}

function describe(r: Rule): Record<string, unknown> {
  return {
    Name: r.Name,
    Arn: r.Arn,
    EventBusName: r.EventBusName,
    State: r.State,
    CreatedBy: ACCOUNT_ID,
    ...(r.ScheduleExpression ? { ScheduleExpression: r.ScheduleExpression } : {}),
    ...(r.EventPattern ? { EventPattern: r.EventPattern } : {}),
    ...(r.Description ? { Description: r.Description } : {}),
  };
}

export function ruleOperations(
  rules: Map<string, Rule>,
  scheduler: RuleScheduler,
  region: string,
): Record<string, EventsOperation> {
  const rule = (name: string): Rule => {
    const r = rules.get(name);
    if (!r)
      throw new AwsError(
        'ResourceNotFoundException',
        `Rule ${name} does not exist on EventBus default.`,
      );
    return r;
  };
  const named = (key: string) => (raw: RawInput) => fields(raw).str(key);
  return {
    PutRule: operation(decodePutRule, (i) => {
      const existing = rules.get(i.name);
      const r: Rule = {
        Name: i.name,
        Arn: `arn:aws:events:${region}:${ACCOUNT_ID}:rule/${i.name}`,
        EventBusName: i.bus,
        ScheduleExpression: i.schedule,
        EventPattern: i.pattern,
        State: i.state,
        Description: i.description,
        targets: existing?.targets ?? new Map(),
        fired: existing?.fired ?? 0,
      };
      if (existing) scheduler.unschedule(existing);
      rules.set(i.name, r);
      scheduler.schedule(r);
      return { RuleArn: r.Arn };
    }),
    DescribeRule: operation(named('Name'), (name) => describe(rule(name))),
    ListRules: operation(
      (raw) => fields(raw).optStr('NamePrefix') ?? '',
      (prefix) => ({
        Rules: [...rules.values()].filter((r) => r.Name.startsWith(prefix)).map(describe),
      }),
    ),
    EnableRule: operation(named('Name'), (name) => {
      const r = rule(name);
      r.State = 'ENABLED';
      scheduler.schedule(r);
      return {};
    }),
    DisableRule: operation(named('Name'), (name) => {
      const r = rule(name);
      r.State = 'DISABLED';
      scheduler.unschedule(r);
      return {};
    }),
    DeleteRule: operation(
      (raw) => ({ name: fields(raw).str('Name'), force: raw.Force === true }),
      ({ name, force }) => {
        const r = rules.get(name);
        if (!r) return {};
        if (r.targets.size > 0 && !force)
          throw invalid("Rule can't be deleted since it has targets.");
        scheduler.unschedule(r);
        rules.delete(name);
        return {};
      },
    ),
    ...targetOperations(rule),
  };
}

function targetOperations(rule: (name: string) => Rule): Record<string, EventsOperation> {
  return {
    PutTargets: operation(
      (raw) => ({ rule: fields(raw).str('Rule'), targets: fields(raw).list<Target>('Targets') }),
      (i) => {
        const r = rule(i.rule);
        const failed: RawInput[] = [];
        for (const t of i.targets) {
          if (!t.Id || !t.Arn)
            failed.push({
              TargetId: t.Id ?? '',
              ErrorCode: 'ValidationException',
              ErrorMessage: 'a target needs Id and Arn',
            });
          else r.targets.set(t.Id, { ...t });
        }
        return { FailedEntryCount: failed.length, FailedEntries: failed };
      },
    ),
    ListTargetsByRule: operation(
      (raw) => fields(raw).str('Rule'),
      (name) => ({ Targets: [...rule(name).targets.values()] }),
    ),
    RemoveTargets: operation(
      (raw) => ({
        rule: fields(raw).str('Rule'),
        ids: fields(raw).list<unknown>('Ids').map(String),
      }),
      (i) => {
        const r = rule(i.rule);
        for (const id of i.ids) r.targets.delete(id);
        return { FailedEntryCount: 0, FailedEntries: [] };
      },
    ),
  };
}
