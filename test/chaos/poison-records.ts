/**
 * The chaos suite's poison: valid events whose names collide with the
 * language or the item layout, and malformed records, in one PutRecords
 * call; what Kinesis accepts goes to the run's record log.
 */
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { RecordLog } from '../../producer/record-log';
import { KEYLIKE_NAMES, LONG_NAMES, PROTOTYPE_NAMES } from '../support/adversarial-names';

/** Valid events named to collide with the language, and malformed ones, in one PutRecords call. */
export async function putPoison(
  client: KinesisClient,
  stream: string,
  log: RecordLog,
): Promise<void> {
  const names = [...PROTOTYPE_NAMES, ...KEYLIKE_NAMES, LONG_NAMES[0]];
  const event = (name: string, i: number) =>
    JSON.stringify({
      event_id: `poison-${Date.now()}-${i}`,
      timestamp: Math.floor(Date.now() / 1000),
      user_id: name,
      student_name: name,
      course: name,
      activity: 'compile',
      lines_of_code: i,
      cpu_usage_pct: 50,
      severity: i % 2 ? 'Critical' : 'Low',
      content: i % 2 ? 'Segmentation fault (core dumped)' : 'ok',
    });
  const data = [
    ...names.map(event),
    '{',
    '{"course": "__proto__", "timestamp": 1e400}',
    '{"__proto__": {"course": "x"}, "timestamp": "now"}',
  ];
  const answer = await client.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: data.map((d) => ({ Data: Buffer.from(d, 'utf8'), PartitionKey: 'poison' })),
    }),
  );
  answer.Records?.forEach((r, i) => {
    if (r.SequenceNumber)
      log.write({
        shardId: r.ShardId!,
        sequenceNumber: r.SequenceNumber,
        partitionKey: 'poison',
        data: data[i]!,
      });
  });
}
