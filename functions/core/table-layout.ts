/**
 * The DynamoDB item layout: the contract between the consumer, the closer,
 * the scaler and the tools (query, dashboard, cost, tests). Key formats are
 * built only here.
 *
 * Write-sharded (issue 15): every shard writes into one of WINDOW_BUCKETS
 * buckets (a hash of its shard id), so no partition key takes the writes of
 * more than its bucket's shards, and a window closes in two levels.
 *
 * windows table  (pk S, sk S; GSI "byKind": gsiPk S, gsiSk N)
 *   partial       pk W#<windowStartMs>#<bucket>  sk P#<shardId>#<firstSequenceNumber>
 *                 one item per (batch, window), written once (attribute_not_exists);
 *                 gsiPk = "LATE" once known late (consumer hint or closer recheck)
 *   bucket final  pk W#<windowStartMs>#<bucket>  sk BF
 *                 the merge of the bucket's partials, written once; `included`
 *                 lists the partial sort keys merged into it
 *   final         pk W#<windowStartMs>  sk F
 *                 one per closed window with partials, written once, merged
 *                 from bucket finals; `included` lists their partition keys;
 *                 gsiPk = "FINAL"
 *   A partial counts in its window's final when its bucket final includes
 *   its sort key and the window's final includes its bucket's key; every
 *   other partial of a closed window is late (also every partial of a window
 *   at or below the close cursor that has no final).
 *
 * control table  (pk S, sk S)
 *   pk WM           sk GLOBAL          global watermark and close cursor
 *   pk WM#<bucket>  sk SHARD#<shardId> per-shard progress (and its windows with open partials)
 *   pk SCALER       sk STATE           scaler memory (last actions, daily budget)
 *
 * rejects table  (pk S, sk S)
 *   pk R#<hourStartMs>#<bucket>  sk <shardId>#<sequenceNumber>   one per rejected record
 */

/**
 * Buckets per window, per progress and per reject hour. A layout constant,
 * not a setting: changing it re-keys the tables. 32 keeps every key of a
 * 1 M records/s pipeline (1,000 shards, ~31 a bucket) near 60 WCU/s and a
 * bucket final near 30 KB, with room to ~14 M records/s (docs/scaling-to-1m.md).
 */
export const WINDOW_BUCKETS = 32;

/** A shard's bucket: FNV-1a of its id, so consecutive shard ids spread evenly. */
export function bucketOf(shardId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < shardId.length; i++) {
    h ^= shardId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % WINDOW_BUCKETS;
}

export const ALL_BUCKETS: readonly number[] = Array.from({ length: WINDOW_BUCKETS }, (_, b) => b);

export const WINDOWS_INDEX = 'byKind';
export const GSI_FINAL = 'FINAL';
export const GSI_LATE = 'LATE';

export const windowPk = (windowStartMs: number): string => `W#${windowStartMs}`;
export const bucketPk = (windowStartMs: number, bucket: number): string =>
  `W#${windowStartMs}#${bucket}`;
export const partialSk = (shardId: string, firstSequenceNumber: string): string =>
  `P#${shardId}#${firstSequenceNumber}`;
export const FINAL_SK = 'F';
export const BUCKET_FINAL_SK = 'BF';
export const isPartialSk = (sk: string): boolean => sk.startsWith('P#');

export const WATERMARK_PK = 'WM';
export const GLOBAL_SK = 'GLOBAL';
export const shardSk = (shardId: string): string => `SHARD#${shardId}`;
export const progressPk = (bucket: number): string => `${WATERMARK_PK}#${bucket}`;
export const SHARD_SK_PREFIX = 'SHARD#';
export const SCALER_PK = 'SCALER';
export const SCALER_SK = 'STATE';

export const REJECT_BUCKET_MS = 3_600_000;
export const rejectHour = (arrivalMs: number): number =>
  Math.floor(arrivalMs / REJECT_BUCKET_MS) * REJECT_BUCKET_MS;
export const rejectPk = (arrivalMs: number, bucket: number): string =>
  `R#${rejectHour(arrivalMs)}#${bucket}`;
export const rejectSk = (shardId: string, sequenceNumber: string): string =>
  `${shardId}#${sequenceNumber}`;

