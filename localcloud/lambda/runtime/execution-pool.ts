/**
 * Execution environments: one worker thread per concurrent execution of a
 * function, reused warm, bounded per function by its reserved concurrency
 * and across functions by a global limit (an account's concurrency limit).
 * Runs an invocation with its timeout (the worker is terminated, as Lambda
 * tears down a sandbox that timed out), captures the function's output into
 * the cloud log with the function's name as prefix, turns Embedded Metric
 * Format lines into metrics, and publishes AWS/Lambda metrics.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { CloudContext } from '../../contracts';
import type { FunctionDefinition } from '../api/function-definition';
import { pipeFunctionOutput, reportLine } from './function-output';
import { ThrottledError, type InvokeOutcome } from './invoke-outcome';
import { lambdaEnvironment, logGroupOf, logStreamOf, workerExecArgv } from './worker-environment';

export { ThrottledError, type InvokeOutcome };

const BOOTSTRAP = new URL('./worker-bootstrap.mjs', import.meta.url);

export interface PoolOptions {
  maxConcurrent: number;
  /** Environments initializing at once; an invocation that needs one more waits (never throttled for it). */
  maxInits: number;
  idleWorkerMs: number;
}

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'init-error'; error: ErrorShape }
  | {
      type: 'result';
      id: number;
      ok: boolean;
      payload?: string;
      error?: ErrorShape;
      tail: string;
      startedAt: number;
    };

interface ErrorShape {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

interface Env {
  worker: Worker;
  fn: string;
  generation: number;
  busy: boolean;
  dead: boolean;
  init: Promise<ErrorShape | undefined>;
  idleTimer?: NodeJS.Timeout;
  /** settles the running invocation when the worker dies */
  onDeath?: (e: ErrorShape) => void;
  onResult?: (m: Extract<WorkerMessage, { type: 'result' }>) => void;
}

interface Waiter {
  fn: FunctionDefinition;
  resolve: (env: Env) => void;
  reject: (err: Error) => void;
}

let nextInvocationId = 1;

export class ExecutionPool {
  private readonly envs = new Set<Env>();
  private readonly busyByFn = new Map<string, number>();
  private readonly waiters: Waiter[] = [];
  private readonly definitions = new Map<string, FunctionDefinition>();
  private initializing = 0;
  private closed = false;

  constructor(
    private readonly ctx: CloudContext,
    private readonly opts: PoolOptions,
  ) {}

  /** Executions running now for a function. */
  concurrency(name: string): number {
    return this.busyByFn.get(name) ?? 0;
  }

  get workerCount(): number {
    return this.envs.size;
  }

  /**
   * One invocation. `wait`: queue for a free execution environment (event
   * sources, async invokes); otherwise throw ThrottledError (synchronous Invoke).
   */
  async run(fn: FunctionDefinition, event: unknown, wait: boolean): Promise<InvokeOutcome> {
    if (this.closed) throw new Error('the local cloud is stopping');
    this.definitions.set(fn.name, fn);
    let env = this.tryAcquire(fn);
    if (!env) {
      const atReserved = fn.reserved !== undefined && this.concurrency(fn.name) >= fn.reserved;
      // Only a concurrency limit throttles; waiting for a cold start slot is part of a cold start.
      if (atReserved || this.atGlobalLimit()) {
        this.metric(fn.name, 'Throttles', 1, 'Count');
        if (!wait)
          throw new ThrottledError(
            fn.name,
            atReserved
              ? 'ReservedFunctionConcurrentInvocationLimitExceeded'
              : 'ConcurrentInvocationLimitExceeded',
          );
      }
      env = await new Promise<Env>((resolve, reject) => this.waiters.push({ fn, resolve, reject }));
    }
    try {
      return await this.execute(env, fn, event);
    } finally {
      this.release(env);
    }
  }

  /** After a code/configuration change or a delete: idle workers of an older generation go now, busy ones when done. */
  retire(name: string, current?: FunctionDefinition): void {
    if (current) this.definitions.set(name, current);
    else this.definitions.delete(name);
    for (const env of this.envs) {
      if (env.fn === name && !env.busy && (!current || env.generation !== current.generation))
        this.terminate(env);
    }
    this.serveWaiters();
  }

  async close(): Promise<void> {
    this.closed = true;
    // Invocations still waiting for an environment (e.g. a function with reserved concurrency 0) end now.
    for (const w of this.waiters.splice(0)) w.reject(new Error('the local cloud is stopping'));
    await Promise.allSettled([...this.envs].map((e) => e.worker.terminate()));
    this.envs.clear();
  }

