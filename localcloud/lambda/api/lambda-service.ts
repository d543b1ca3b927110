/**
 * Lambda at the edge (REST-JSON, signing name "lambda"): routes a request to
 * its operation (rest-routes.ts) and answers it, errors in AWS's shapes. The
 * parts: the function registry, the execution pool (worker threads), async
 * invocation, and event source mappings with their runtimes, which read
 * their sources through the edge with the AWS SDK as Lambda's pollers do.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CloudContext, EdgeService } from '../../contracts';
import { AwsError, sendAwsError, unimplementedMessage } from '../../edge/aws-errors';
import {
  internalDynamoStreamsClient as dynamoStreamsClient,
  internalKinesisClient as kinesisClient,
  internalSqsClient as sqsClient,
} from '../../internal-clients';
import { DynamoDbStreamSource } from '../event-sources/dynamodb/dynamodb-source';
import { FailureDestination } from '../event-sources/failure-destination';
import { KinesisSource } from '../event-sources/kinesis/kinesis-source';
import type { MappingDefinition } from '../event-sources/mapping-definition';
import { MappingManager } from '../event-sources/mapping-manager';
import { mappingOperations } from '../event-sources/mapping-operations';
import type { EventSourceKind } from '../event-sources/source-kind';
import { SqsSource } from '../event-sources/sqs/sqs-source';
import { codeArchive, registerLambdaPersistence } from '../lambda-persistence';
import { resolveTunables, type LambdaServiceOptions, type LambdaTunables } from '../options';
import { ExecutionPool, ThrottledError, type InvokeOutcome } from '../runtime/execution-pool';
import { AsyncInvoker } from './async-invoker';
import { tooManyRequests } from './errors';
import type { FunctionDefinition } from './function-definition';
import { functionOperations } from './function-operations';
import { FunctionRegistry } from './function-registry';
import { invokeOperations } from './invoke-operations';
import type { OperationTable, Reply, RestRequest } from './operation-table';
import { describeUnmatched, matchRoute } from './rest-routes';

export type { LambdaServiceOptions } from '../options';

const REST_JSON = 'application/json';

export class LambdaService implements EdgeService {
  readonly signingNames = ['lambda'] as const;
  readonly pool: ExecutionPool;
  private readonly t: LambdaTunables;
  private readonly functions: FunctionRegistry;
  private readonly asyncInvoker: AsyncInvoker;
  private readonly failures: FailureDestination;
  private readonly kinds: EventSourceKind[];
  private readonly mappings: MappingManager;
  private readonly operations: OperationTable;

  constructor(ctx: CloudContext, opts: LambdaServiceOptions = {}) {
    this.t = resolveTunables(opts);
    this.pool = new ExecutionPool(ctx, {
      maxConcurrent: this.t.maxConcurrentExecutions,
      maxInits: this.t.maxConcurrentInits,
      idleWorkerMs: this.t.idleWorkerMs,
    });
    const archive = codeArchive(ctx.persistence);
    this.functions = new FunctionRegistry(ctx, this.pool, this.t.maxConcurrentExecutions, archive);
    this.asyncInvoker = new AsyncInvoker(ctx, this.pool, (name) => this.functions.find(name));
    // The pollers' own clients go through the edge like any other client; the edge does not check signatures.
    const clientOptions = { endpoint: ctx.endpoint, region: ctx.region };
    this.failures = new FailureDestination(sqsClient(clientOptions), (line) =>
      ctx.log('lambda', line),
    );
    this.kinds = [
      new KinesisSource(kinesisClient(clientOptions), ctx.region, this.t.fanOutPollMs),
      new SqsSource(sqsClient(clientOptions), ctx.region, (name) => this.functions.find(name)),
      new DynamoDbStreamSource(dynamoStreamsClient(clientOptions), ctx.region),
    ];
    this.mappings = new MappingManager({
      ctx,
      tunables: this.t,
      functions: this.functions,
      pool: this.pool,
      failures: this.failures,
      kinds: this.kinds,
      onBatchStarted: opts.onBatchStarted,
    });
    this.operations = {
      ...functionOperations({
        functions: this.functions,
        asyncInvoker: this.asyncInvoker,
        onDeleted: (name) => this.mappings.functionDeleted(name),
      }),
      ...invokeOperations({
        functions: this.functions,
        pool: this.pool,
        asyncInvoker: this.asyncInvoker,
      }),
      ...mappingOperations(this.mappings),
    };
    registerLambdaPersistence(ctx.persistence, this.functions, this.mappings, archive);
  }

  // ---- in-process hooks (schedules, tests, the demo) ----

  /** Invoke a function by name or ARN. 'Event' queues for a free environment and retries as async invokes do. */
  async invoke(
    target: string,
    payload: unknown,
    type: 'Event' | 'RequestResponse' = 'Event',
  ): Promise<InvokeOutcome> {
    const fn = this.functions.get(target);
    if (type === 'RequestResponse') return this.pool.run(fn, payload, true);
    return this.asyncInvoker.invoke(fn.name, payload);
  }

  getFunction(name: string): FunctionDefinition | undefined {
    return this.functions.find(name);
  }

  getMapping(uuid: string): MappingDefinition | undefined {
    return this.mappings.get(uuid);
  }

  async close(): Promise<void> {
    this.asyncInvoker.close();
    this.failures.close();
    // Pollers stop while the pool ends running and waiting invocations, so neither waits on the other.
    const stops = this.mappings.close();
    await this.pool.close();
    await stops;
    this.functions.close();
    for (const k of this.kinds) k.close();
    this.failures.destroy();
  }

  // ---- the wire ----

  async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const route = matchRoute(method, url);
    const op = route && this.operations[route.operation];
    if (!route || !op) {
      const what = route?.operation ?? describeUnmatched(method, url);
      sendAwsError(
        res,
        'json',
        { code: 'UnknownOperationException', message: unimplementedMessage('lambda', what) },
        REST_JSON,
      );
      return;
    }
    const request: RestRequest = {
      params: route.params,
      query: route.query,
      body,
      headers: req.headers,
    };
    try {
      this.reply(res, await op.call(request));
    } catch (err) {
      const e = err instanceof ThrottledError ? tooManyRequests(err.message) : err;
      if (!(e instanceof AwsError)) throw e;
      sendAwsError(res, 'json', { code: e.code, message: e.message, status: e.status }, REST_JSON);
    }
  }

  private reply(res: ServerResponse, reply: Reply): void {
    const text =
      reply.body === undefined
        ? ''
        : typeof reply.body === 'string'
          ? reply.body
          : JSON.stringify(reply.body);
    res.writeHead(reply.status ?? 200, {
      'Content-Type': REST_JSON,
      'Content-Length': Buffer.byteLength(text),
      'x-amzn-RequestId': randomUUID(),
      ...reply.headers,
    });
    res.end(text);
  }
}
