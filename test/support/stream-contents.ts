/**
 * Every record a stream holds, on every shard (closed parents of a reshard
 * included), read from the trim horizon: what the pipeline was given. The
 * chaos suite compares the pipeline with this, and the producers' --record
 * log with it: a PutRecords whose answer was lost (a timeout, a reset) but
 * whose records were stored is re-sent, and the stream then holds both
 * copies while the log lists the one acknowledged — at-least-once delivery
 * into Kinesis, as with the KPL.
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
  type Shard,
} from '@aws-sdk/client-kinesis';
import type { RecordLogLine } from '../../producer/record-log';

async function shardsOf(client: KinesisClient, stream: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let next: string | undefined;
  do {
    const page = await client.send(
      next
        ? new ListShardsCommand({ NextToken: next })
        : new ListShardsCommand({ StreamName: stream }),
    );
    shards.push(...(page.Shards ?? []));
    next = page.NextToken;
  } while (next);
  return shards;
}

export async function streamContents(
  client: KinesisClient,
  stream: string,
): Promise<RecordLogLine[]> {
  const out: RecordLogLine[] = [];
  for (const s of await shardsOf(client, stream)) {
    let iterator = (
      await client.send(
        new GetShardIteratorCommand({
          StreamName: stream,
          ShardId: s.ShardId!,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    while (iterator) {
      const r = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
      for (const rec of r.Records ?? [])
        out.push({
          shardId: s.ShardId!,
          sequenceNumber: rec.SequenceNumber!,
          partitionKey: rec.PartitionKey!,
          data: Buffer.from(rec.Data!).toString('utf8'),
        });
      // A closed shard ends with no next iterator; an open one once it is caught up.
      if ((r.Records ?? []).length === 0 && (r.MillisBehindLatest ?? 0) === 0) break;
      iterator = r.NextShardIterator;
    }
  }
  return out;
}

/** Records of `a` that `b` lacks, by shard and sequence number. */
export function notIn(a: RecordLogLine[], b: RecordLogLine[]): number {
  const keys = new Set(b.map((r) => `${r.shardId}/${r.sequenceNumber}`));
  return a.filter((r) => !keys.has(`${r.shardId}/${r.sequenceNumber}`)).length;
}