  private tryAcquire(fn: FunctionDefinition): Env | undefined {
    const busy = this.concurrency(fn.name);
    if (fn.reserved !== undefined && busy >= fn.reserved) return undefined;
    let env = [...this.envs].find(
      (e) => !e.busy && !e.dead && e.fn === fn.name && e.generation === fn.generation,
    );
    if (!env) {
      if (this.initializing >= this.opts.maxInits) return undefined;
      if (this.envs.size >= this.opts.maxConcurrent) {
        const idle = [...this.envs].find((e) => !e.busy);
        if (!idle) return undefined;
        this.terminate(idle);
      }
      env = this.spawn(fn);
    }
    if (env.idleTimer) clearTimeout(env.idleTimer);
    env.busy = true;
    this.busyByFn.set(fn.name, busy + 1);
    this.metric(fn.name, 'ConcurrentExecutions', busy + 1, 'Count');
    return env;
  }

  private atGlobalLimit(): boolean {
    return this.envs.size >= this.opts.maxConcurrent && ![...this.envs].some((e) => !e.busy);
  }

  private release(env: Env): void {
    env.busy = false;
    this.busyByFn.set(env.fn, Math.max(0, this.concurrency(env.fn) - 1));
    const def = this.definitions.get(env.fn);
    if (env.dead || !def || def.generation !== env.generation || this.closed) this.terminate(env);
    else {
      env.idleTimer = setTimeout(() => this.terminate(env), this.opts.idleWorkerMs);
      env.idleTimer.unref();
    }
    this.serveWaiters();
  }

  /**
   * Waiters of the function with the fewest environments first (arrival order among equals):
   * a cold start slot must not go to a schedule's piled-up runs while a stream's consumer waits.
   */
  private serveWaiters(): void {
    const envsOf = new Map<string, number>();
    for (const e of this.envs) envsOf.set(e.fn, (envsOf.get(e.fn) ?? 0) + 1);
    const order = [...this.waiters].sort(
      (a, b) => (envsOf.get(a.fn.name) ?? 0) - (envsOf.get(b.fn.name) ?? 0),
    );
    for (const w of order) {
      const env = this.tryAcquire(this.definitions.get(w.fn.name) ?? w.fn);
      if (!env) continue;
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve(env);
    }
  }

  private terminate(env: Env): void {
    if (env.idleTimer) clearTimeout(env.idleTimer);
    env.dead = true;
    this.envs.delete(env);
    void env.worker.terminate();
  }

