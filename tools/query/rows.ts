/**
 * Result rows of `npm run query`: plain data, epoch-ms times. The formatter
 * prints them as tables or JSON; the query runner builds them from what the
 * results reader returns.
 */
import type { QueryName } from './args';

export interface CourseValues {
  events: number;
  total_loc: number;
  avg_cpu: number;
  max_cpu: number;
}

export interface CourseRow extends CourseValues {
  query: 'course-activity';
  windowStart: number;
  windowEnd: number;
  /** course */
  group: string;
  final: boolean;
}

export interface CrashRow {
  query: 'crash-alerts';
  windowStart: number;
  windowEnd: number;
  /** user_id */
  group: string;
  final: boolean;
  crash_count: number;
}

/** One late partial's contribution to one group of one query. */
export type LateRow = {
  query: 'late';
  windowStart: number;
  windowEnd: number;
  group: string;
  final: false;
  shardId: string;
  firstSequenceNumber: string;
  /** when the consumer wrote the late partial (epoch ms) */
  writtenAt: number;
} & (
  | { forQuery: 'course-activity'; values: CourseValues }
  | { forQuery: 'crash-alerts'; values: { crash_count: number } }
);

export interface RejectRow {
  query: 'rejects';
  arrivedAt: number;
  reason: string;
  detail: string;
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  raw: string;
  truncated: boolean;
}

export type ResultRow = CourseRow | CrashRow | LateRow | RejectRow;

export interface RowsByQuery {
  'course-activity': CourseRow;
  'crash-alerts': CrashRow;
  late: LateRow;
  rejects: RejectRow;
}

export type RowsOf<Q extends QueryName> = RowsByQuery[Q][];
