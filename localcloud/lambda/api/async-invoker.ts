/**
 * Asynchronous invocation (InvocationType Event, InvokeAsync, schedules):
 * the event waits for a free execution environment; a failure is retried
 * MaximumRetryAttempts times (default 2, as AWS) with shortened delays, and
 * dropped once older than MaximumEventAgeInSeconds. Also keeps each
 * function's EventInvokeConfig.
 */
import { randomUUID } from 'node:crypto';
import type { CloudContext } from '../../contracts';
import type { ExecutionPool, InvokeOutcome } from '../runtime/execution-pool';
import type { FunctionDefinition } from './function-definition';

export interface AsyncConfig {
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
}

/** AWS retries a failed async event twice by default. */
const DEFAULT_RETRIES = 2;
/** AWS waits about a minute, then two; here a second per attempt, so a local run sees the retries. */
const RETRY_STEP_MS = 1000;

export function goneOutcome(errorType: string, errorMessage: string): InvokeOutcome {
  return {
    requestId: randomUUID(),
    ok: false,
    payload: 'null',
    durationMs: 0,
    tail: '',
    errorType,
    errorMessage,
  };
}

export class AsyncInvoker {
  private readonly configs = new Map<string, AsyncConfig>();
  private closed = false;

  constructor(
    private readonly ctx: CloudContext,
    private readonly pool: ExecutionPool,
    private readonly lookup: (name: string) => FunctionDefinition | undefined,
  ) {}

  config(name: string): AsyncConfig | undefined {
    return this.configs.get(name);
  }

  /** Put (replace) or update (merge) a function's EventInvokeConfig. */
  setConfig(name: string, changes: AsyncConfig, merge: boolean): AsyncConfig {
    const cfg = { ...(merge ? this.configs.get(name) : {}), ...changes };
    this.configs.set(name, cfg);
    return cfg;
  }

  deleteConfig(name: string): void {
    this.configs.delete(name);
  }

  close(): void {
    this.closed = true;
  }

  async invoke(name: string, payload: unknown): Promise<InvokeOutcome> {
    const cfg = this.configs.get(name) ?? {};
    const retries = cfg.MaximumRetryAttempts ?? DEFAULT_RETRIES;
    const queuedAt = Date.now();
    let out: InvokeOutcome | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      const f = this.lookup(name);
      if (!f || this.closed) break;
      const maxAge = cfg.MaximumEventAgeInSeconds;
      if (maxAge !== undefined && Date.now() - queuedAt > maxAge * 1000) break;
      try {
        out = await this.pool.run(f, payload, true);
      } catch (err) {
        this.ctx.log('lambda', `async invocation of ${name} dropped: ${(err as Error).message}`);
        break;
      }
      if (out.ok) return out;
      if (attempt < retries) await new Promise((r) => setTimeout(r, RETRY_STEP_MS * (attempt + 1)));
    }
    if (out && !out.ok)
      this.ctx.log(
        'lambda',
        `async invocation of ${name} failed: ${out.errorType}: ${out.errorMessage}`,
      );
    return out ?? goneOutcome('ResourceNotFoundException', `function ${name} is gone`);
  }
}