  private spawn(fn: FunctionDefinition): Env {
    const worker = new Worker(BOOTSTRAP, {
      workerData: { taskRoot: fn.codeDir, handler: fn.handler, edge: this.ctx.endpoint },
      env: lambdaEnvironment(fn, this.ctx, process.version),
      execArgv: workerExecArgv(process.execArgv),
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: Math.max(64, fn.memoryMb) },
    });
    const env: Env = {
      worker,
      fn: fn.name,
      generation: fn.generation,
      busy: false,
      dead: false,
      init: Promise.resolve(undefined),
    };
    env.init = new Promise((resolve) => {
      worker.once('message', (m: WorkerMessage) =>
        resolve(m.type === 'init-error' ? m.error : undefined),
      );
      worker.once('exit', () =>
        resolve({ errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited during init' }),
      );
    });
    this.initializing++;
    void env.init.then(() => {
      this.initializing--;
      this.serveWaiters();
    });
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'result') env.onResult?.(m);
    });
    worker.on('error', (err) => {
      env.dead = true;
      env.onDeath?.({
        errorType: err.name === 'Error' ? 'Runtime.UnhandledPromiseRejection' : err.name,
        errorMessage: err.message,
        trace: String(err.stack ?? '').split('\n'),
      });
    });
    worker.on('exit', (code) => {
      env.dead = true;
      this.envs.delete(env);
      env.onDeath?.({
        errorType: 'Runtime.ExitError',
        errorMessage: `Runtime exited with error: exit status ${code}`,
      });
    });
    const logTo = { group: logGroupOf(fn), stream: logStreamOf(fn) };
    pipeFunctionOutput(this.ctx, fn.name, worker.stdout, true, logTo);
    pipeFunctionOutput(this.ctx, fn.name, worker.stderr, false, logTo);
    this.envs.add(env);
    return env;
  }

  private failure(
    fn: FunctionDefinition,
    requestId: string,
    durationMs: number,
    e: ErrorShape,
    tail = '',
  ): InvokeOutcome {
    this.metric(fn.name, 'Invocations', 1, 'Count');
    this.metric(fn.name, 'Errors', 1, 'Count');
    this.metric(fn.name, 'Duration', durationMs, 'Milliseconds');
    this.ctx.log(fn.name, `${requestId} ${e.errorType}: ${e.errorMessage}`);
    return {
      requestId,
      ok: false,
      payload: JSON.stringify({
        errorType: e.errorType,
        errorMessage: e.errorMessage,
        ...(e.trace ? { trace: e.trace } : {}),
      }),
      errorType: e.errorType,
      errorMessage: e.errorMessage,
      durationMs,
      tail,
    };
  }

  private async execute(env: Env, fn: FunctionDefinition, event: unknown): Promise<InvokeOutcome> {
    const requestId = randomUUID();
    const limitMs = fn.timeoutSec * 1000;
    let from = performance.now();
    // Duration as AWS reports it: the invocation's own time, never above the timeout.
    const elapsed = () => Math.min(performance.now() - from, limitMs);
    const initError = await env.init;
    if (initError) {
      env.dead = true;
      return this.failure(fn, requestId, elapsed(), initError);
    }
    if (env.dead)
      return this.failure(fn, requestId, elapsed(), {
        errorType: 'Runtime.ExitError',
        errorMessage: 'Runtime exited before the invocation',
      });
    const id = nextInvocationId++;
    from = performance.now();
    const log = (line: string) => this.ctx.logs?.putLogLine(logGroupOf(fn), logStreamOf(fn), line);
    log(`START RequestId: ${requestId} Version: $LATEST`);
    const settled = this.outcome(env, fn, id, requestId, elapsed).then((out) => {
      log(`END RequestId: ${requestId}`);
      log(reportLine(requestId, out.durationMs, fn.memoryMb));
      return out;
    });
    env.worker.postMessage({
      type: 'invoke',
      id,
      event,
      context: {
        awsRequestId: requestId,
        functionName: fn.name,
        functionVersion: '$LATEST',
        invokedFunctionArn: fn.arn,
        memoryLimitInMB: String(fn.memoryMb),
        logGroupName: logGroupOf(fn),
        logStreamName: logStreamOf(fn),
        deadlineMs: Date.now() + limitMs,
      },
    });
    return settled;
  }

  /** The invocation's end: its result, the worker's death, or the timeout (the worker is terminated). */
  private outcome(
    env: Env,
    fn: FunctionDefinition,
    id: number,
    requestId: string,
    elapsed: () => number,
  ): Promise<InvokeOutcome> {
    return new Promise<InvokeOutcome>((resolve) => {
      const done = (out: InvokeOutcome) => {
        clearTimeout(timer);
        env.onDeath = undefined;
        env.onResult = undefined;
        resolve(out);
      };
      const timer = setTimeout(() => {
        this.terminate(env);
        done(
          this.failure(fn, requestId, fn.timeoutSec * 1000, {
            errorType: 'Sandbox.Timedout',
            errorMessage: `${new Date().toISOString()} ${requestId} Task timed out after ${fn.timeoutSec.toFixed(2)} seconds`,
          }),
        );
      }, fn.timeoutSec * 1000);
      env.onDeath = (e) =>
        done(
          this.failure(fn, requestId, elapsed(), {
            ...e,
            errorMessage: `RequestId: ${requestId} Error: ${e.errorMessage}`,
          }),
        );
      env.onResult = (m) => {
        if (m.id !== id) return;
        if (!m.ok) {
          done({
            ...this.failure(fn, requestId, elapsed(), m.error!, m.tail),
            startedAt: m.startedAt,
          });
          return;
        }
        const durationMs = elapsed();
        this.metric(fn.name, 'Invocations', 1, 'Count');
        this.metric(fn.name, 'Duration', durationMs, 'Milliseconds');
        done({
          requestId,
          ok: true,
          payload: m.payload ?? 'null',
          durationMs,
          startedAt: m.startedAt,
          tail: m.tail,
        });
      };
    });
  }

  private metric(name: string, metric: string, value: number, unit: string): void {
    this.ctx.metrics.putMetric({
      namespace: 'AWS/Lambda',
      name: metric,
      dimensions: { FunctionName: name },
      value,
      unit,
      timestamp: new Date(),
    });
  }
}
