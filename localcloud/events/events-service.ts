/**
 * EventBridge at the edge, the subset schedules need (AWS JSON 1.1,
 * X-Amz-Target AWSEvents.<Op>): rules with rate(...) schedules (rules.ts),
 * Lambda targets with optional constant Input, one operation table
 * (rule-operations.ts).
 */
import type { CloudContext, EdgeRequest, EdgeResponse, EdgeService } from '../contracts';
import { serveJson, type JsonWire } from '../edge/json-service';
import { ruleOperations, type EventsOperation } from './rule-operations';
import { RuleScheduler, type InvokeTarget, type Rule, type Target } from './rules';

export type { InvokeTarget } from './rules';

const WIRE: JsonWire = { service: 'events', contentType: 'application/x-amz-json-1.1' };

export interface EventsServiceOptions {
  /** Schedules run this many times faster than real time (>= 1; default 1). */
  speedup?: number;
  invoke: InvokeTarget;
}

/** A rule as plain data (--data-dir). */
type SavedRule = Omit<Rule, 'targets' | 'timer'> & { targets: Target[] };

export class EventsService implements EdgeService {
  readonly signingNames = ['events'] as const;
  readonly speedup: number;
  private readonly rules = new Map<string, Rule>();
  private readonly scheduler: RuleScheduler;
  private readonly operations: Record<string, EventsOperation>;

  constructor(ctx: CloudContext, opts: EventsServiceOptions) {
    this.speedup = opts.speedup ?? 1;
    if (!(Number.isFinite(this.speedup) && this.speedup >= 1))
      throw new Error(`speedup must be a number >= 1 (got ${opts.speedup})`);
    this.scheduler = new RuleScheduler(ctx, this.speedup, opts.invoke);
    this.operations = ruleOperations(this.rules, this.scheduler, ctx.region);
    ctx.persistence?.register({
      name: 'events',
      snapshot: (): SavedRule[] =>
        [...this.rules.values()].map(({ timer: _timer, targets, ...r }) => ({
          ...r,
          targets: [...targets.values()],
        })),
      restore: (saved) => {
        for (const r of (saved as SavedRule[] | undefined) ?? []) {
          const rule: Rule = { ...r, targets: new Map(r.targets.map((t) => [t.Id, t])) };
          this.rules.set(rule.Name, rule);
          this.scheduler.schedule(rule);
        }
      },
    });
  }

  /** How many times a rule has fired (tests, the demo). */
  firings(name: string): number {
    return this.rules.get(name)?.fired ?? 0;
  }

  async close(): Promise<void> {
    for (const r of this.rules.values()) this.scheduler.unschedule(r);
  }

  handle(req: EdgeRequest, body: Buffer, res: EdgeResponse): Promise<void> {
    return serveJson(req, body, res, this.operations, WIRE);
  }
}
