/**
 * AWS's request limits on Kinesis writes (pure), checked before anything
 * else — before the stream is looked up and before the rate limit — so an
 * oversized record is refused for what it is (not retried as throttled):
 * model constraints as one ValidationException (1–500 records; data at most
 * 1 MiB; partition key 1–256 characters), then the size rules AWS enforces
 * in the service as InvalidArgumentException (data plus partition key at
 * most 1 MiB per record; at most 5 MiB per PutRecords).
 */
import { AWS_LIMITS } from '../config';
import { AwsError } from '../edge/aws-errors';
import { validationError, type ConstraintFailure } from './kinesis-errors';
import { base64DecodedLength } from './shard-hash';

export interface WriteEntry {
  Data?: unknown;
  PartitionKey?: unknown;
  ExplicitHashKey?: unknown;
}

export interface PutLimits {
  maxRecordBytes: number;
  maxPutRecordsBytes: number;
  maxPutRecordsRecords: number;
  maxPartitionKeyLength: number;
}

export const AWS_PUT_LIMITS: PutLimits = AWS_LIMITS.kinesis;

/** Decoded size of a record's data (base64 on the wire); 0 when not a string (kinesalite answers that). */
export const dataBytes = (e: WriteEntry): number =>
  typeof e.Data === 'string' ? base64DecodedLength(e.Data) : 0;

export const keyBytes = (e: WriteEntry): number =>
  typeof e.PartitionKey === 'string' ? Buffer.byteLength(e.PartitionKey) : 0;

/** The model's pattern for ExplicitHashKey: a decimal 128-bit integer. */
const EXPLICIT_HASH_KEY = /^(0|[1-9]\d{0,38})$/;

/** How AWS prints a blob in a validation message. */
const blob = (n: number) => `'java.nio.HeapByteBuffer[pos=0 lim=${n} cap=${n}]'`;

function entryFailures(e: WriteEntry, at: string, limits: PutLimits): ConstraintFailure[] {
  const out: ConstraintFailure[] = [];
  const data = dataBytes(e);
  if (e.Data === undefined || e.Data === null)
    out.push({ value: 'null', at: `${at}data`, constraint: 'Member must not be null' });
  else if (data > limits.maxRecordBytes)
    out.push({
      value: blob(data),
      at: `${at}data`,
      constraint: `Member must have length less than or equal to ${limits.maxRecordBytes}`,
    });
  const explicit = e.ExplicitHashKey;
  if (explicit !== undefined && (typeof explicit !== 'string' || !EXPLICIT_HASH_KEY.test(explicit)))
    out.push({
      value: `'${String(explicit)}'`,
      at: `${at}explicitHashKey`,
      constraint: 'Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})',
    });
  const key = e.PartitionKey;
  if (typeof key !== 'string') {
    out.push({ value: 'null', at: `${at}partitionKey`, constraint: 'Member must not be null' });
  } else {
    const length = [...key].length;
    const shown = `'${key.length > 64 ? `${key.slice(0, 64)}…` : key}'`;
    if (length < 1)
      out.push({
        value: shown,
        at: `${at}partitionKey`,
        constraint: 'Member must have length greater than or equal to 1',
      });
    else if (length > limits.maxPartitionKeyLength)
      out.push({
        value: shown,
        at: `${at}partitionKey`,
        constraint: `Member must have length less than or equal to ${limits.maxPartitionKeyLength}`,
      });
  }
  return out;
}

function recordTooLarge(e: WriteEntry, which: string, limits: PutLimits): AwsError | undefined {
  const size = dataBytes(e) + keyBytes(e);
  if (size <= limits.maxRecordBytes) return undefined;
  return new AwsError(
    'InvalidArgumentException',
    `${which} size exceeds the ${limits.maxRecordBytes} byte limit: data plus partition key is ${size} bytes.`,
  );
}

/** PutRecord: the refusal AWS would give, or undefined. */
export function checkPutRecord(e: WriteEntry, limits = AWS_PUT_LIMITS): AwsError | undefined {
  const failures = entryFailures(e, '', limits);
  if (failures.length > 0) return validationError(failures);
  return recordTooLarge(e, 'Record', limits);
}

/** PutRecords: the refusal AWS would give, or undefined. */
export function checkPutRecords(records: unknown, limits = AWS_PUT_LIMITS): AwsError | undefined {
  if (!Array.isArray(records))
    return validationError([
      { value: 'null', at: 'records', constraint: 'Member must not be null' },
    ]);
  const n = records.length;
  if (n < 1 || n > limits.maxPutRecordsRecords) {
    return validationError([
      {
        value: `'[${n} records]'`,
        at: 'records',
        constraint:
          n < 1
            ? 'Member must have length greater than or equal to 1'
            : `Member must have length less than or equal to ${limits.maxPutRecordsRecords}`,
      },
    ]);
  }
  const entries = records as WriteEntry[];
  const failures = entries.flatMap((e, i) =>
    entryFailures(e ?? {}, `records.${i + 1}.member.`, limits),
  );
  if (failures.length > 0) return validationError(failures);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const tooLarge = recordTooLarge(entries[i]!, `Record ${i + 1}`, limits);
    if (tooLarge) return tooLarge;
    total += dataBytes(entries[i]!) + keyBytes(entries[i]!);
  }
  if (total > limits.maxPutRecordsBytes)
    return new AwsError(
      'InvalidArgumentException',
      `Records size exceeds ${limits.maxPutRecordsBytes / (1024 * 1024)} MB limit (${total} bytes of data and partition keys)`,
    );
  return undefined;
}
