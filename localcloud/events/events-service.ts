/**
 * EventBridge at the edge, the subset schedules need (AWS JSON 1.1,
 * X-Amz-Target AWSEvents.<Op>): rules with rate(...) schedules (cron rules
 * are kept but not fired), Lambda targets with optional constant Input.
 * A rate rule fires every period / speedup (speedup 12: rate(1 minute) every
 * 5 s) and delivers the scheduled event unchanged — same shape and real
 * `time` — as an async invoke of each target.
 */
import { randomUUID } from 'node:crypto';

import type { CloudContext, EdgeRequest, EdgeResponse, EdgeService } from '../contracts';
import { sendAwsError, sendJson, unimplementedMessage } from '../edge/aws-errors';
import { firingIntervalMs, parseSchedule, ScheduleError } from './schedule-expression';
import { ACCOUNT_ID as ACCOUNT } from '../config';

const AMZ_JSON_11 = 'application/x-amz-json-1.1';

export type InvokeTarget = (targetArn: string, payload: unknown) => Promise<unknown>;

export interface EventsServiceOptions {
  /** Schedules run this many times faster than real time (>= 1; default 1). */
  speedup?: number;
  invoke: InvokeTarget;
}

interface Target {
  Id: string;
  Arn: string;
  Input?: string;
  [k: string]: unknown;
}

interface Rule {
  Name: string;
  Arn: string;
  EventBusName: string;
  ScheduleExpression?: string;
  EventPattern?: string;
  State: 'ENABLED' | 'DISABLED';
  Description?: string;
  targets: Map<string, Target>;
  timer?: NodeJS.Timeout;
  fired: number;
}

class EventsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Input = Record<string, unknown>;

export class EventsService implements EdgeService {
  readonly signingNames = ['events'] as const;
  readonly speedup: number;
  private readonly rules = new Map<string, Rule>();

  constructor(
    private readonly ctx: CloudContext,
    private readonly opts: EventsServiceOptions,
  ) {
    this.speedup = opts.speedup ?? 1;
    if (!(Number.isFinite(this.speedup) && this.speedup >= 1))
      throw new Error(`speedup must be a number >= 1 (got ${opts.speedup})`);
  }

  /** How many times a rule has fired (tests, the demo). */
  firings(name: string): number {
    return this.rules.get(name)?.fired ?? 0;
  }

  async close(): Promise<void> {
    for (const r of this.rules.values()) this.unschedule(r);
  }

