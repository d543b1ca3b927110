/**
 * EventBridge rules and their schedules: a rate rule fires every period /
 * speedup (speedup 12: rate(1 minute) every 5 s) and delivers the scheduled
 * event unchanged — same shape and real `time` — as an async invoke of each
 * Lambda target; cron rules are kept but not fired.
 */
import { randomUUID } from 'node:crypto';
import { ACCOUNT_ID } from '../config';
import type { CloudContext } from '../contracts';
import { firingIntervalMs, parseSchedule } from './schedule-expression';

export type InvokeTarget = (targetArn: string, payload: unknown) => Promise<unknown>;

export interface Target {
  Id: string;
  Arn: string;
  Input?: string;
  [k: string]: unknown;
}

export interface Rule {
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

export class RuleScheduler {
  constructor(
    private readonly ctx: CloudContext,
    private readonly speedup: number,
    private readonly invoke: InvokeTarget,
  ) {}

  schedule(r: Rule): void {
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

  unschedule(r: Rule): void {
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
      account: ACCOUNT_ID,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.ctx.region,
      resources: [r.Arn],
      detail: {},
    };
    for (const t of r.targets.values()) this.deliver(r, t, event);
  }

  private deliver(r: Rule, t: Target, event: unknown): void {
    const log = (line: string) => this.ctx.log('events', `rule ${r.Name}: ${line}`);
    if (!/^arn:aws[a-z-]*:lambda:/.test(t.Arn))
      return log(`target ${t.Arn} is not a Lambda function; not delivered`);
    let payload: unknown = event;
    if (typeof t.Input === 'string') {
      try {
        payload = JSON.parse(t.Input);
      } catch {
        return log(`target ${t.Id} Input is not JSON; not delivered`);
      }
    }
    this.invoke(t.Arn, payload).catch((err: unknown) =>
      log(`invoking ${t.Arn} failed: ${(err as Error).message}`),
    );
  }
}
