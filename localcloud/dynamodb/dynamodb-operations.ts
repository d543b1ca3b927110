/**
 * The DynamoDB operations at the edge, one table: item reads and writes go
 * to dynalite with ReturnConsumedCapacity asked for (and stripped again when
 * the client did not ask), so the AWS/DynamoDB capacity and
 * ConditionalCheckFailedRequests metrics exist locally; table operations go
 * as sent; the TimeToLive setting dynalite lacks is kept here (stored, not
 * enforced). Writes let DynamoDB Streams record them (the observer).
 */
import { crc32 } from 'node:zlib';
import type { EdgeRequest } from '../contracts';
import { AwsError } from '../edge/aws-errors';
import type { BackendProxy, BackendResponse } from '../edge/backend-proxy';
import { operation, type Operation, type RawInput } from '../edge/operation-table';
import {
  capacityUses,
  READ_OPERATIONS,
  tablesOfRequest,
  WRITE_OPERATIONS,
} from './consumed-capacity';
import { partitionKeyOf, type PartitionLimits } from './partition-limits';

export type Json = Record<string, unknown>;
export type TableCall = (operation: string, input: Json) => Promise<{ status: number; json: Json }>;

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

export interface DynamoCall {
  req: EdgeRequest;
  body: Buffer;
}

export type DynamoAnswer = { json: unknown } | { backend: BackendResponse; body?: Buffer };
export type DynamoOperation = Operation<DynamoCall, DynamoAnswer>;

export interface DynamoParts {
  backend: BackendProxy;
  call: TableCall;
  observer(): DynamoDbObserver | undefined;
  /** TimeToLive settings by table, owned by the service (it saves them on a data dir) */
  ttl: Map<string, TtlSpec>;
  metric(table: string, name: string, value: number, unit: string): void;
  /** Per-partition-key throughput, when enforced (--dynamodb-partition-limits). */
  limits?: PartitionLimits;
}

interface Guarded {
  table: string;
  key: string;
  kind: 'read' | 'write';
}

/** The table's partition key name, from DescribeTable, remembered per table. */
function hashKeys(parts: DynamoParts): (table: string) => Promise<string | undefined> {
  const known = new Map<string, string>();
  return async (table) => {
    if (known.has(table)) return known.get(table);
    const out = await parts.call('DescribeTable', { TableName: table });
    const schema = (out.json.Table as Json | undefined)?.KeySchema as Json[] | undefined;
    const hash = schema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
    if (typeof hash === 'string') known.set(table, hash);
    return typeof hash === 'string' ? hash : undefined;
  };
}

/** The key a single-key call is metered on, when limits are enforced. */
async function guardOf(
  parts: DynamoParts,
  hashKeyOf: (table: string) => Promise<string | undefined>,
  name: string,
  input: Json,
): Promise<Guarded | undefined> {
  if (!parts.limits || typeof input.TableName !== 'string') return undefined;
  const hash = await hashKeyOf(input.TableName);
  const key = hash === undefined ? undefined : partitionKeyOf(name, input, hash);
  if (key === undefined) return undefined;
  return { table: input.TableName, key, kind: READ_OPERATIONS.has(name) ? 'read' : 'write' };
}

/** Table operations dynalite answers as AWS would. */
const TABLE_OPERATIONS = [
  'CreateTable',
  'DeleteTable',
  'DescribeTable',
  'ListTables',
  'TagResource',
  'UntagResource',
  'ListTagsOfResource',
  'UpdateTable',
];

const asIs = (raw: RawInput) => raw;

