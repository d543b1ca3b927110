/**
 * PutRecord and PutRecords at the edge: AWS's request limits first
 * (put-limits.ts), then the per-shard write limits — a throttled record is
 * answered here with ProvisionedThroughputExceededException and never
 * reaches kinesalite — then kinesalite stores what was accepted. The
 * AWS/Kinesis write metrics are counted here.
 */
import { AwsError } from '../edge/aws-errors';
import { operation, type OperationTable, type RawInput } from '../edge/operation-table';
import { patchEncryptionType } from './encryption';
import { rateExceeded } from './kinesis-errors';
import {
  forwardBody,
  type KinesisAnswer,
  type KinesisCall,
  type KinesisOperation,
  type KinesisParts,
} from './kinesis-context';
import {
  checkPutRecord,
  checkPutRecords,
  dataBytes,
  keyBytes,
  type WriteEntry,
} from './put-limits';
import { recordHashKey, shardFor, type ShardRange } from './shard-hash';
import type { StreamState } from './stream-registry';

interface PutRecordsInput {
  raw: RawInput;
  stream: string;
  records: WriteEntry[];
}

interface PutRecordInput {
  raw: RawInput;
  stream: string;
  record: WriteEntry;
}

const decodePutRecords = (raw: RawInput): PutRecordsInput => {
  const refusal = checkPutRecords(raw.Records);
  if (refusal) throw refusal;
  return { raw, stream: String(raw.StreamName ?? ''), records: raw.Records as WriteEntry[] };
};

const decodePutRecord = (raw: RawInput): PutRecordInput => {
  const refusal = checkPutRecord(raw);
  if (refusal) throw refusal;
  return { raw, stream: String(raw.StreamName ?? ''), record: raw };
};

export function writeOperations(parts: KinesisParts): Record<string, KinesisOperation> {
  return {
    PutRecords: operation(decodePutRecords, (i, call) => putRecords(parts, i, call)),
    PutRecord: operation(decodePutRecord, (i, call) => putRecord(parts, i, call)),
  } satisfies OperationTable<KinesisCall, KinesisAnswer>;
}

function shardOf(state: StreamState, r: WriteEntry): ShardRange | undefined {
  if (state.open?.length === 1) return state.open[0]; // every key lands there: no hashing
  try {
    const explicit = typeof r.ExplicitHashKey === 'string' ? r.ExplicitHashKey : undefined;
    return shardFor(state.open ?? [], recordHashKey(String(r.PartitionKey), explicit));
  } catch {
    return undefined; // malformed ExplicitHashKey: kinesalite answers the validation error
  }
}

/** Takes each record's share of its shard's limits: the shard that refused it, or null (accepted). */
function admit(
  parts: KinesisParts,
  state: StreamState,
  records: WriteEntry[],
): Array<string | null> {
  const now = Date.now();
  return records.map((r) => {
    const shard = shardOf(state, r);
    if (!shard) return null;
    const ok = parts.streams
      .limiter(state, shard.shardId, now)
      .tryTake(dataBytes(r) + keyBytes(r), now);
    return ok ? null : shard.shardId;
  });
}

async function putRecords(
  parts: KinesisParts,
  { raw, stream, records }: PutRecordsInput,
  call: KinesisCall,
): Promise<KinesisAnswer> {
  const state = stream ? await parts.streams.get(stream) : undefined;
  if (!state?.open)
    return { backend: await parts.backend.send(call.req.headers, forwardBody(call, raw)) };
  const verdicts = admit(parts, state, records);
  const accepted = records.filter((_, i) => verdicts[i] === null);
  const throttled = records.length - accepted.length;
  const acceptedBytes = accepted.reduce((n, r) => n + dataBytes(r), 0);
  const count = (failedInBackend: number) => {
    const m = (name: string, v: number, unit = 'Count') => parts.metric(stream, name, v, unit);
    const succeeded = accepted.length - failedInBackend;
    m('IncomingRecords', succeeded);
    m('IncomingBytes', acceptedBytes, 'Bytes');
    m('PutRecords.TotalRecords', records.length);
    m('PutRecords.SuccessfulRecords', succeeded);
    m('PutRecords.ThrottledRecords', throttled);
    m('PutRecords.Bytes', acceptedBytes, 'Bytes');
    m('WriteProvisionedThroughputExceeded', throttled);
  };
  if (throttled === 0) {
    // nothing to merge: kinesalite's answer is the answer
    const r = await parts.backend.send(call.req.headers, forwardBody(call, raw));
    if (r.status !== 200) return { backend: r };
    const failed = /"FailedRecordCount":(\d+)/.exec(r.body.toString('latin1', 0, 64));
    count(failed ? Number(failed[1]) : 0);
    parts.streams.wrote(stream);
    return { backend: r, body: patchEncryptionType(r.body, state) };
  }
  let stored: { FailedRecordCount?: number; Records?: unknown[] } = {};
  if (accepted.length > 0) {
    const r = await parts.backend.send(call.req.headers, { ...raw, Records: accepted });
    if (r.status !== 200) return { backend: r };
    stored = JSON.parse(r.body.toString('utf8')) as typeof stored;
    parts.streams.wrote(stream);
  }
  const storedRecords = stored.Records ?? [];
  let next = 0;
  const merged = verdicts.map((shardId) =>
    shardId === null
      ? storedRecords[next++]
      : {
          ErrorCode: 'ProvisionedThroughputExceededException',
          ErrorMessage: rateExceeded(shardId, stream),
        },
  );
  const failedInBackend = stored.FailedRecordCount ?? 0;
  count(failedInBackend);
  return {
    json: {
      FailedRecordCount: failedInBackend + throttled,
      Records: merged,
      EncryptionType: state.encryption ? 'KMS' : 'NONE',
    },
  };
}

async function putRecord(
  parts: KinesisParts,
  { raw, stream, record }: PutRecordInput,
  call: KinesisCall,
): Promise<KinesisAnswer> {
  const state = stream ? await parts.streams.get(stream) : undefined;
  if (state?.open) {
    const [refusedBy] = admit(parts, state, [record]);
    if (refusedBy) {
      parts.metric(stream, 'WriteProvisionedThroughputExceeded', 1, 'Count');
      throw new AwsError('ProvisionedThroughputExceededException', rateExceeded(refusedBy, stream));
    }
  }
  const out = await parts.backend.send(call.req.headers, forwardBody(call, raw));
  if (out.status !== 200) return { backend: out };
  parts.streams.wrote(stream);
  const bytes = dataBytes(record);
  parts.metric(stream, 'IncomingRecords', 1, 'Count');
  parts.metric(stream, 'IncomingBytes', bytes, 'Bytes');
  parts.metric(stream, 'PutRecord.Success', 1, 'Count');
  parts.metric(stream, 'PutRecord.Bytes', bytes, 'Bytes');
  return { backend: out, body: state ? patchEncryptionType(out.body, state) : undefined };
}
