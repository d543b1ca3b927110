/** Kinesis through the edge with the AWS SDK, as Lambda's pollers use the Kinesis API. */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { kinesisEvent, kinesisFilterView } from './kinesis-event';
import type { ShardRecord } from './shard-record';
import type { StartSpec, StreamReader, StreamShard } from './stream-reader';

/** The Kinesis GetRecords maximum. */
const PAGE_LIMIT = 10_000;

export class KinesisReader implements StreamReader {
  readonly pageLimit = PAGE_LIMIT;
  readonly batchInfoKey = 'KinesisBatchInfo';
  readonly event = kinesisEvent;
  readonly filterView = kinesisFilterView;

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
  ) {}

  async listShards(): Promise<StreamShard[]> {
    const shards: Shard[] = [];
    let token: string | undefined;
    do {
      const r = await this.kinesis.send(
        new ListShardsCommand(token ? { NextToken: token } : { StreamName: this.streamName }),
      );
      shards.push(...(r.Shards ?? []));
      token = r.NextToken;
    } while (token);
    return shards.map((s) => ({
      shardId: s.ShardId!,
      parents: [s.ParentShardId, s.AdjacentParentShardId].filter((p): p is string => !!p),
    }));
  }

  async iterator(shardId: string, spec: StartSpec): Promise<string | undefined> {
    const r = await this.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: this.streamName,
        ShardId: shardId,
        ShardIteratorType: spec.type,
        ...(spec.sequenceNumber ? { StartingSequenceNumber: spec.sequenceNumber } : {}),
        ...(spec.timestamp !== undefined ? { Timestamp: new Date(spec.timestamp * 1000) } : {}),
      }),
    );
    return r.ShardIterator;
  }

  async read(iterator: string, limit: number) {
    const r = await this.kinesis.send(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }),
    );
    const now = Date.now();
    const records: ShardRecord[] = (r.Records ?? []).map((x) => ({
      sequenceNumber: x.SequenceNumber!,
      partitionKey: x.PartitionKey!,
      data: Buffer.from(x.Data ?? new Uint8Array()).toString('base64'),
      arrivalMs: x.ApproximateArrivalTimestamp ? x.ApproximateArrivalTimestamp.getTime() : now,
    }));
    return { records, next: r.NextShardIterator ?? undefined };
  }
}
