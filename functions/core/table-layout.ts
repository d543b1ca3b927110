/**
 * The DynamoDB item layout: the contract between the consumer, the closer,
 * the scaler and the tools (query, dashboard, cost, tests). Key formats are
 * built only here.
 *
 * windows table  (pk S, sk S; GSI "byKind": gsiPk S, gsiSk N)
 *   partial   pk W#<windowStartMs>  sk P#<shardId>#<firstSequenceNumber>
 *             one item per (batch, window), written once (attribute_not_exists);
 *             gsiPk = "LATE" once known late (consumer hint or closer recheck)
 *   final     pk W#<windowStartMs>  sk F
 *             one per closed window with partials, written once; `included`
 *             lists the partial sort keys merged into it; gsiPk = "FINAL"
 *   Late = partials of a window that its final does not include (or all
 *   partials of a window at or below the close cursor that has no final).
 *
 * control table  (pk S, sk S)
 *   pk WM  sk GLOBAL          global watermark and close cursor
 *   pk WM  sk SHARD#<shardId>  per-shard progress (and its windows with open partials)
 *   pk SCALER sk STATE        scaler memory (last actions, daily budget)
 *
 * rejects table  (pk S, sk S)
 *   pk R#<hourStartMs>  sk <shardId>#<sequenceNumber>   one per rejected record
 */

export const WINDOWS_INDEX = 'byKind';
export const GSI_FINAL = 'FINAL';
export const GSI_LATE = 'LATE';

export const windowPk = (windowStartMs: number): string => `W#${windowStartMs}`;
export const partialSk = (shardId: string, firstSequenceNumber: string): string =>
  `P#${shardId}#${firstSequenceNumber}`;
export const FINAL_SK = 'F';
export const isPartialSk = (sk: string): boolean => sk.startsWith('P#');

export const WATERMARK_PK = 'WM';
export const GLOBAL_SK = 'GLOBAL';
export const shardSk = (shardId: string): string => `SHARD#${shardId}`;
export const SCALER_PK = 'SCALER';
export const SCALER_SK = 'STATE';

export const REJECT_BUCKET_MS = 3_600_000;
export const rejectPk = (arrivalMs: number): string =>
  `R#${Math.floor(arrivalMs / REJECT_BUCKET_MS) * REJECT_BUCKET_MS}`;
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

export interface FinalItem extends StoredGroups {
  pk: string;
  sk: typeof FINAL_SK;
  windowStart: number;
  windowEnd: number;
  records: number;
  /** sort keys of the partials merged into this final */
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
  pk: typeof WATERMARK_PK;
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
