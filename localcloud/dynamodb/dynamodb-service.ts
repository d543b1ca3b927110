/**
 * DynamoDB at the edge: dynalite (in-process, in-memory, on an internal
 * loopback port) behind a thin proxy that asks it for ConsumedCapacity on
 * every item call (and strips it again when the client did not ask), so the
 * AWS/DynamoDB metrics ConsumedRead/WriteCapacityUnits and
 * ConditionalCheckFailedRequests exist locally. Also keeps the TimeToLive
 * setting dynalite lacks (stored, not enforced).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import dynalite from 'dynalite';
import type { CloudContext, EdgeRequest, EdgeResponse, EdgeService } from '../contracts';
import { AwsError, sendAwsError, sendJson, unimplementedMessage } from '../edge/aws-errors';
import { BackendProxy, writeBackendResponse } from '../edge/backend-proxy';
import {
  capacityUses,
  READ_OPERATIONS,
  tablesOfRequest,
  WRITE_OPERATIONS,
} from './consumed-capacity';

const AMZ_JSON = 'application/x-amz-json-1.0';
const NS = 'AWS/DynamoDB';

const DYNALITE_OPERATIONS = new Set([
  'BatchGetItem',
  'BatchWriteItem',
  'CreateTable',
  'DeleteItem',
  'DeleteTable',
  'DescribeTable',
  'DescribeTimeToLive',
  'GetItem',
  'ListTables',
  'PutItem',
  'Query',
  'Scan',
  'TagResource',
  'UntagResource',
  'ListTagsOfResource',
  'UpdateItem',
  'UpdateTable',
]);

type Json = Record<string, unknown>;
type TableCall = (operation: string, input: Json) => Promise<{ status: number; json: Json }>;

/** What DynamoDB Streams (localcloud/dynamodb-streams) plugs in: its API, stream settings, item writes. */
export interface DynamoDbObserver {
  streamsCall(target: string, operation: string, input: Json): Json | undefined;
  tableCall(
    operation: string,
    input: Json,
    call: TableCall,
  ): Promise<{ status: number; json: Json } | undefined>;
  beforeWrite(
    operation: string,
    input: Json,
    call: TableCall,
  ): Promise<(() => Promise<void>) | undefined>;
}

export class DynamoDbService implements EdgeService {
  readonly signingNames = ['dynamodb'] as const;
  private readonly ttl = new Map<string, { AttributeName: string; Enabled: boolean }>();
  private observer: DynamoDbObserver | undefined;
  private readonly call: TableCall = (operation, input) =>
    this.backend.call(`DynamoDB_20120810.${operation}`, input, AMZ_JSON);

  observe(observer: DynamoDbObserver): void {
    this.observer = observer;
  }