/** An item read or write, metered (and refused when its partition key is over its limit). */
function metered(
  parts: DynamoParts,
  name: string,
  hashKeyOf: (table: string) => Promise<string | undefined>,
): DynamoOperation {
  return operation(asIs, async (input, { req, body }) => {
    const guard = await guardOf(parts, hashKeyOf, name, input);
    if (guard) parts.limits?.admit(guard.table, guard.key, guard.kind);
    const recordWrite = WRITE_OPERATIONS.has(name)
      ? await parts.observer()?.beforeWrite(name, input, parts.call)
      : undefined;
    const asked =
      input.ReturnConsumedCapacity === 'TOTAL' || input.ReturnConsumedCapacity === 'INDEXES';
    const forward = asked
      ? body
      : Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: 'TOTAL' }));
    const out = await parts.backend.send('POST', '/', req.headers, forward);
    if (out.status !== 200) {
      if (out.body.includes('ConditionalCheckFailedException')) {
        for (const t of tablesOfRequest(input))
          parts.metric(t, 'ConditionalCheckFailedRequests', 1, 'Count');
        // A failed condition still costs a write unit.
        if (guard) parts.limits?.charge(guard.table, guard.key, guard.kind, 1);
      }
      return { backend: out };
    }
    await recordWrite?.();
    const parsed = JSON.parse(out.body.toString('utf8')) as Json;
    for (const use of capacityUses(name, parsed)) {
      parts.metric(
        use.table,
        use.kind === 'read' ? 'ConsumedReadCapacityUnits' : 'ConsumedWriteCapacityUnits',
        use.units,
        'Count',
      );
      if (guard?.table === use.table)
        parts.limits?.charge(guard.table, guard.key, guard.kind, use.units);
    }
    if (asked) return { backend: out };
    delete parsed.ConsumedCapacity;
    const text = Buffer.from(JSON.stringify(parsed));
    return {
      backend: { ...out, headers: { ...out.headers, 'x-amz-crc32': String(crc32(text)) } },
      body: text,
    };
  });
}

export interface TtlSpec {
  AttributeName: string;
  Enabled: boolean;
}

function ttlOperations(parts: DynamoParts): Record<string, DynamoOperation> {
  const ttl = parts.ttl;
  const table = (raw: RawInput) => String(raw.TableName ?? '');
  const mustExist = async (name: string) => {
    if ((await parts.call('DescribeTable', { TableName: name })).status !== 200)
      throw new AwsError(
        'ResourceNotFoundException',
        `Requested resource not found: Table: ${name} not found`,
      );
  };
  return {
    UpdateTimeToLive: operation(
      (raw) => {
        const spec = raw.TimeToLiveSpecification as Partial<TtlSpec> | undefined;
        if (!spec?.AttributeName || typeof spec.Enabled !== 'boolean')
          throw new AwsError(
            'ValidationException',
            'TimeToLiveSpecification needs AttributeName and Enabled',
          );
        return {
          table: table(raw),
          spec: { AttributeName: spec.AttributeName, Enabled: spec.Enabled },
        };
      },
      async (i) => {
        await mustExist(i.table);
        ttl.set(i.table, i.spec);
        return { json: { TimeToLiveSpecification: i.spec } };
      },
    ),
    DescribeTimeToLive: operation(table, async (name) => {
      await mustExist(name);
      const spec = ttl.get(name);
      return {
        json: {
          TimeToLiveDescription: spec?.Enabled
            ? { TimeToLiveStatus: 'ENABLED', AttributeName: spec.AttributeName }
            : { TimeToLiveStatus: 'DISABLED' },
        },
      };
    }),
  };
}

export function dynamoOperations(parts: DynamoParts): Record<string, DynamoOperation> {
  const table: Record<string, DynamoOperation> = {};
  for (const name of TABLE_OPERATIONS)
    table[name] = operation(asIs, async (_i, { req, body }) => ({
      backend: await parts.backend.send('POST', '/', req.headers, body),
    }));
  const hashKeyOf = hashKeys(parts);
  for (const name of [...READ_OPERATIONS, ...WRITE_OPERATIONS])
    if (!name.startsWith('Transact')) table[name] = metered(parts, name, hashKeyOf); // dynalite has no transactions
  return { ...table, ...ttlOperations(parts) };
}
