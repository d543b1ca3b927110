/**
 * Synthetic Kinesis records and Lambda events for tests: sequence numbers
 * increase per shard like Kinesis's, arrival times are given.
 */
import type { KinesisStreamEvent } from 'aws-lambda';
import type { KinesisRecordLike } from '../../functions/core/merge-plan';

export interface EventSpec {
  t: number; // event time, epoch ms
  user?: string;
  course?: string;
  loc?: number;
  cpu?: number;
  severity?: 'Low' | 'Medium' | 'High' | 'Critical';
  content?: string;
}

let counter = 0;
export function eventJson(s: EventSpec): string {
  counter += 1;
  return JSON.stringify({
    event_id: `ev-${counter}`,
    timestamp: s.t / 1000,
    user_id: s.user ?? 'user_1',
    student_name: 'Ahmed Yar',
    course: s.course ?? 'CS-315',
    activity: 'debugging',
    lines_of_code: s.loc ?? 10,
    cpu_usage_pct: s.cpu ?? 37.5,
    severity: s.severity ?? 'Low',
    content: s.content ?? 'compiled fine',
  });
}

export class ShardFeed {
  private seq = 0n;
  constructor(readonly shardId: string) {}

  /** Records for these payloads, in order, with increasing sequence numbers. */
  records(payloads: readonly string[], arrivalMs: number): KinesisRecordLike[] {
    return payloads.map((data) => {
      this.seq += 1n;
      return {
        shardId: this.shardId,
        sequenceNumber: (49_000_000_000_000_000_000n + this.seq).toString(),
        partitionKey: (JSON.parse(safe(data)) as { user_id?: string }).user_id ?? 'pk',
        data: Buffer.from(data, 'utf8'),
        arrivalMs,
      };
    });
  }
}

function safe(s: string): string {
  try {
    JSON.parse(s);
    return s;
  } catch {
    return '{}';
  }
}

export function toLambdaEvent(records: readonly KinesisRecordLike[]): KinesisStreamEvent {
  return {
    Records: records.map((r) => ({
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${r.shardId}:${r.sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/test',
      awsRegion: 'us-east-1',
      eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/test',
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: r.partitionKey,
        sequenceNumber: r.sequenceNumber,
        data: Buffer.from(r.data).toString('base64'),
        approximateArrivalTimestamp: r.arrivalMs / 1000,
      },
    })),
  };
}
