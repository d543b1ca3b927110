/**
 * DynamoDB at the edge: dynalite (in memory, on an internal loopback port,
 * in its own worker thread by default — localcloud/workers/) behind the operations of dynamodb-operations.ts — item
 * calls metered as AWS/DynamoDB metrics, TimeToLive kept, DynamoDB Streams
 * plugged in as an observer that sees writes and answers its own API.
 */
import { crc32 } from 'node:zlib';
import { EMULATORS, type EmulatorPlacement } from '../config';
import type { CloudContext, EdgeRequest, EdgeResponse, EdgeService } from '../contracts';
import { answerAwsError, AwsError, sendJson, unimplementedMessage } from '../edge/aws-errors';
import { BackendProxy, writeBackendResponse } from '../edge/backend-proxy';
import { findOperation, parseJsonObject, targetOperation } from '../edge/operation-table';
import { probeLevelDb } from '../persistence/level-probe';
import { startEmulator, type RunningEmulator } from '../workers/emulator-thread';
import {
  dynamoOperations,
  type DynamoDbObserver,
  type DynamoOperation,
  type TableCall,
  type TtlSpec,
} from './dynamodb-operations';
import { PartitionLimits, type PartitionLimitSettings } from './partition-limits';

export type { DynamoDbObserver } from './dynamodb-operations';

const AMZ_JSON = 'application/x-amz-json-1.0';
const NS = 'AWS/DynamoDB';
const STYLE = { contentType: AMZ_JSON, jsonNamespace: 'com.amazonaws.dynamodb.v20120810' };

export class DynamoDbService implements EdgeService {
  readonly signingNames = ['dynamodb'] as const;
  private observer: DynamoDbObserver | undefined;
  private readonly operations: Record<string, DynamoOperation>;
  /** TimeToLive settings by table (dynalite lacks them); saved on a data dir. */
  private readonly ttl = new Map<string, TtlSpec>();
  private readonly call: TableCall = (operation, input) =>
    this.backend.call(`DynamoDB_20120810.${operation}`, input, AMZ_JSON);

  private constructor(
    private readonly ctx: CloudContext,
    private readonly emulator: RunningEmulator,
    private readonly backend: BackendProxy,
    limits: PartitionLimitSettings | undefined,
  ) {
    // dynalite keeps tables and items in its LevelDB store (--data-dir); the edge keeps TimeToLive.
    ctx.persistence?.register({
      name: 'dynamodb-edge',
      snapshot: () => ({ ttl: Object.fromEntries(this.ttl) }),
      restore: (saved) => {
        const ttl = (saved as { ttl?: Record<string, TtlSpec> } | undefined)?.ttl;
        for (const [table, spec] of Object.entries(ttl ?? {})) this.ttl.set(table, spec);
      },
    });
    this.operations = dynamoOperations({
      ...(limits ? { limits: new PartitionLimits(limits) } : {}),
      backend,
      ttl: this.ttl,
      call: this.call,
      observer: () => this.observer,
      metric: (table, name, value, unit) =>
        ctx.metrics.putMetric({
          namespace: NS,
          name,
          dimensions: { TableName: table },
          value,
          unit,
          timestamp: new Date(),
        }),
    });
  }

  /**
   * `placement`: dynalite in its own worker thread (default) or on the edge's
   * event loop; `partitionLimits`: enforce per-partition-key throughput.
   */
  static async start(
    ctx: CloudContext,
    opts: { placement?: EmulatorPlacement; partitionLimits?: PartitionLimitSettings } = {},
  ): Promise<DynamoDbService> {
    const path = ctx.persistence?.dir('dynamodb');
    // A store that cannot be opened is one line now, not a failure inside the emulator's thread later.
    if (path) await probeLevelDb(path, 'dynamodb');
    const emulator = await startEmulator({
      kind: 'dynalite',
      options: { transitionMs: EMULATORS.transitionMs, path },
      placement: opts.placement,
      log: (line) => ctx.log('dynamodb', line),
    });
    return new DynamoDbService(ctx, emulator, new BackendProxy(emulator), opts.partitionLimits);
  }

  observe(observer: DynamoDbObserver): void {
    this.observer = observer;
  }

  /** The emulator first: it answers the requests it is working on before its store closes. */
  async close(): Promise<void> {
    await this.emulator.close();
    this.backend.close();
  }

  async handle(req: EdgeRequest, body: Buffer, res: EdgeResponse): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const name = targetOperation(target);
    try {
      if (await this.observed(target, name, body, res)) return;
      const op = findOperation(this.operations, name);
      if (!op)
        throw new AwsError(
          'UnknownOperationException',
          unimplementedMessage('dynamodb', name || target),
        );
      const answer = await op.call(parseJsonObject(body), { req, body });
      if ('json' in answer) sendJson(res, answer.json, AMZ_JSON);
      else writeBackendResponse(res, answer.backend, answer.body);
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      answerAwsError(res, 'json', err, STYLE);
    }
  }

  /** The observer's answer to a Streams API or stream-setting call; false when it has none. */
  private async observed(
    target: string,
    name: string,
    body: Buffer,
    res: EdgeResponse,
  ): Promise<boolean> {
    if (!this.observer) return false;
    const input = parseJsonObject(body);
    const streams = this.observer.streamsCall(target, name, input);
    const out = streams
      ? { status: 200, json: streams }
      : await this.observer.tableCall(name, input, this.call);
    if (!out) return false;
    const text = Buffer.from(JSON.stringify(out.json));
    res.writeHead(out.status, {
      'content-type': AMZ_JSON,
      'content-length': String(text.length),
      'x-amz-crc32': String(crc32(text)),
    });
    res.end(text);
    return true;
  }
}