  /** The observer's answer to a Streams API or stream-setting call; false when it has none. */
  private async observed(
    target: string,
    operation: string,
    body: Buffer,
    res: EdgeResponse,
  ): Promise<boolean> {
    if (!this.observer) return false;
    const streams = this.observer.streamsCall(target, operation, parse(body));
    const out = streams
      ? { status: 200, json: streams }
      : await this.observer.tableCall(operation, parse(body), this.call);
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

  private constructor(
    private readonly ctx: CloudContext,
    private readonly server: Server,
    private readonly backend: BackendProxy,
  ) {}

  static async start(ctx: CloudContext): Promise<DynamoDbService> {
    const server = dynalite({ createTableMs: 5, deleteTableMs: 5, updateTableMs: 5 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new DynamoDbService(
      ctx,
      server,
      new BackendProxy((server.address() as AddressInfo).port),
    );
  }

  async close(): Promise<void> {
    this.backend.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async handle(req: EdgeRequest, body: Buffer, res: EdgeResponse): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.slice(target.indexOf('.') + 1);
    try {
      if (await this.observed(target, operation, body, res)) return;
      if (operation === 'UpdateTimeToLive' || operation === 'DescribeTimeToLive') {
        return sendJson(res, await this.timeToLive(req, operation, parse(body)), AMZ_JSON);
      }
      if (!DYNALITE_OPERATIONS.has(operation)) {
        throw new AwsError(
          'UnknownOperationException',
          unimplementedMessage('dynamodb', operation || target),
        );
      }
      if (!READ_OPERATIONS.has(operation) && !WRITE_OPERATIONS.has(operation)) {
        writeBackendResponse(res, await this.backend.send('POST', '/', req.headers, body));
        return;
      }
      const input = parse(body);
      const recordWrite = WRITE_OPERATIONS.has(operation)
        ? await this.observer?.beforeWrite(operation, input, this.call)
        : undefined;
      const asked =
        input.ReturnConsumedCapacity === 'TOTAL' || input.ReturnConsumedCapacity === 'INDEXES';
      const forwardBody = asked
        ? body
        : Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: 'TOTAL' }));
      const out = await this.backend.send('POST', '/', req.headers, forwardBody);
      if (out.status !== 200) {
        if (out.body.includes('ConditionalCheckFailedException')) {
          for (const t of tablesOfRequest(input))
            this.metric(t, 'ConditionalCheckFailedRequests', 1, 'Count');
        }
        writeBackendResponse(res, out);
        return;
      }
      await recordWrite?.();
      const parsed = JSON.parse(out.body.toString('utf8')) as Record<string, unknown>;
      for (const use of capacityUses(operation, parsed)) {
        this.metric(
          use.table,
          use.kind === 'read' ? 'ConsumedReadCapacityUnits' : 'ConsumedWriteCapacityUnits',
          use.units,
          'Count',
        );
      }
      if (asked) {
        writeBackendResponse(res, out);
        return;
      }
      delete parsed.ConsumedCapacity;
      const text = Buffer.from(JSON.stringify(parsed));
      writeBackendResponse(
        res,
        { ...out, headers: { ...out.headers, 'x-amz-crc32': String(crc32(text)) } },
        text,
      );
    } catch (err) {
      if (err instanceof AwsError) {
        sendAwsError(res, 'json', {
          code: err.code,
          message: err.message,
          status: err.status,
          jsonNamespace: 'com.amazonaws.dynamodb.v20120810',
        });
        return;
      }
      throw err;
    }
  }

  private async timeToLive(
    req: EdgeRequest,
    operation: string,
    input: Record<string, unknown>,
  ): Promise<unknown> {
    const table = String(input.TableName ?? '');
    const d = await this.backend.send(
      'POST',
      '/',
      { ...req.headers, 'x-amz-target': 'DynamoDB_20120810.DescribeTable' },
      Buffer.from(JSON.stringify({ TableName: table })),
    );
    if (d.status !== 200)
      throw new AwsError(
        'ResourceNotFoundException',
        `Requested resource not found: Table: ${table} not found`,
      );
    if (operation === 'UpdateTimeToLive') {
      const spec = input.TimeToLiveSpecification as
        { AttributeName?: string; Enabled?: boolean } | undefined;
      if (!spec?.AttributeName || typeof spec.Enabled !== 'boolean') {
        throw new AwsError(
          'ValidationException',
          'TimeToLiveSpecification needs AttributeName and Enabled',
        );
      }
      this.ttl.set(table, { AttributeName: spec.AttributeName, Enabled: spec.Enabled });
      return { TimeToLiveSpecification: spec };
    }
    const spec = this.ttl.get(table);
    return {
      TimeToLiveDescription: spec?.Enabled
        ? { TimeToLiveStatus: 'ENABLED', AttributeName: spec.AttributeName }
        : { TimeToLiveStatus: 'DISABLED' },
    };
  }

  private metric(table: string, name: string, value: number, unit: string): void {
    this.ctx.metrics.putMetric({
      namespace: NS,
      name,
      dimensions: { TableName: table },
      value,
      unit,
      timestamp: new Date(),
    });
  }
}

function parse(body: Buffer): Record<string, unknown> {
  try {
    const v = JSON.parse(body.toString('utf8') || '{}') as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new AwsError('SerializationException', 'request body is not a JSON object');
}