/**
 * The groups of both queries as stored: lists of entries, never maps keyed by
 * a group name. A course or user_id is user data and may be any string,
 * `__proto__` included; as an attribute name it would be lost by the SDK's
 * unmarshalling (which builds plain objects) and by some emulators, so no
 * user data is ever used as a key in an item.
 */
export interface StoredCourseGroup {
  course: string;
  events: number;
  totalLoc: number;
  cpuSum: number;
  cpuMin: number;
  cpuMax: number;
}

export interface StoredCrashGroup {
  user_id: string;
  /** every group is kept; the > threshold rule is applied on read */
  crash_count: number;
}

export interface StoredGroups {
  /** course-activity, one entry per course, sorted by course */
  courses: StoredCourseGroup[];
  /** crash-alerts, one entry per user with a crash, sorted by user_id */
  crashes: StoredCrashGroup[];
}

export interface PartialItem extends StoredGroups {
  pk: string;
  sk: string;
  windowStart: number;
  windowEnd: number;
  /** bucketOf(shardId): the pk is bucketPk(windowStart, bucket) */
  bucket: number;
  shardId: string;
  firstSequenceNumber: string;
  lastSequenceNumber: string;
  /** valid records of this batch that fell in this window */
  records: number;
  /** consumer's wall-clock time of the write (epoch ms) */
  writtenAt: number;
  /** earliest approximateArrivalTimestamp among its records (epoch ms), for latency figures */
  firstArrivalMs: number;
  /** set to GSI_LATE when known late */
  gsiPk?: string;
  gsiSk?: number;
}

/** The merge of one bucket's partials of one window, written once before its window's final. */
export interface BucketFinalItem extends StoredGroups {
  pk: string;
  sk: typeof BUCKET_FINAL_SK;
  windowStart: number;
  windowEnd: number;
  bucket: number;
  records: number;
  /** sort keys of the partials merged into it */
  included: string[];
  closedAt: number;
}

export interface FinalItem extends StoredGroups {
  pk: string;
  sk: typeof FINAL_SK;
  windowStart: number;
  windowEnd: number;
  records: number;
  /** partition keys of the bucket finals merged into this final */
  included: string[];
  closedAt: number;
  /** global watermark when it was closed */
  watermark: number;
  gsiPk: typeof GSI_FINAL;
  gsiSk: number;
}

export interface GlobalWatermarkItem {
  pk: typeof WATERMARK_PK;
  sk: typeof GLOBAL_SK;
  /** event time (epoch ms); only ever advances */
  watermark: number;
  /** every window with end <= closedThrough is closed */
  closedThrough?: number;
  updatedAt: number;
}

export interface ShardProgressItem {
  /** progressPk(bucketOf(shardId)) */
  pk: string;
  sk: string;
  shardId: string;
  /** max event time seen (epoch ms) */
  maxEventTime: number;
  /** min event time seen, so the closer knows where windows start */
  minEventTime: number;
  lastSequenceNumber: string;
  /** wall clock of the last batch (epoch ms) */
  lastSeenAt: number;
  /** iterator age of the last batch (ms); small means caught up */
  lastIteratorAgeMs: number;
  /** the last batch was smaller than the batch size: the consumer had read all there was */
  lastBatchPartial?: boolean;
  /**
   * NS: starts of the windows this shard wrote on-time partials for that the
   * close cursor had not passed; the consumer adds, the closer removes what
   * it passed. The closer visits only these windows, so it never walks empty
   * time. Absent when empty (DynamoDB has no empty sets).
   */
  openWindows?: Set<number>;
}

export type RejectReason =
  | 'invalid_json'
  | 'not_an_object'
  | 'missing_field'
  | 'wrong_type'
  | 'out_of_range'
  | 'bad_timestamp'
  | 'future_timestamp'
  /** a string field holds a lone surrogate: not text, and no store has to accept it */
  | 'invalid_text'
  /** the record made the consumer fail; kept so its batch goes on (the detail says why) */
  | 'unprocessable';

export interface RejectItem {
  pk: string;
  sk: string;
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  arrivalMs: number;
  reason: RejectReason;
  /** human-readable detail, e.g. which field */
  detail: string;
  /** raw payload, UTF-8, truncated to consumer.rejectRawMaxBytes */
  raw: string;
  truncated: boolean;
}
