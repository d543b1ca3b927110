/**
 * GetRecords at the edge: kinesalite reads; the edge adds what AWS reports
 * and kinesalite does not — the AWS/Kinesis read metrics with iterator age,
 * MillisBehindLatest on a full page, ChildShards at the end of a closed
 * shard, EncryptionType on records of an encrypted stream.
 */
import { operation, type RawInput } from '../edge/operation-table';
import { markEncryptedRecords } from './encryption';
import {
  forwardBody,
  type KinesisAnswer,
  type KinesisCall,
  type KinesisOperation,
  type KinesisParts,
} from './kinesis-context';
import { decodeIterator } from './shard-iterator';

/** GetRecords' page size when the call gives no Limit (AWS: 10,000). */
const DEFAULT_LIMIT = 10_000;
const MILLIS_ZERO = Buffer.from('{"MillisBehindLatest":0,');
const DATA = Buffer.from('"Data":"');
const ARRIVAL = Buffer.from('"ApproximateArrivalTimestamp":');
const QUOTE = 0x22;
const EQUALS = 0x3d;

interface GetRecordsInput {
  raw: RawInput;
  iterator: string;
  limit: number;
}

const decode = (raw: RawInput): GetRecordsInput => ({
  raw,
  iterator: String(raw.ShardIterator ?? ''),
  limit: typeof raw.Limit === 'number' ? raw.Limit : DEFAULT_LIMIT,
});

export function readOperations(parts: KinesisParts): Record<string, KinesisOperation> {
  return { GetRecords: operation(decode, (i, call) => getRecords(parts, i, call)) };
}

async function getRecords(
  parts: KinesisParts,
  { raw, iterator, limit }: GetRecordsInput,
  call: KinesisCall,
): Promise<KinesisAnswer> {
  const out = await parts.backend.send(call.req.headers, forwardBody(call, raw));
  const position = decodeIterator(iterator);
  const name = position?.streamName;
  if (out.status !== 200 || !position || !name) return { backend: out };
  const scan = scanGetRecords(out.body);
  // AWS: age of the last record of the call; an empty read reports how far behind the tip it is.
  const age =
    scan.lastArrival !== undefined
      ? Math.max(0, Date.now() - scan.lastArrival * 1000)
      : scan.millisBehind;
  parts.metric(name, 'GetRecords.IteratorAgeMilliseconds', age, 'Milliseconds');
  parts.metric(name, 'GetRecords.Records', scan.records, 'Count');
  parts.metric(name, 'GetRecords.Bytes', scan.bytes, 'Bytes');
  parts.metric(name, 'GetRecords.Success', 1, 'Count');
  if (scan.records === 0 && !out.body.includes('"NextShardIterator"')) {
    // the end of a closed shard: AWS names its children here
    const parsed = JSON.parse(out.body.toString('utf8')) as Record<string, unknown>;
    parsed.ChildShards = await childShards(parts, name, position.shardId);
    return { json: parsed };
  }
  let body = out.body;
  // kinesalite always says 0 ms behind the tip; a full page means there is more to read, so say how old its last record is
  if (scan.records >= limit && scan.millisBehind === 0 && startsWith(body, MILLIS_ZERO))
    body = Buffer.concat([
      Buffer.from(`{"MillisBehindLatest":${Math.round(age)},`),
      body.subarray(MILLIS_ZERO.length),
    ]);
  const spans = parts.streams.peek(name)?.encryptedSpans ?? [];
  if (spans.length > 0 && scan.records > 0)
    body = Buffer.from(markEncryptedRecords(body.toString('utf8'), spans));
  return body === out.body ? { backend: out } : { backend: out, body };
}

const startsWith = (b: Buffer, prefix: Buffer) =>
  b.length >= prefix.length && b.subarray(0, prefix.length).equals(prefix);

/** The children of a closed shard, as AWS names them in GetRecords and SubscribeToShard. */
export async function childShards(
  parts: KinesisParts,
  stream: string,
  parent: string,
): Promise<unknown[]> {
  const r = await parts.backend.call('ListShards', { StreamName: stream });
  const shards =
    (r.json.Shards as
      | Array<{
          ShardId: string;
          ParentShardId?: string;
          AdjacentParentShardId?: string;
          HashKeyRange: unknown;
        }>
      | undefined) ?? [];
  return shards
    .filter((s) => s.ParentShardId === parent || s.AdjacentParentShardId === parent)
    .map((s) => ({
      ShardId: s.ShardId,
      ParentShards: [s.ParentShardId, s.AdjacentParentShardId].filter(
        (x): x is string => x !== undefined,
      ),
      HashKeyRange: s.HashKeyRange,
    }));
}

/**
 * Record count, payload bytes, last arrival time and MillisBehindLatest of a
 * GetRecords answer, scanned in its bytes: up to 10,000 records a call, and
 * neither a JSON.parse nor one string of the whole answer (a string over
 * ~128 KiB costs V8 milliseconds to allocate).
 */
export function scanGetRecords(body: Buffer): {
  records: number;
  bytes: number;
  lastArrival?: number;
  millisBehind: number;
} {
  let records = 0;
  let bytes = 0;
  for (let i = body.indexOf(DATA); i >= 0; i = body.indexOf(DATA, i)) {
    const start = i + DATA.length;
    const end = body.indexOf(QUOTE, start);
    const pad = body[end - 1] === EQUALS ? (body[end - 2] === EQUALS ? 2 : 1) : 0;
    bytes += end > start ? Math.floor(((end - start) * 3) / 4) - pad : 0;
    records++;
    i = end;
  }
  const a = body.lastIndexOf(ARRIVAL);
  const lastArrival =
    a >= 0
      ? parseFloat(body.toString('latin1', a + ARRIVAL.length, a + ARRIVAL.length + 32))
      : undefined;
  const m = /"MillisBehindLatest":(\d+)/.exec(body.toString('latin1', 0, 64));
  return { records, bytes, lastArrival, millisBehind: m ? Number(m[1]) : 0 };
}
