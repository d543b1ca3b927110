/**
 * The DynamoDB Streams API (AWS JSON 1.0, X-Amz-Target
 * DynamoDBStreams_20120810.<Op>, signing name "dynamodb"): ListStreams,
 * DescribeStream, GetShardIterator, GetRecords, over the stream store.
 */
import { AwsError } from '../edge/aws-errors';
import { StreamsError, type Stream, type StreamStore } from './stream-store';

type Input = Record<string, unknown>;

/** GetRecords returns at most 1,000 records (DynamoDB Streams' limit). */
const MAX_RECORDS = 1000;

function describe(s: Stream): Record<string, unknown> {
  return {
    StreamArn: s.arn,
    StreamLabel: s.label,
    StreamStatus: s.enabled ? 'ENABLED' : 'DISABLED',
    StreamViewType: s.viewType,
    CreationRequestDateTime: s.createdMs / 1000,
    TableName: s.table,
    KeySchema: s.keySchema,
    Shards: [
      {
        ShardId: s.shard.shardId,
        SequenceNumberRange: {
          StartingSequenceNumber: s.shard.startingSequence,
          ...(s.shard.endingSequence ? { EndingSequenceNumber: s.shard.endingSequence } : {}),
        },
      },
    ],
  };
}

const str = (i: Input, key: string): string => {
  const v = i[key];
  if (typeof v !== 'string' || v === '')
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: ${key} must not be null`,
    );
  return v;
};

export function streamsOperations(
  store: StreamStore,
): Record<string, (i: Input) => Record<string, unknown>> {
  return {
    ListStreams: (i) => {
      const table = typeof i.TableName === 'string' ? i.TableName : undefined;
      return {
        Streams: store
          .list(table)
          .map((s) => ({ StreamArn: s.arn, TableName: s.table, StreamLabel: s.label })),
      };
    },
    DescribeStream: (i) => ({ StreamDescription: describe(store.get(str(i, 'StreamArn'))) }),
    GetShardIterator: (i) => ({
      ShardIterator: store.iterator(
        str(i, 'StreamArn'),
        str(i, 'ShardId'),
        str(i, 'ShardIteratorType'),
        typeof i.SequenceNumber === 'string' ? i.SequenceNumber : undefined,
      ),
    }),
    GetRecords: (i) => {
      const limit = i.Limit === undefined ? MAX_RECORDS : Number(i.Limit);
      if (!(Number.isInteger(limit) && limit >= 1 && limit <= MAX_RECORDS))
        throw new AwsError(
          'ValidationException',
          `Limit must be 1-${MAX_RECORDS} (got ${String(i.Limit)})`,
        );
      const r = store.read(str(i, 'ShardIterator'), limit, Date.now());
      return { Records: r.records, ...(r.next ? { NextShardIterator: r.next } : {}) };
    },
  };
}

/** A store error as the API's AwsError. */
export function asAwsError(err: unknown): unknown {
  return err instanceof StreamsError ? new AwsError(err.code, err.message) : err;
}
