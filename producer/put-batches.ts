/**
 * How records are grouped into PutRecords calls: at most 500 records and
 * 5 MiB a call, where a record's size is its data plus its partition key
 * (the Kinesis limits). Pure.
 */
export const MAX_RECORDS_PER_CALL = 500;
export const MAX_BYTES_PER_CALL = 5 * 1024 * 1024;
/** Per-record limit: data + partition key ≤ 1 MiB. */
export const MAX_RECORD_BYTES = 1024 * 1024;

export interface Sized {
  /** data bytes + partition key bytes */
  bytes: number;
}

/**
 * Take the longest prefix of `queue` that fits one call (at least one record
 * when the first fits the per-record limit). Returns how many to take.
 */
export function takeForCall(
  queue: readonly Sized[],
  maxRecords = MAX_RECORDS_PER_CALL,
  maxBytes = MAX_BYTES_PER_CALL,
): number {
  let bytes = 0;
  let n = 0;
  for (const r of queue) {
    if (n >= maxRecords || bytes + r.bytes > maxBytes) break;
    bytes += r.bytes;
    n++;
  }
  return n;
}

export const recordBytes = (data: string, partitionKey: string): number =>
  Buffer.byteLength(data, 'utf8') + Buffer.byteLength(partitionKey, 'utf8');
