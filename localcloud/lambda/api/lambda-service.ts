/**
 * Lambda at the edge (REST-JSON, signing name "lambda"): functions, Invoke,
 * reserved concurrency, async-invoke settings, and Kinesis event source
 * mappings with their runtime. Functions run in the ExecutionPool; each
 * enabled mapping runs a MappingRuntime that polls its stream through the
 * edge with the AWS SDK, as Lambda's pollers use the Kinesis API.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  internalKinesisClient as kinesisClient,
  internalSqsClient as sqsClient,
} from '../../internal-clients';
import { LAMBDA_PLANE_DEFAULTS as LOCAL_LAMBDA_DEFAULTS } from '../../config';
import type { CloudContext, EdgeService } from '../../contracts';
import { sendAwsError, unimplementedMessage } from '../../edge/aws-errors';
import { CodeError, loadCode, type CodeInput, type LoadedCode } from './code-source';
import { ExecutionPool, ThrottledError, type InvokeOutcome } from '../runtime/execution-pool';
import {
  ACCOUNT_ID,
  functionArn,
  functionNameOf,
  lambdaTimestamp,
  type FunctionDefinition,
} from './function-definition';
import { failureRecord } from '../event-sources/kinesis/kinesis-event';
import {
  mappingConfiguration,
  streamNameOf,
  type MappingDefinition,
  type StartingPosition,
} from '../event-sources/kinesis/mapping-definition';
import { MappingRuntime } from '../event-sources/kinesis/mapping-runtime';
import type { FailureCondition } from '../event-sources/kinesis/retry-policy';
import type { ShardRecord } from '../event-sources/kinesis/shard-record';
import { describeUnmatched, matchRoute } from './rest-routes';

export interface LambdaServiceOptions {
  /** Execution environments across all functions (default LOCAL_LAMBDA_DEFAULTS.maxConcurrentExecutions). */
  maxConcurrentExecutions?: number;
  idleWorkerMs?: number;
  shardDiscoveryMs?: number;
  idlePollMs?: number;
  activePollMs?: number;
  getRecordsLimit?: number;
  maxBufferedRecordsPerShard?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** How long a mapping stays Creating/Updating/Enabling/Disabling before it settles. */
  stateTransitionMs?: number;
  /** Bench hook: a stream batch's first invocation, with when its records were polled (absolute ms). */
  onBatchStarted?: (polledAt: number, outcome: InvokeOutcome) => void;
}

class LambdaError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;
type Reply = { status?: number; body?: Json | string; headers?: Record<string, string> };

interface MappingEntry {
  def: MappingDefinition;
  runtime?: MappingRuntime;
  settleTimer?: NodeJS.Timeout;
}

interface AsyncConfig {
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
}

const REST_JSON = 'application/json';
const NOT_FOUND = (what: string) => new LambdaError('ResourceNotFoundException', what, 404);

export class LambdaService implements EdgeService {
  readonly signingNames = ['lambda'] as const;
  private readonly functions = new Map<string, FunctionDefinition>();
  private readonly code = new Map<string, LoadedCode>();
  private readonly asyncConfig = new Map<string, AsyncConfig>();
  private readonly mappings = new Map<string, MappingEntry>();
  readonly pool: ExecutionPool;
  private readonly kinesis: KinesisClient;
  private readonly sqs: SQSClient;
  private readonly t: Required<Omit<LambdaServiceOptions, 'onBatchStarted'>>;
  private closed = false;

  constructor(
    private readonly ctx: CloudContext,
    private readonly opts: LambdaServiceOptions = {},
  ) {
    const d = LOCAL_LAMBDA_DEFAULTS;
    this.t = {
      maxConcurrentExecutions: opts.maxConcurrentExecutions ?? d.maxConcurrentExecutions,
      idleWorkerMs: opts.idleWorkerMs ?? d.idleWorkerMs,
      shardDiscoveryMs: opts.shardDiscoveryMs ?? d.shardDiscoveryMs,
      idlePollMs: opts.idlePollMs ?? d.idlePollMs,
      activePollMs: opts.activePollMs ?? d.activePollMs,
      getRecordsLimit: opts.getRecordsLimit ?? d.getRecordsLimit,
      maxBufferedRecordsPerShard: opts.maxBufferedRecordsPerShard ?? d.maxBufferedRecordsPerShard,
      retryBaseMs: opts.retryBaseMs ?? d.retryBaseMs,
      retryMaxMs: opts.retryMaxMs ?? d.retryMaxMs,
      stateTransitionMs: opts.stateTransitionMs ?? 100,
    };
    this.pool = new ExecutionPool(ctx, {
      maxConcurrent: this.t.maxConcurrentExecutions,
      idleWorkerMs: this.t.idleWorkerMs,
    });
    // The pollers' own clients go through the edge like any other client; the edge does not check signatures.
    this.kinesis = kinesisClient({ endpoint: ctx.endpoint, region: ctx.region });
    this.sqs = sqsClient({ endpoint: ctx.endpoint, region: ctx.region });
  }

