/**
 * What the shard-based event-source runtime reads a stream through: Kinesis
 * and DynamoDB Streams both have shards with parents, iterators and
 * GetRecords, and each forms its own Lambda event and failure record.
 */
import type { EventSourceIdentity } from './kinesis-event';
import type { ShardRecord } from './shard-record';

export type IteratorType =
  'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP' | 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER';

export interface StartSpec {
  type: IteratorType;
  sequenceNumber?: string;
  /** epoch seconds */
  timestamp?: number;
}

export interface StreamShard {
  shardId: string;
  parents: string[];
}

export interface StreamReader {
  listShards(): Promise<StreamShard[]>;
  /** undefined: the shard has nothing more to read (closed and past its end) */
  iterator(shardId: string, spec: StartSpec): Promise<string | undefined>;
  read(iterator: string, limit: number): Promise<{ records: ShardRecord[]; next?: string }>;
  /** the most GetRecords returns in one call */
  readonly pageLimit: number;
  event(records: readonly ShardRecord[], identity: EventSourceIdentity): unknown;
  /** the on-failure destination's batch-info key: KinesisBatchInfo or DDBStreamBatchInfo */
  readonly batchInfoKey: string;
  /** what filter patterns see of a record */
  filterView(record: ShardRecord): unknown;
}
