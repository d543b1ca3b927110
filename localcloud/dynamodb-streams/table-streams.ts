/**
 * DynamoDB Streams on the embedded cloud: plugged into the DynamoDB service
 * (dynalite has no streams) through its observer hook. It answers the
 * Streams API; keeps each table's StreamSpecification (CreateTable,
 * UpdateTable; DescribeTable reports it with LatestStreamArn/Label); and
 * captures every successful item write on a table with a stream — the item
 * read before the write and after it, turned into INSERT / MODIFY / REMOVE
 * records. Two writes racing on one key may show each other's image; writes
 * to different keys never do.
 */
import { AwsError } from '../edge/aws-errors';
import { streamsOperations, asAwsError } from './streams-api';
import { keysOf, VIEW_TYPES, type AttributeMap, type StreamViewType } from './stream-record';
import type { Persistence } from '../contracts';
import { StreamStore, type KeyElement, type SavedStreams } from './stream-store';

type Input = Record<string, unknown>;
/** A DynamoDB call to the backing emulator: its status and JSON answer. */
export type TableCall = (
  operation: string,
  input: Input,
) => Promise<{ status: number; json: Input }>;

interface StreamSpecification {
  StreamEnabled?: boolean;
  StreamViewType?: string;
}

interface PendingWrite {
  table: string;
  keys: AttributeMap;
  old?: AttributeMap;
  /** the new image when the request states it (PutItem); else read after the write */
  put?: AttributeMap;
  removes: boolean;
}

export class TableStreams {
  readonly store: StreamStore;
  private readonly api: ReturnType<typeof streamsOperations>;

  /** With `persistence`, the streams and their records survive a restart (--data-dir). */
  constructor(region: string, persistence?: Persistence) {
    this.store = new StreamStore(region);
    this.api = streamsOperations(this.store);
    persistence?.register({
      name: 'dynamodb-streams',
      snapshot: () => this.store.snapshot(),
      restore: (saved) => saved && this.store.restore(saved as SavedStreams),
    });
  }

  /** A Streams API call (DynamoDBStreams_20120810.<Op>); undefined when the target is not one. */
  streamsCall(target: string, operation: string, input: Input): Input | undefined {
    if (!target.startsWith('DynamoDBStreams_')) return undefined;
    const op = this.api[operation];
    if (!op)
      throw new AwsError(
        'UnknownOperationException',
        `streamscale local cloud does not implement dynamodbstreams:${operation}`,
      );
    try {
      return op(input);
    } catch (err) {
      throw asAwsError(err);
    }
  }

  /** Table calls that involve streams; the answer, or undefined to leave the call to the emulator. */
  async tableCall(
    operation: string,
    input: Input,
    call: TableCall,
  ): Promise<{ status: number; json: Input } | undefined> {
    const table = String(input.TableName ?? '');
    if (operation === 'CreateTable' || operation === 'UpdateTable') {
      const spec = input.StreamSpecification as StreamSpecification | undefined;
      if (!spec) return undefined;
      const { StreamSpecification: _spec, ...rest } = input;
      const onlyStream = operation === 'UpdateTable' && Object.keys(rest).length === 1;
      const out = onlyStream
        ? await call('DescribeTable', { TableName: table })
        : await call(operation, rest);
      if (out.status !== 200) return out;
      const description = (out.json.TableDescription ?? out.json.Table) as Input;
      this.apply(table, spec, description);
      return { status: 200, json: { TableDescription: this.describe(table, description) } };
    }
    if (operation === 'DescribeTable') {
      const out = await call(operation, input);
      if (out.status !== 200 || !this.store.list(table).length) return out;
      return { status: 200, json: { Table: this.describe(table, out.json.Table as Input) } };
    }
    if (operation === 'DeleteTable') {
      const out = await call(operation, input);
      if (out.status === 200) this.store.disable(table);
      return out;
    }
    return undefined;
  }

  /** Before an item write: reads what the write changes; returns what to record once it succeeded. */
  async beforeWrite(
    operation: string,
    input: Input,
    call: TableCall,
  ): Promise<(() => Promise<void>) | undefined> {
    const pending = this.pendingWrites(operation, input);
    if (pending.length === 0) return undefined;
    for (const p of pending) p.old = await this.item(call, p.table, p.keys);
    return async () => {
      for (const p of pending) {
        const next = p.removes ? undefined : (p.put ?? (await this.item(call, p.table, p.keys)));
        this.store.record(p.table, { keys: p.keys, old: p.old, new: next }, Date.now());
      }
    };
  }

  private pendingWrites(operation: string, input: Input): PendingWrite[] {
    const one = (
      table: string,
      keys: AttributeMap | undefined,
      put?: AttributeMap,
      removes = false,
    ) => {
      const s = this.store.enabledStream(table);
      if (!s || !keys) return [];
      const names = s.keySchema.map((k) => k.AttributeName);
      return [{ table, keys: keysOf(keys, names), put, removes }];
    };
    const table = String(input.TableName ?? '');
    switch (operation) {
      case 'PutItem':
        return one(table, input.Item as AttributeMap, input.Item as AttributeMap);
      case 'UpdateItem':
        return one(table, input.Key as AttributeMap);
      case 'DeleteItem':
        return one(table, input.Key as AttributeMap, undefined, true);
      case 'BatchWriteItem':
        return Object.entries((input.RequestItems ?? {}) as Record<string, Input[]>).flatMap(
          ([t, reqs]) =>
            reqs.flatMap((r) => {
              const put = (r.PutRequest as Input | undefined)?.Item as AttributeMap | undefined;
              const del = (r.DeleteRequest as Input | undefined)?.Key as AttributeMap | undefined;
              return put ? one(t, put, put) : one(t, del, undefined, true);
            }),
        );
      default:
        return [];
    }
  }

  private async item(
    call: TableCall,
    table: string,
    key: AttributeMap,
  ): Promise<AttributeMap | undefined> {
    const r = await call('GetItem', { TableName: table, Key: key, ConsistentRead: true });
    return r.status === 200 ? ((r.json.Item as AttributeMap | undefined) ?? undefined) : undefined;
  }

  private apply(table: string, spec: StreamSpecification, description: Input): void {
    if (!spec.StreamEnabled) {
      this.store.disable(table);
      return;
    }
    const view = spec.StreamViewType as StreamViewType;
    if (!VIEW_TYPES.includes(view))
      throw new AwsError(
        'ValidationException',
        `StreamViewType must be one of ${VIEW_TYPES.join(', ')} when StreamEnabled is true (got ${String(spec.StreamViewType)})`,
      );
    this.store.enable(table, view, (description.KeySchema ?? []) as KeyElement[], Date.now());
  }

  /** A TableDescription with the stream fields DynamoDB adds. */
  private describe(table: string, description: Input): Input {
    const enabled = this.store.enabledStream(table);
    const latest = enabled ?? this.store.list(table).at(-1);
    if (!latest) return description;
    return {
      ...description,
      ...(enabled
        ? { StreamSpecification: { StreamEnabled: true, StreamViewType: enabled.viewType } }
        : {}),
      LatestStreamArn: latest.arn,
      LatestStreamLabel: latest.label,
    };
  }
}
