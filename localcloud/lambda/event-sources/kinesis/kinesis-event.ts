/**
 * The Kinesis event Lambda delivers, and the invocation record it sends to an
 * on-failure destination, field for field as AWS forms them.
 */
import { parseJsonOrUndefined } from '../filter/filter-criteria';
import type { FailureCondition } from './retry-policy';
import type { ShardRecord } from './shard-record';

export interface EventSourceIdentity {
  shardId: string;
  streamArn: string;
  region: string;
  /** the function's execution role */
  invokeIdentityArn: string;
}

export interface KinesisEventRecord {
  kinesis: {
    kinesisSchemaVersion: '1.0';
    partitionKey: string;
    sequenceNumber: string;
    data: string;
    approximateArrivalTimestamp: number;
  };
  eventSource: 'aws:kinesis';
  eventVersion: '1.0';
  eventID: string;
  eventName: 'aws:kinesis:record';
  invokeIdentityArn: string;
  awsRegion: string;
  eventSourceARN: string;
}

export function kinesisEvent(
  records: readonly ShardRecord[],
  id: EventSourceIdentity,
): { Records: KinesisEventRecord[] } {
  return {
    Records: records.map((r) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: r.partitionKey,
        sequenceNumber: r.sequenceNumber,
        data: r.data,
        approximateArrivalTimestamp: r.arrivalMs / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${id.shardId}:${r.sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: id.invokeIdentityArn,
      awsRegion: id.region,
      eventSourceARN: id.streamArn,
    })),
  };
}

export interface FailureContext {
  requestId: string;
  functionArn: string;
  condition: FailureCondition;
  approximateInvokeCount: number;
  /** the last invocation's outcome, if there was one */
  functionError?: string;
  statusCode?: number;
  now: Date;
}

/** `batchInfoKey`: KinesisBatchInfo, or DDBStreamBatchInfo for a DynamoDB stream. */
export function failureRecord(
  records: readonly ShardRecord[],
  id: EventSourceIdentity,
  c: FailureContext,
  batchInfoKey = 'KinesisBatchInfo',
) {
  const first = records[0]!;
  const last = records[records.length - 1]!;
  return {
    requestContext: {
      requestId: c.requestId,
      functionArn: c.functionArn,
      condition: c.condition,
      approximateInvokeCount: c.approximateInvokeCount,
    },
    responseContext: {
      statusCode: c.statusCode ?? 200,
      executedVersion: '$LATEST',
      functionError: c.functionError ?? '',
    },
    version: '1.0',
    timestamp: c.now.toISOString(),
    [batchInfoKey]: {
      shardId: id.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: new Date(first.arrivalMs).toISOString(),
      approximateArrivalOfLastRecord: new Date(last.arrivalMs).toISOString(),
      batchSize: records.length,
      streamArn: id.streamArn,
    },
  };
}

/**
 * What a Kinesis record's filter patterns see: its metadata, and `data`
 * decoded from base64 and parsed as JSON — absent when it is not JSON, so a
 * pattern on `data` then drops the record, as AWS does.
 */
export function kinesisFilterView(r: ShardRecord): Record<string, unknown> {
  return {
    kinesisSchemaVersion: '1.0',
    partitionKey: r.partitionKey,
    sequenceNumber: r.sequenceNumber,
    approximateArrivalTimestamp: r.arrivalMs / 1000,
    data: parseJsonOrUndefined(Buffer.from(r.data, 'base64').toString('utf8')),
  };
}
