/**
 * A DynamoDB stream through the edge with the AWS SDK (DescribeStream,
 * GetShardIterator, GetRecords), as Lambda's pollers read it; records carry
 * the stream record whole, lanes follow the item's keys.
 */
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import type { EventSourceIdentity } from '../kinesis/kinesis-event';
import type { ShardRecord } from '../kinesis/shard-record';
import type { StartSpec, StreamReader, StreamShard } from '../kinesis/stream-reader';

/** DynamoDB Streams' GetRecords maximum. */
const PAGE_LIMIT = 1000;

/** The SDK's parsed values back in the wire's JSON shapes (binary as base64, times as epoch seconds). */
function wire(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (v instanceof Date) return v.getTime() / 1000;
  if (Array.isArray(v)) return v.map(wire);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, wire(x)]));
  return v;
}

function toShardRecord(r: _Record): ShardRecord {
  const payload = wire(r) as Record<string, unknown>;
  const db = r.dynamodb ?? {};
  return {
    sequenceNumber: db.SequenceNumber!,
    partitionKey: JSON.stringify(
      payload.dynamodb ? (payload.dynamodb as { Keys?: unknown }).Keys : '',
    ),
    data: '',
    arrivalMs: db.ApproximateCreationDateTime
      ? db.ApproximateCreationDateTime.getTime()
      : Date.now(),
    payload,
  };
}

export class DynamoDbStreamReader implements StreamReader {
  readonly pageLimit = PAGE_LIMIT;
  readonly batchInfoKey = 'DDBStreamBatchInfo';

  constructor(
    private readonly client: DynamoDBStreamsClient,
    private readonly streamArn: string,
  ) {}

  async listShards(): Promise<StreamShard[]> {
    const shards: StreamShard[] = [];
    let start: string | undefined;
    do {
      const r = await this.client.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: start }),
      );
      const d = r.StreamDescription;
      for (const s of d?.Shards ?? [])
        shards.push({ shardId: s.ShardId!, parents: s.ParentShardId ? [s.ParentShardId] : [] });
      start = d?.LastEvaluatedShardId;
    } while (start);
    return shards;
  }

  async iterator(shardId: string, spec: StartSpec): Promise<string | undefined> {
    const r = await this.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: shardId,
        ShardIteratorType: spec.type as 'TRIM_HORIZON',
        ...(spec.sequenceNumber ? { SequenceNumber: spec.sequenceNumber } : {}),
      }),
    );
    return r.ShardIterator;
  }

  async read(iterator: string, limit: number) {
    const r = await this.client.send(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }),
    );
    return {
      records: (r.Records ?? []).map(toShardRecord),
      next: r.NextShardIterator ?? undefined,
    };
  }

  event(records: readonly ShardRecord[], id: EventSourceIdentity): unknown {
    return { Records: records.map((r) => ({ ...r.payload, eventSourceARN: id.streamArn })) };
  }

  filterView(r: ShardRecord): unknown {
    return r.payload;
  }
}