  async handle(req: EdgeRequest, body: Buffer, res: EdgeResponse): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.startsWith('AWSEvents.') ? target.slice('AWSEvents.'.length) : undefined;
    const handler = op ? this.operations[op] : undefined;
    if (!handler) {
      sendAwsError(
        res,
        'json',
        {
          code: 'UnknownOperationException',
          message: unimplementedMessage('events', op ?? target),
          status: 400,
        },
        AMZ_JSON_11,
      );
      return;
    }
    let input: Input;
    try {
      input = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Input) : {};
    } catch {
      sendAwsError(
        res,
        'json',
        { code: 'SerializationException', message: 'request body is not valid JSON', status: 400 },
        AMZ_JSON_11,
      );
      return;
    }
    try {
      sendJson(res, handler(input) ?? {}, AMZ_JSON_11);
    } catch (err) {
      if (err instanceof EventsError)
        sendAwsError(
          res,
          'json',
          { code: err.code, message: err.message, status: 400 },
          AMZ_JSON_11,
        );
      else throw err;
    }
  }

  private readonly operations: Record<string, (i: Input) => Input | undefined> = {
    PutRule: (i) => {
      const name = str(i, 'Name');
      if (!/^[\w.-]{1,64}$/.test(name))
        throw new EventsError(
          'ValidationException',
          `Rule name must be 1-64 of letters, digits, . - _ (got "${name}")`,
        );
      const bus = i.EventBusName === undefined ? 'default' : String(i.EventBusName);
      const schedule =
        i.ScheduleExpression === undefined ? undefined : String(i.ScheduleExpression);
      if (schedule) {
        try {
          parseSchedule(schedule);
        } catch (err) {
          throw new EventsError('ValidationException', (err as ScheduleError).message);
        }
      }
      if (!schedule && i.EventPattern === undefined)
        throw new EventsError(
          'ValidationException',
          'Parameter(s) ScheduleExpression or EventPattern must be specified.',
        );
      const existing = this.rules.get(name);
      const rule: Rule = {
        Name: name,
        Arn: `arn:aws:events:${this.ctx.region}:${ACCOUNT}:rule/${name}`,
        EventBusName: bus,
        ScheduleExpression: schedule,
        EventPattern: i.EventPattern === undefined ? undefined : String(i.EventPattern),
        State: i.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
        Description: i.Description === undefined ? undefined : String(i.Description),
        targets: existing?.targets ?? new Map(),
        fired: existing?.fired ?? 0,
      };
      if (existing) this.unschedule(existing);
      this.rules.set(name, rule);
      this.schedule(rule);
      return { RuleArn: rule.Arn };
    },
    DescribeRule: (i) => this.describe(this.rule(str(i, 'Name'))),
    ListRules: (i) => {
      const prefix = i.NamePrefix === undefined ? '' : String(i.NamePrefix);
      return {
        Rules: [...this.rules.values()]
          .filter((r) => r.Name.startsWith(prefix))
          .map((r) => this.describe(r)),
      };
    },
    EnableRule: (i) => {
      const r = this.rule(str(i, 'Name'));
      r.State = 'ENABLED';
      this.schedule(r);
      return undefined;
    },
    DisableRule: (i) => {
      const r = this.rule(str(i, 'Name'));
      r.State = 'DISABLED';
      this.unschedule(r);
      return undefined;
    },
    DeleteRule: (i) => {
      const r = this.rules.get(str(i, 'Name'));
      if (!r) return undefined;
      if (r.targets.size > 0 && i.Force !== true)
        throw new EventsError('ValidationException', "Rule can't be deleted since it has targets.");
      this.unschedule(r);
      this.rules.delete(r.Name);
      return undefined;
    },
    PutTargets: (i) => {
      const r = this.rule(str(i, 'Rule'));
      const targets = Array.isArray(i.Targets) ? (i.Targets as Target[]) : [];
      const failed: Input[] = [];
      for (const t of targets) {
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
    ListTargetsByRule: (i) => ({ Targets: [...this.rule(str(i, 'Rule')).targets.values()] }),
    RemoveTargets: (i) => {
      const r = this.rule(str(i, 'Rule'));
      for (const id of Array.isArray(i.Ids) ? i.Ids : []) r.targets.delete(String(id));
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
  };

  private rule(name: string): Rule {
    const r = this.rules.get(name);
    if (!r)
      throw new EventsError(
        'ResourceNotFoundException',
        `Rule ${name} does not exist on EventBus default.`,
      );
    return r;
  }

  private describe(r: Rule): Input {
    return {
      Name: r.Name,
      Arn: r.Arn,
      EventBusName: r.EventBusName,
      State: r.State,
      CreatedBy: ACCOUNT,
      ...(r.ScheduleExpression ? { ScheduleExpression: r.ScheduleExpression } : {}),
      ...(r.EventPattern ? { EventPattern: r.EventPattern } : {}),
      ...(r.Description ? { Description: r.Description } : {}),
    };
  }

  private schedule(r: Rule): void {
    this.unschedule(r);
    if (r.State !== 'ENABLED' || !r.ScheduleExpression) return;
    const s = parseSchedule(r.ScheduleExpression);
    if (s.kind !== 'rate') {
      this.ctx.log(
        'events',
        `rule ${r.Name}: ${r.ScheduleExpression} kept but not fired (the embedded cloud fires rate() schedules only)`,
      );
      return;
    }
    r.timer = setInterval(() => this.fire(r), firingIntervalMs(s.periodMs, this.speedup));
    r.timer.unref();
  }

  private unschedule(r: Rule): void {
    if (r.timer) clearInterval(r.timer);
    r.timer = undefined;
  }

  private fire(r: Rule): void {
    r.fired++;
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: ACCOUNT,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.ctx.region,
      resources: [r.Arn],
      detail: {},
    };
    for (const t of r.targets.values()) {
      if (!/^arn:aws[a-z-]*:lambda:/.test(t.Arn)) {
        this.ctx.log(
          'events',
          `rule ${r.Name}: target ${t.Arn} is not a Lambda function; not delivered`,
        );
        continue;
      }
      let payload: unknown = event;
      if (typeof t.Input === 'string') {
        try {
          payload = JSON.parse(t.Input);
        } catch {
          this.ctx.log('events', `rule ${r.Name}: target ${t.Id} Input is not JSON; not delivered`);
          continue;
        }
      }
      this.opts
        .invoke(t.Arn, payload)
        .catch((err: unknown) =>
          this.ctx.log(
            'events',
            `rule ${r.Name}: invoking ${t.Arn} failed: ${(err as Error).message}`,
          ),
        );
    }
  }
}

function str(i: Input, key: string): string {
  const v = i[key];
  if (typeof v !== 'string' || v.length === 0)
    throw new EventsError('ValidationException', `${key} is required`);
  return v;
}