  // ---- in-process hooks (schedules, tests, the demo) ----

  /** Invoke a function by name or ARN. 'Event' queues for a free environment and retries as async invokes do. */
  async invoke(
    target: string,
    payload: unknown,
    type: 'Event' | 'RequestResponse' = 'Event',
  ): Promise<InvokeOutcome> {
    const fn = this.fn(target);
    if (type === 'RequestResponse') return this.pool.run(fn, payload, true);
    return this.invokeAsync(fn.name, payload);
  }

  getFunction(name: string): FunctionDefinition | undefined {
    return this.functions.get(functionNameOf(name));
  }

  getMapping(uuid: string): MappingDefinition | undefined {
    return this.mappings.get(uuid)?.def;
  }

  async close(): Promise<void> {
    this.closed = true;
    // Pollers stop while the pool ends running and waiting invocations, so neither waits on the other.
    const stops = [...this.mappings.values()].map((m) => this.stopMapping(m));
    await this.pool.close();
    await Promise.allSettled(stops);
    for (const c of this.code.values())
      if (c.owned) rmSync(c.dir, { recursive: true, force: true });
    this.kinesis.destroy();
    this.sqs.destroy();
  }

  // ---- the wire ----

  async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const route = matchRoute(method, url);
    if (!route) {
      sendAwsError(
        res,
        'json',
        {
          code: 'UnknownOperationException',
          message: unimplementedMessage('lambda', describeUnmatched(method, url)),
          status: 400,
        },
        REST_JSON,
      );
      return;
    }
    try {
      const reply = await this.dispatch(route.operation, route.params, route.query, body, req);
      const status = reply.status ?? 200;
      const text =
        reply.body === undefined
          ? ''
          : typeof reply.body === 'string'
            ? reply.body
            : JSON.stringify(reply.body);
      res.writeHead(status, {
        'Content-Type': REST_JSON,
        'Content-Length': Buffer.byteLength(text),
        'x-amzn-RequestId': randomUUID(),
        ...reply.headers,
      });
      res.end(text);
    } catch (err) {
      if (err instanceof LambdaError) {
        sendAwsError(
          res,
          'json',
          { code: err.code, message: err.message, status: err.status },
          REST_JSON,
        );
      } else if (err instanceof ThrottledError) {
        sendAwsError(
          res,
          'json',
          { code: 'TooManyRequestsException', message: err.message, status: 429 },
          REST_JSON,
        );
      } else throw err;
    }
  }

  private parse(body: Buffer): Json {
    if (body.length === 0) return {};
    try {
      return JSON.parse(body.toString('utf8')) as Json;
    } catch {
      throw new LambdaError(
        'InvalidRequestContentException',
        'Could not parse request body into json',
      );
    }
  }

  private async dispatch(
    op: string,
    p: Record<string, string>,
    q: URLSearchParams,
    body: Buffer,
    req: IncomingMessage,
  ): Promise<Reply> {
    switch (op) {
      case 'CreateFunction':
        return { status: 201, body: this.createFunction(this.parse(body)) };
      case 'ListFunctions':
        return {
          body: { Functions: [...this.functions.values()].map((f) => this.configuration(f)) },
        };
      case 'GetFunction': {
        const f = this.fn(p.FunctionName!);
        return {
          body: {
            Configuration: this.configuration(f),
            Code: { RepositoryType: 'S3', Location: this.code.get(f.name)?.location ?? f.codeDir },
            ...(f.reserved !== undefined
              ? { Concurrency: { ReservedConcurrentExecutions: f.reserved } }
              : {}),
          },
        };
      }
      case 'GetFunctionConfiguration':
        return { body: this.configuration(this.fn(p.FunctionName!)) };
      case 'DeleteFunction':
        await this.deleteFunction(p.FunctionName!);
        return { status: 204 };
      case 'UpdateFunctionCode':
        return { body: this.updateCode(p.FunctionName!, this.parse(body) as CodeInput) };
      case 'UpdateFunctionConfiguration':
        return { body: this.updateConfiguration(p.FunctionName!, this.parse(body)) };
      case 'Invoke':
        return this.invokeOverWire(p.FunctionName!, body, req);
      case 'InvokeAsync':
        void this.invokeAsync(this.fn(p.FunctionName!).name, this.parsePayload(body));
        return { status: 202, body: { Status: 202 } };
      case 'AddPermission': {
        this.fn(p.FunctionName!);
        const i = this.parse(body);
        return {
          status: 201,
          body: {
            Statement: JSON.stringify({
              Sid: i.StatementId,
              Effect: 'Allow',
              Action: i.Action,
              Principal: i.Principal,
            }),
          },
        };
      }
      case 'GetPolicy':
        this.fn(p.FunctionName!);
        return {
          body: {
            Policy: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
            RevisionId: randomUUID(),
          },
        };
      case 'RemovePermission':
        this.fn(p.FunctionName!);
        return { status: 204 };
      case 'PutFunctionConcurrency':
        return { body: this.putConcurrency(p.FunctionName!, this.parse(body)) };
      case 'DeleteFunctionConcurrency': {
        const f = this.fn(p.FunctionName!);
        this.replace(f, { reserved: undefined }, false);
        return { status: 204 };
      }
      case 'GetFunctionConcurrency': {
        const f = this.fn(p.FunctionName!);
        return {
          body: f.reserved !== undefined ? { ReservedConcurrentExecutions: f.reserved } : {},
        };
      }
      case 'PutFunctionEventInvokeConfig':
      case 'UpdateFunctionEventInvokeConfig': {
        const f = this.fn(p.FunctionName!);
        const i = this.parse(body);
        const cfg: AsyncConfig = {
          ...(op === 'UpdateFunctionEventInvokeConfig' ? this.asyncConfig.get(f.name) : {}),
          ...(i.MaximumRetryAttempts !== undefined
            ? { MaximumRetryAttempts: Number(i.MaximumRetryAttempts) }
            : {}),
          ...(i.MaximumEventAgeInSeconds !== undefined
            ? { MaximumEventAgeInSeconds: Number(i.MaximumEventAgeInSeconds) }
            : {}),
        };
        this.asyncConfig.set(f.name, cfg);
        return { body: { FunctionArn: f.arn, ...cfg, LastModified: Date.now() / 1000 } };
      }
      case 'GetFunctionEventInvokeConfig': {
        const f = this.fn(p.FunctionName!);
        const cfg = this.asyncConfig.get(f.name);
        if (!cfg) throw NOT_FOUND(`The function ${f.arn} doesn't have an EventInvokeConfig`);
        return { body: { FunctionArn: f.arn, ...cfg } };
      }
      case 'DeleteFunctionEventInvokeConfig':
        this.asyncConfig.delete(this.fn(p.FunctionName!).name);
        return { status: 204 };
      case 'CreateEventSourceMapping':
        return { status: 202, body: await this.createMapping(this.parse(body)) };
      case 'ListEventSourceMappings':
        return {
          body: {
            EventSourceMappings: this.listMappings(
              q.get('FunctionName') ?? undefined,
              q.get('EventSourceArn') ?? undefined,
            ),
          },
        };
      case 'GetEventSourceMapping':
        return { body: this.mappingView(this.mapping(p.UUID!).def) };
      case 'UpdateEventSourceMapping':
        return { status: 202, body: this.updateMapping(p.UUID!, this.parse(body)) };
      case 'DeleteEventSourceMapping':
        return { status: 202, body: await this.deleteMapping(p.UUID!) };
      default:
        throw new LambdaError('UnknownOperationException', unimplementedMessage('lambda', op));
    }
  }

  // ---- functions ----

  private fn(ref: string): FunctionDefinition {
    const name = functionNameOf(ref);
    const f = this.functions.get(name);
    if (!f) throw NOT_FOUND(`Function not found: ${functionArn(this.ctx.region, name)}`);
    return f;
  }

  private configuration(f: FunctionDefinition): Json {
    return {
      FunctionName: f.name,
      FunctionArn: f.arn,
      Runtime: f.runtime,
      Role: f.role,
      Handler: f.handler,
      CodeSize: f.codeSize,
      CodeSha256: f.codeSha256,
      Description: f.description,
      Timeout: f.timeoutSec,
      MemorySize: f.memoryMb,
      LastModified: f.lastModified,
      Version: '$LATEST',
      Environment: { Variables: f.environment },
      RevisionId: f.revisionId,
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
      Architectures: f.architectures,
      EphemeralStorage: { Size: f.ephemeralStorageMb },
      TracingConfig: { Mode: 'PassThrough' },
      LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${f.name}` },
    };
  }

  private settings(i: Json, base: Partial<FunctionDefinition>): Partial<FunctionDefinition> {
    const out: Partial<FunctionDefinition> = {};
    if (i.Runtime !== undefined) {
      const runtime = String(i.Runtime);
      if (!runtime.startsWith('nodejs'))
        throw new LambdaError(
          'InvalidParameterValueException',
          `runtime ${runtime} is not supported by the embedded local cloud (Node.js runtimes only)`,
        );
      out.runtime = runtime;
    }
    if (i.Handler !== undefined) out.handler = String(i.Handler);
    if (i.Role !== undefined) out.role = String(i.Role);
    if (i.Description !== undefined) out.description = String(i.Description);
    if (i.Timeout !== undefined) {
      const t = Number(i.Timeout);
      if (!(Number.isInteger(t) && t >= 1 && t <= 900))
        throw new LambdaError(
          'InvalidParameterValueException',
          `Timeout must be 1-900 seconds (got ${String(i.Timeout)})`,
        );
      out.timeoutSec = t;
    }
    if (i.MemorySize !== undefined) {
      const m = Number(i.MemorySize);
      if (!(Number.isInteger(m) && m >= 128 && m <= 10240))
        throw new LambdaError(
          'InvalidParameterValueException',
          `MemorySize must be 128-10240 MB (got ${String(i.MemorySize)})`,
        );
      out.memoryMb = m;
    }
    if (i.Environment !== undefined) {
      const vars = ((i.Environment as Json | null)?.Variables ?? {}) as Record<string, unknown>;
      out.environment = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)]));
    }
    if (Array.isArray(i.Architectures)) out.architectures = i.Architectures.map(String);
    if (i.EphemeralStorage !== undefined)
      out.ephemeralStorageMb = Number(
        (i.EphemeralStorage as Json).Size ?? base.ephemeralStorageMb ?? 512,
      );
    return out;
  }

  private createFunction(i: Json): Json {
    const name = typeof i.FunctionName === 'string' ? functionNameOf(i.FunctionName) : '';
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name))
      throw new LambdaError(
        'InvalidParameterValueException',
        `FunctionName must be 1-64 letters, digits, - or _ (got "${String(i.FunctionName)}")`,
      );
    if (this.functions.has(name))
      throw new LambdaError('ResourceConflictException', `Function already exist: ${name}`, 409);
    if (i.Handler === undefined)
      throw new LambdaError(
        'InvalidParameterValueException',
        'Handler is required, e.g. "index.handler"',
      );
    if (i.Role === undefined)
      throw new LambdaError('InvalidParameterValueException', 'Role is required');
    const s = this.settings(i, {});
    const code = this.load(i.Code as CodeInput | undefined);
    const f: FunctionDefinition = {
      name,
      arn: functionArn(this.ctx.region, name),
      runtime: 'nodejs22.x',
      role: '',
      handler: '',
      description: '',
      timeoutSec: 3,
      memoryMb: 128,
      environment: {},
      architectures: ['x86_64'],
      ephemeralStorageMb: 512,
      ...s,
      codeDir: code.dir,
      codeSha256: code.sha256,
      codeSize: code.size,
      codeLocation: code.location,
      lastModified: lambdaTimestamp(),
      revisionId: randomUUID(),
      generation: 1,
    };
    this.functions.set(name, f);
    this.code.set(name, code);
    this.ctx.log('lambda', `created ${name} (${f.handler} in ${code.location})`);
    return this.configuration(f);
  }

  private load(code: CodeInput | undefined): LoadedCode {
    try {
      return loadCode(code);
    } catch (err) {
      if (err instanceof CodeError)
        throw new LambdaError('InvalidParameterValueException', err.message);
      throw err;
    }
  }

  /** A new definition; `fresh` = workers must be replaced (code, environment, handler, limits). */
  private replace(
    f: FunctionDefinition,
    changes: Partial<FunctionDefinition>,
    fresh: boolean,
  ): FunctionDefinition {
    const next: FunctionDefinition = {
      ...f,
      ...changes,
      lastModified: lambdaTimestamp(),
      revisionId: randomUUID(),
      generation: fresh ? f.generation + 1 : f.generation,
    };
    this.functions.set(f.name, next);
    this.pool.retire(f.name, next);
    return next;
  }

  private updateCode(ref: string, i: CodeInput): Json {
    const f = this.fn(ref);
    const code = this.load(i);
    const old = this.code.get(f.name);
    if (old?.owned && old.dir !== code.dir) rmSync(old.dir, { recursive: true, force: true });
    this.code.set(f.name, code);
    const next = this.replace(
      f,
      {
        codeDir: code.dir,
        codeSha256: code.sha256,
        codeSize: code.size,
        codeLocation: code.location,
      },
      true,
    );
    this.ctx.log('lambda', `updated code of ${f.name}: warm environments replaced`);
    return this.configuration(next);
  }

  private updateConfiguration(ref: string, i: Json): Json {
    const f = this.fn(ref);
    return this.configuration(this.replace(f, this.settings(i, f), true));
  }

  private putConcurrency(ref: string, i: Json): Json {
    const f = this.fn(ref);
    const n = Number(i.ReservedConcurrentExecutions);
    if (!(Number.isInteger(n) && n >= 0))
      throw new LambdaError(
        'InvalidParameterValueException',
        `ReservedConcurrentExecutions must be a whole number >= 0 (got ${String(i.ReservedConcurrentExecutions)})`,
      );
    if (n > this.t.maxConcurrentExecutions) {
      throw new LambdaError(
        'InvalidParameterValueException',
        `ReservedConcurrentExecutions ${n} is above the local cloud's limit of ${this.t.maxConcurrentExecutions} concurrent executions`,
      );
    }
    this.replace(f, { reserved: n }, false);
    return { ReservedConcurrentExecutions: n };
  }

  private async deleteFunction(ref: string): Promise<void> {
    const f = this.fn(ref);
    this.functions.delete(f.name);
    this.pool.retire(f.name);
    const code = this.code.get(f.name);
    if (code?.owned) rmSync(code.dir, { recursive: true, force: true });
    this.code.delete(f.name);
    for (const [uuid, m] of this.mappings) {
      if (m.def.functionName === f.name) {
        // AWS leaves such mappings failing; here they stop, so nothing retries forever against nothing.
        await this.stopMapping(m);
        this.mappings.delete(uuid);
        this.ctx.log('lambda', `deleted mapping ${uuid} with its function ${f.name}`);
      }
    }
  }

  private parsePayload(body: Buffer): unknown {
    if (body.length === 0) return {};
    try {
      return JSON.parse(body.toString('utf8'));
    } catch {
      throw new LambdaError(
        'InvalidRequestContentException',
        'Could not parse request payload into json: the payload must be JSON',
      );
    }
  }

  private async invokeOverWire(ref: string, body: Buffer, req: IncomingMessage): Promise<Reply> {
    const f = this.fn(ref);
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    const payload = this.parsePayload(body);
    if (type === 'DryRun') return { status: 204 };
    if (type === 'Event') {
      void this.invokeAsync(f.name, payload);
      return { status: 202, headers: { 'X-Amz-Executed-Version': '$LATEST' } };
    }
    if (type !== 'RequestResponse')
      throw new LambdaError(
        'InvalidParameterValueException',
        `InvocationType must be RequestResponse, Event or DryRun (got ${type})`,
      );
    const out = await this.pool.run(f, payload, false);
    const headers: Record<string, string> = { 'X-Amz-Executed-Version': '$LATEST' };
    if (!out.ok) headers['X-Amz-Function-Error'] = 'Unhandled';
    if (String(req.headers['x-amz-log-type'] ?? '') === 'Tail') {
      const log = `START RequestId: ${out.requestId} Version: $LATEST\n${out.tail}${out.tail ? '\n' : ''}END RequestId: ${out.requestId}\nREPORT RequestId: ${out.requestId}\tDuration: ${out.durationMs.toFixed(2)} ms\tMemory Size: ${f.memoryMb} MB\n`;
      headers['X-Amz-Log-Result'] = Buffer.from(log.slice(-4096)).toString('base64');
    }
    return { status: 200, body: out.payload, headers };
  }

  /** Async invoke: waits for a free environment; a failure is retried (default 2 times, as AWS), shortened delays. */
  private async invokeAsync(name: string, payload: unknown): Promise<InvokeOutcome> {
    const cfg = this.asyncConfig.get(name) ?? {};
    const retries = cfg.MaximumRetryAttempts ?? 2;
    const queuedAt = Date.now();
    let out: InvokeOutcome | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      const f = this.functions.get(name);
      if (!f || this.closed) break;
      if (
        cfg.MaximumEventAgeInSeconds !== undefined &&
        Date.now() - queuedAt > cfg.MaximumEventAgeInSeconds * 1000
      )
        break;
      try {
        out = await this.pool.run(f, payload, true);
      } catch (err) {
        this.ctx.log('lambda', `async invocation of ${name} dropped: ${(err as Error).message}`);
        break;
      }
      if (out.ok) return out;
      if (attempt < retries) await new Promise((r) => setTimeout(r, 1000 * (attempt + 1)));
    }
    if (out && !out.ok)
      this.ctx.log(
        'lambda',
        `async invocation of ${name} failed: ${out.errorType}: ${out.errorMessage}`,
      );
    return (
      out ?? {
        requestId: randomUUID(),
        ok: false,
        payload: 'null',
        durationMs: 0,
        tail: '',
        errorType: 'ResourceNotFoundException',
        errorMessage: `function ${name} is gone`,
      }
    );
  }

  // ---- event source mappings ----

  private mapping(uuid: string): MappingEntry {
    const m = this.mappings.get(uuid);
    if (!m)
      throw NOT_FOUND(
        `The resource you requested does not exist. (Service: Lambda, Status Code: 404; event source mapping ${uuid})`,
      );
    return m;
  }

  private mappingView(def: MappingDefinition): Json {
    return mappingConfiguration(def, this.ctx.region, ACCOUNT_ID);
  }

  private listMappings(fnRef: string | undefined, source: string | undefined): Json[] {
    const name = fnRef ? functionNameOf(fnRef) : undefined;
    return [...this.mappings.values()]
      .filter(
        (m) =>
          (!name || m.def.functionName === name) && (!source || m.def.eventSourceArn === source),
      )
      .map((m) => this.mappingView(m.def));
  }

  private mappingSettings(i: Json, into: MappingDefinition): void {
    const int = (key: string, lo: number, hi: number, allowMinusOne = false) => {
      if (i[key] === undefined || i[key] === null) return undefined;
      const n = Number(i[key]);
      if (!(Number.isInteger(n) && ((n >= lo && n <= hi) || (allowMinusOne && n === -1)))) {
        throw new LambdaError(
          'InvalidParameterValueException',
          `${key} must be ${allowMinusOne ? '-1 or ' : ''}${lo}-${hi} (got ${String(i[key])})`,
        );
      }
      return n;
    };
    into.batchSize = int('BatchSize', 1, 10_000) ?? into.batchSize;
    into.maximumBatchingWindowInSeconds =
      int('MaximumBatchingWindowInSeconds', 0, 300) ?? into.maximumBatchingWindowInSeconds;
    into.parallelizationFactor = int('ParallelizationFactor', 1, 10) ?? into.parallelizationFactor;
    into.maximumRetryAttempts =
      int('MaximumRetryAttempts', 0, 10_000, true) ?? into.maximumRetryAttempts;
    into.maximumRecordAgeInSeconds =
      int('MaximumRecordAgeInSeconds', 60, 604_800, true) ?? into.maximumRecordAgeInSeconds;
    into.tumblingWindowInSeconds =
      int('TumblingWindowInSeconds', 0, 900) ?? into.tumblingWindowInSeconds;
    if (i.BisectBatchOnFunctionError !== undefined)
      into.bisectBatchOnFunctionError = i.BisectBatchOnFunctionError === true;
    if (Array.isArray(i.FunctionResponseTypes)) {
      const types = i.FunctionResponseTypes.map(String);
      const bad = types.find((x) => x !== 'ReportBatchItemFailures');
      if (bad)
        throw new LambdaError(
          'InvalidParameterValueException',
          `FunctionResponseTypes supports only ReportBatchItemFailures (got ${bad})`,
        );
      into.functionResponseTypes = types;
    }
    if (i.DestinationConfig !== undefined) {
      const dest = ((i.DestinationConfig as Json | null)?.OnFailure as Json | undefined)
        ?.Destination;
      if (
        dest !== undefined &&
        dest !== null &&
        dest !== '' &&
        !/^arn:aws[a-z-]*:(sqs|sns):/.test(String(dest))
      ) {
        throw new LambdaError(
          'InvalidParameterValueException',
          `DestinationConfig.OnFailure.Destination must be an SQS queue or SNS topic ARN (got ${String(dest)})`,
        );
      }
      into.onFailureDestination = dest ? String(dest) : undefined;
    }
    if (i.FunctionName !== undefined) {
      const f = this.fn(String(i.FunctionName));
      into.functionName = f.name;
      into.functionArn = f.arn;
    }
  }

  private async createMapping(i: Json): Promise<Json> {
    const source = String(i.EventSourceArn ?? '');
    const streamName = streamNameOf(source);
    if (!streamName) {
      throw new LambdaError(
        'InvalidParameterValueException',
        `EventSourceArn must be a Kinesis stream ARN (arn:aws:kinesis:<region>:<account>:stream/<name>); the embedded local cloud runs Kinesis event sources only (got "${source}")`,
      );
    }
    const f = this.fn(String(i.FunctionName ?? ''));
    const position = String(i.StartingPosition ?? '');
    if (!['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'].includes(position)) {
      throw new LambdaError(
        'InvalidParameterValueException',
        'StartingPosition is required for a Kinesis event source: TRIM_HORIZON, LATEST or AT_TIMESTAMP',
      );
    }
    if (position === 'AT_TIMESTAMP' && i.StartingPositionTimestamp === undefined) {
      throw new LambdaError(
        'InvalidParameterValueException',
        'StartingPositionTimestamp is required with StartingPosition AT_TIMESTAMP',
      );
    }
    try {
      await this.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    } catch (err) {
      if ((err as { name?: string }).name === 'ResourceNotFoundException')
        throw new LambdaError('InvalidParameterValueException', `Stream not found: ${source}`);
      throw err;
    }
    const def: MappingDefinition = {
      uuid: randomUUID(),
      functionName: f.name,
      functionArn: f.arn,
      eventSourceArn: source,
      batchSize: LOCAL_LAMBDA_DEFAULTS.defaultBatchSize,
      maximumBatchingWindowInSeconds: 0,
      parallelizationFactor: 1,
      startingPosition: position as StartingPosition,
      ...(i.StartingPositionTimestamp !== undefined
        ? { startingPositionTimestamp: Number(i.StartingPositionTimestamp) }
        : {}),
      maximumRetryAttempts: -1,
      maximumRecordAgeInSeconds: -1,
      bisectBatchOnFunctionError: false,
      functionResponseTypes: [],
      enabled: i.Enabled !== false,
      state: 'Creating',
      stateTransitionReason: 'USER_INITIATED',
      lastModified: Date.now() / 1000,
      lastProcessingResult: 'No records processed',
    };
    const { FunctionName: _ignored, ...rest } = i;
    this.mappingSettings(rest, def);
    const entry: MappingEntry = { def };
    this.mappings.set(def.uuid, entry);
    this.settle(entry);
    return this.mappingView(def);
  }

  private updateMapping(uuid: string, i: Json): Json {
    const entry = this.mapping(uuid);
    const next = { ...entry.def };
    this.mappingSettings(i, next);
    if (i.Enabled !== undefined) next.enabled = i.Enabled !== false;
    next.state = i.Enabled === undefined ? 'Updating' : next.enabled ? 'Enabling' : 'Disabling';
    next.lastModified = Date.now() / 1000;
    // Settings take effect live: the pollers read the definition on every turn.
    entry.def = next;
    entry.runtime?.settingsChanged();
    this.settle(entry);
    return this.mappingView(next);
  }

  private async deleteMapping(uuid: string): Promise<Json> {
    const entry = this.mapping(uuid);
    entry.def = { ...entry.def, state: 'Deleting' };
    const view = this.mappingView(entry.def);
    this.mappings.delete(uuid);
    await this.stopMapping(entry);
    return view;
  }

  /** After a short transition (as AWS reports Creating/Updating first), start or stop polling. */
  private settle(entry: MappingEntry): void {
    if (entry.settleTimer) clearTimeout(entry.settleTimer);
    entry.settleTimer = setTimeout(() => {
      entry.settleTimer = undefined;
      if (this.closed || !this.mappings.has(entry.def.uuid)) return;
      entry.def = { ...entry.def, state: entry.def.enabled ? 'Enabled' : 'Disabled' };
      if (entry.def.enabled) this.startMapping(entry);
      else void this.stopMapping(entry, true);
    }, this.t.stateTransitionMs);
  }

  private startMapping(entry: MappingEntry): void {
    if (!entry.runtime) entry.runtime = this.runtimeFor(entry);
    entry.runtime.start();
  }

  /** keepRuntime: a disable keeps the runtime (and its checkpoints) for a later enable. */
  private async stopMapping(entry: MappingEntry, keepRuntime = false): Promise<void> {
    if (entry.settleTimer) clearTimeout(entry.settleTimer);
    await entry.runtime?.stop();
    if (!keepRuntime) entry.runtime = undefined;
  }

  private runtimeFor(entry: MappingEntry): MappingRuntime {
    const streamArn = entry.def.eventSourceArn;
    const log = (line: string) =>
      this.ctx.log(
        'lambda',
        `mapping ${entry.def.uuid.slice(0, 8)} ${streamNameOf(streamArn)}: ${line}`,
      );
    return new MappingRuntime({
      kinesis: this.kinesis,
      streamName: streamNameOf(streamArn)!,
      streamArn,
      region: this.ctx.region,
      mapping: () => entry.def,
      role: () => this.functions.get(entry.def.functionName)?.role ?? '',
      invoke: async (event) => {
        const f = this.functions.get(entry.def.functionName);
        if (!f)
          return {
            requestId: randomUUID(),
            ok: false,
            payload: 'null',
            durationMs: 0,
            tail: '',
            errorType: 'ResourceNotFoundException',
            errorMessage: 'function deleted',
          };
        const out = await this.pool.run(f, event, true);
        entry.def = {
          ...entry.def,
          lastProcessingResult: out.ok ? 'OK' : 'PROBLEM: Function call failed',
        };
        return out;
      },
      discard: (records, shardId, condition, invokes, last) =>
        this.discard(entry, records, shardId, condition, invokes, last),
      iteratorAge: (ms) =>
        this.ctx.metrics.putMetric({
          namespace: 'AWS/Lambda',
          name: 'IteratorAge',
          dimensions: { FunctionName: entry.def.functionName },
          value: ms,
          unit: 'Milliseconds',
          timestamp: new Date(),
        }),
      onBatchStarted: this.opts.onBatchStarted,
      log,
      tunables: {
        idlePollMs: this.t.idlePollMs,
        activePollMs: this.t.activePollMs,
        getRecordsLimit: this.t.getRecordsLimit,
        maxBufferedRecords: this.t.maxBufferedRecordsPerShard,
        retryBaseMs: this.t.retryBaseMs,
        retryMaxMs: this.t.retryMaxMs,
        shardDiscoveryMs: this.t.shardDiscoveryMs,
      },
    });
  }

  private async discard(
    entry: MappingEntry,
    records: ShardRecord[],
    shardId: string,
    condition: FailureCondition,
    invokes: number,
    last: InvokeOutcome | undefined,
  ): Promise<void> {
    const def = entry.def;
    const identity = {
      shardId,
      streamArn: def.eventSourceArn,
      region: this.ctx.region,
      invokeIdentityArn: this.functions.get(def.functionName)?.role ?? '',
    };
    const record = failureRecord(records, identity, {
      requestId: last?.requestId ?? randomUUID(),
      functionArn: def.functionArn,
      condition,
      approximateInvokeCount: invokes,
      ...(last && !last.ok ? { functionError: 'Unhandled' } : {}),
      now: new Date(),
    });
    const range = `${shardId} ${records[0]!.sequenceNumber}..${records[records.length - 1]!.sequenceNumber} (${records.length} records)`;
    const dest = def.onFailureDestination;
    if (!dest) {
      this.ctx.log(
        'lambda',
        `${def.functionName}: dropped ${range}: ${condition}, no on-failure destination`,
      );
      return;
    }
    const queue = /^arn:aws[a-z-]*:sqs:[^:]*:[^:]*:(.+)$/.exec(dest)?.[1];
    if (!queue) {
      this.ctx.log(
        'lambda',
        `${def.functionName}: dropped ${range}: ${condition}; destination ${dest} is not an SQS queue (only SQS is emulated)`,
      );
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const url = (await this.sqs.send(new GetQueueUrlCommand({ QueueName: queue }))).QueueUrl!;
        await this.sqs.send(
          new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(record) }),
        );
        this.ctx.log('lambda', `${def.functionName}: ${range} sent to ${queue}: ${condition}`);
        return;
      } catch (err) {
        if (attempt >= 3 || this.closed) {
          this.ctx.log(
            'lambda',
            `${def.functionName}: dropped ${range}: could not send to ${queue}: ${(err as Error).message}`,
          );
          return;
        }
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }
}
