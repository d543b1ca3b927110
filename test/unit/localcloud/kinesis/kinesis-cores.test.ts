/**
 * Kinesis's pure parts at the edge: AWS's write limits in AWS's words (model
 * constraints first, all listed; then the per-record and per-request size
 * rules), consumer ARNs in AWS's format, and encrypted-record marking.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  consumerArn,
  parseConsumerArn,
  streamNameOfArn,
} from '../../../../localcloud/kinesis/arns';
import { markEncryptedRecords } from '../../../../localcloud/kinesis/encryption';
import {
  decodeMessages,
  eventMessage,
  exceptionMessage,
} from '../../../../localcloud/kinesis/event-stream';
import {
  incrementSequence,
  stringifySequence,
} from '../../../../localcloud/kinesis/kinesalite-fast-paths';
import { sequenceBefore } from '../../../../localcloud/kinesis/subscribe-to-shard';
import { checkPutRecord, checkPutRecords } from '../../../../localcloud/kinesis/put-limits';
import { parsePutRecordsBody } from '../../../../localcloud/kinesis/put-records-json';

const limits = {
  maxRecordBytes: 100,
  maxPutRecordsBytes: 250,
  maxPutRecordsRecords: 3,
  maxPartitionKeyLength: 4,
};
const b64 = (bytes: number) => Buffer.alloc(bytes).toString('base64');

describe('Kinesis write limits', () => {
  it('accepts what AWS accepts', () => {
    expect(checkPutRecord({ PartitionKey: 'k', Data: b64(99) }, limits)).toBeUndefined();
    expect(
      checkPutRecords(
        [
          { PartitionKey: 'kkkk', Data: b64(96) },
          { PartitionKey: 'k', Data: b64(99) },
        ],
        limits,
      ),
    ).toBeUndefined();
  });

  it('lists every model-constraint failure in one ValidationException', () => {
    const err = checkPutRecords(
      [
        { PartitionKey: 'k', Data: b64(101) },
        { PartitionKey: 'kkkkk', Data: b64(1) },
        { Data: b64(1) },
      ],
      limits,
    );
    expect(err?.code).toBe('ValidationException');
    expect(err?.message).toMatch(/^3 validation errors detected: /);
    expect(err?.message).toContain(
      "Value 'java.nio.HeapByteBuffer[pos=0 lim=101 cap=101]' at 'records.1.member.data' failed to satisfy constraint: Member must have length less than or equal to 100",
    );
    expect(err?.message).toContain("Value 'kkkkk' at 'records.2.member.partitionKey'");
    expect(err?.message).toContain("Value null at 'records.3.member.partitionKey'");
    expect(checkPutRecords([], limits)?.message).toContain(
      'Member must have length greater than or equal to 1',
    );
    expect(
      checkPutRecords(Array(4).fill({ PartitionKey: 'k', Data: '' }), limits)?.message,
    ).toContain(
      "at 'records' failed to satisfy constraint: Member must have length less than or equal to 3",
    );
    expect(checkPutRecord({ PartitionKey: '', Data: b64(1) }, limits)?.message).toContain(
      "at 'partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it('counts the partition key in the record limit, and every record in the request limit', () => {
    expect(checkPutRecord({ PartitionKey: 'kk', Data: b64(99) }, limits)).toMatchObject({
      code: 'InvalidArgumentException',
    });
    const err = checkPutRecords(
      [
        { PartitionKey: 'k', Data: b64(90) },
        { PartitionKey: 'k', Data: b64(90) },
        { PartitionKey: 'k', Data: b64(90) },
      ],
      limits,
    );
    expect(err).toMatchObject({ code: 'InvalidArgumentException' });
    expect(err?.message).toContain('Records size exceeds');
  });
});

describe('Kinesis ARNs', () => {
  it('forms and reads consumer ARNs as AWS does', () => {
    const stream = 'arn:aws:kinesis:us-east-1:000000000000:stream/s-1';
    const arn = consumerArn(stream, 'fan', 1_576_092_578_123);
    expect(arn).toBe('arn:aws:kinesis:us-east-1:000000000000:stream/s-1/consumer/fan:1576092578');
    expect(parseConsumerArn(arn)).toEqual({
      streamArn: stream,
      name: 'fan',
      createdSeconds: 1576092578,
    });
    expect(streamNameOfArn(arn)).toBe('s-1');
    expect(streamNameOfArn(stream)).toBe('s-1');
    expect(parseConsumerArn(stream)).toBeUndefined();
  });
});

describe('encrypted records', () => {
  it('marks the records that arrived while encryption was on', () => {
    const text = JSON.stringify({
      Records: [1, 2, 3, 4].map((t) => ({ Data: 'eA==', ApproximateArrivalTimestamp: t })),
    });
    const out = JSON.parse(
      markEncryptedRecords(text, [{ from: 2000, to: 3000 }, { from: 4000 }]),
    ) as {
      Records: Array<{ EncryptionType?: string }>;
    };
    expect(out.Records.map((r) => r.EncryptionType)).toEqual([undefined, 'KMS', undefined, 'KMS']);
  });
});

describe('event stream framing', () => {
  it('frames events and exceptions with both CRCs, and splits a byte stream back', () => {
    const bytes = Buffer.concat([
      eventMessage('initial-response', {}),
      eventMessage('SubscribeToShardEvent', { Records: [], MillisBehindLatest: 0 }),
      exceptionMessage('ResourceNotFoundException', 'gone'),
    ]);
    const messages = decodeMessages(bytes);
    expect(messages.map((m) => m.headers)).toEqual([
      {
        ':message-type': 'event',
        ':event-type': 'initial-response',
        ':content-type': 'application/json',
      },
      {
        ':message-type': 'event',
        ':event-type': 'SubscribeToShardEvent',
        ':content-type': 'application/json',
      },
      {
        ':message-type': 'exception',
        ':exception-type': 'ResourceNotFoundException',
        ':content-type': 'application/json',
      },
    ]);
    expect(JSON.parse(messages[2]!.payload.toString())).toEqual({ message: 'gone' });
    const corrupt = Buffer.from(bytes);
    corrupt.writeUInt8(corrupt.readUInt8(20) ^ 1, 20);
    expect(() => decodeMessages(corrupt)).toThrow(/CRC/);
  });
});

describe('continuation sequence numbers', () => {
  it('gives the number after which kinesalite reads exactly at a position', () => {
    const at = stringifySequence({
      shardCreateTime: 1_700_000_000_000,
      seqIx: '42',
      seqTime: 1_700_000_100_000,
      shardIx: 3,
    });
    expect(incrementSequence(sequenceBefore(at))).toBe(at);
  });
});

describe('PutRecords body parsing without one large string', () => {
  const entry = fc.record(
    {
      PartitionKey: fc.string({ maxLength: 12 }),
      Data: fc.oneof(fc.base64String({ maxLength: 40 }), fc.string({ maxLength: 8 }), fc.integer()),
      ExplicitHashKey: fc.string({ maxLength: 4 }),
    },
    { requiredKeys: ['PartitionKey'] },
  );
  const body = fc.record({
    StreamName: fc.string({ maxLength: 8 }),
    Records: fc.array(entry, { maxLength: 12 }),
  });

  it('equals JSON.parse on any body, and on odd spacing and key orders', () => {
    fc.assert(
      fc.property(body, fc.boolean(), (b, spaced) => {
        const text = spaced ? JSON.stringify(b, null, 1) : JSON.stringify(b);
        const bytes = Buffer.from(text);
        expect(parsePutRecordsBody(bytes, 0)).toEqual(JSON.parse(text));
      }),
    );
  });

  it('falls back to the protocol error on a malformed body', () => {
    expect(() => parsePutRecordsBody(Buffer.from('{"Records":[{"Data":"eA=="}'), 0)).toThrow(
      'the request body is not a JSON object',
    );
  });
});
