/**
 * Pure formatting of query results: the lab's console-sink tables
 * (`Interval | user_id | crash_count`) and the `--json` array. No I/O.
 */
import { renderTable } from '../cli-kit/table';
import type { QueryName } from './args';
import type { CourseRow, CrashRow, LateRow, RejectRow, ResultRow } from './rows';

const pad2 = (n: number) => String(n).padStart(2, '0');

/** "2026-11-23 03:14:10" in UTC. */
export function formatUtc(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${formatUtcTime(ms)}`;
}

function formatUtcTime(ms: number): string {
  const d = new Date(ms);
  const base = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  return d.getUTCMilliseconds() === 0
    ? base
    : `${base}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
}

/** "2026-11-23 03:14:10 – 03:14:20"; the end carries its date only when it differs. */
export function formatInterval(startMs: number, endMs: number): string {
  const sameDay = formatUtc(startMs).slice(0, 10) === formatUtc(endMs).slice(0, 10);
  return `${formatUtc(startMs)} – ${sameDay ? formatUtcTime(endMs) : formatUtc(endMs)}`;
}

/** Numbers as a person reads them: integers plain, others with at most 2 decimals. */
export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return v.toFixed(2).replace(/\.?0+$/, '');
}

export const PROVISIONAL_MARK = '*';

/** Arrival and write times print to the second in tables (JSON keeps milliseconds). */
const toSecond = (ms: number) => Math.floor(ms / 1000) * 1000;

function intervalCell(r: { windowStart: number; windowEnd: number; final: boolean }): string {
  return `${formatInterval(r.windowStart, r.windowEnd)} ${r.final ? ' ' : PROVISIONAL_MARK}`;
}

/** Shorten a long identifier (Kinesis sequence numbers are 56 digits) for a table cell. */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(text.length - (max - 1))}`;
}

/** A raw payload excerpt on one line: control characters escaped, cut at `max`. */
export function rawExcerpt(raw: string, max = 60): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
  const oneLine = raw.replace(/[\u0000-\u001f\u007f]/g, (c) =>
    c === '\n'
      ? '\\n'
      : c === '\t'
        ? '\\t'
        : c === '\r'
          ? '\\r'
          : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

export interface TableContext {
  allowedLatenessMs: number;
  crashAlertThreshold: number;
}

function provisionalLegend(rows: Array<{ final: boolean }>, ctx: TableContext): string[] {
  if (!rows.some((r) => !r.final)) return [];
  return [
    `${PROVISIONAL_MARK} provisional: the window is still open; its final value is written when the watermark passes its end (~${Math.round(ctx.allowedLatenessMs / 1000)} s after it ends)`,
  ];
}

function courseTable(rows: CourseRow[], ctx: TableContext): string {
  const table = renderTable(
    [
      { header: 'Interval (UTC)' },
      { header: 'course' },
      { header: 'events', right: true },
      { header: 'total_loc', right: true },
      { header: 'avg_cpu', right: true },
      { header: 'max_cpu', right: true },
    ],
    rows.map((r) => [
      intervalCell(r),
      r.group,
      String(r.events),
      formatNumber(r.total_loc),
      r.avg_cpu.toFixed(2),
      r.max_cpu.toFixed(2),
    ]),
  );
  return [table, ...provisionalLegend(rows, ctx)].join('\n');
}

function crashTable(rows: CrashRow[], ctx: TableContext): string {
  const table = renderTable(
    [{ header: 'Interval (UTC)' }, { header: 'user_id' }, { header: 'crash_count', right: true }],
    rows.map((r) => [intervalCell(r), r.group, String(r.crash_count)]),
  );
  return [table, ...provisionalLegend(rows, ctx)].join('\n');
}

function lateContribution(r: LateRow): string {
  if (r.forQuery === 'crash-alerts') return `crash_count=${r.values.crash_count}`;
  const v = r.values;
  return `events=${v.events} total_loc=${formatNumber(v.total_loc)} avg_cpu=${v.avg_cpu.toFixed(2)} max_cpu=${v.max_cpu.toFixed(2)}`;
}

function lateTable(rows: LateRow[]): string {
  return renderTable(
    [
      { header: 'Interval (UTC)' },
      { header: 'query' },
      { header: 'group' },
      { header: 'late contribution' },
      { header: 'shard' },
      { header: 'first sequence' },
      { header: 'written (UTC)' },
    ],
    rows.map((r) => [
      formatInterval(r.windowStart, r.windowEnd),
      r.forQuery,
      r.group,
      lateContribution(r),
      r.shardId,
      shorten(r.firstSequenceNumber, 16),
      formatUtc(toSecond(r.writtenAt)).slice(11),
    ]),
  );
}

function rejectsTable(rows: RejectRow[]): string {
  return renderTable(
    [
      { header: 'Arrived (UTC)' },
      { header: 'reason' },
      { header: 'detail' },
      { header: 'shard' },
      { header: 'sequence' },
      { header: 'raw (excerpt)' },
    ],
    rows.map((r) => [
      formatUtc(toSecond(r.arrivedAt)),
      r.reason,
      rawExcerpt(r.detail, 40),
      r.shardId,
      shorten(r.sequenceNumber, 16),
      rawExcerpt(r.raw) + (r.truncated && r.raw.length <= 60 ? ' [truncated]' : ''),
    ]),
  );
}

/** The table for a query's rows (rows must be non-empty; see emptyMessage). */
export function formatTable(query: QueryName, rows: ResultRow[], ctx: TableContext): string {
  switch (query) {
    case 'course-activity':
      return courseTable(rows as CourseRow[], ctx);
    case 'crash-alerts':
      return crashTable(rows as CrashRow[], ctx);
    case 'late':
      return lateTable(rows as LateRow[]);
    case 'rejects':
      return rejectsTable(rows as RejectRow[]);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The `--json` shape of one row: ISO-8601 UTC times, aggregates flattened. */
export function toJsonRow(row: ResultRow): Record<string, unknown> {
  switch (row.query) {
    case 'course-activity':
      return {
        query: row.query,
        windowStart: iso(row.windowStart),
        windowEnd: iso(row.windowEnd),
        group: row.group,
        final: row.final,
        events: row.events,
        total_loc: row.total_loc,
        avg_cpu: row.avg_cpu,
        max_cpu: row.max_cpu,
      };
    case 'crash-alerts':
      return {
        query: row.query,
        windowStart: iso(row.windowStart),
        windowEnd: iso(row.windowEnd),
        group: row.group,
        final: row.final,
        crash_count: row.crash_count,
      };
    case 'late':
      return {
        query: row.query,
        forQuery: row.forQuery,
        windowStart: iso(row.windowStart),
        windowEnd: iso(row.windowEnd),
        group: row.group,
        final: false,
        ...row.values,
        shardId: row.shardId,
        firstSequenceNumber: row.firstSequenceNumber,
        writtenAt: iso(row.writtenAt),
      };
    case 'rejects':
      return {
        query: row.query,
        arrivedAt: iso(row.arrivedAt),
        reason: row.reason,
        detail: row.detail,
        shardId: row.shardId,
        sequenceNumber: row.sequenceNumber,
        partitionKey: row.partitionKey,
        raw: row.raw,
        truncated: row.truncated,
      };
  }
}

export function formatJson(rows: ResultRow[]): string {
  return JSON.stringify(rows.map(toJsonRow), null, 2);
}

export interface EmptyContext extends TableContext {
  query: QueryName;
  fromMs: number;
  toMs: number;
  finalOnly: boolean;
  all: boolean;
}

/** What to tell the user when nothing matched: the range searched and why it may be empty. */
export function emptyMessage(c: EmptyContext): string {
  const range = `${formatUtc(c.fromMs)} and ${formatUtc(c.toMs)} UTC`;
  const lateness = `~${Math.round(c.allowedLatenessMs / 1000)} s`;
  switch (c.query) {
    case 'course-activity':
    case 'crash-alerts': {
      const what =
        c.query === 'crash-alerts' && !c.all
          ? `crash alerts (crash_count > ${c.crashAlertThreshold})`
          : `${c.query} results`;
      const hints = [
        c.finalOnly
          ? `windows close ${lateness} (the allowed lateness) after they end; drop --final-only to see provisional values`
          : `windows close ${lateness} (the allowed lateness) after they end, and open windows show only once records arrive`,
      ];
      if (c.query === 'crash-alerts' && !c.all) hints.push('--all shows groups with fewer crashes');
      return `no ${what} for windows between ${range}; ${hints.join('; ')}. Widen the range with --since (e.g. --since 1h).`;
    }
    case 'late':
      return `no late records for windows between ${range}: every valid record made it into its window's final result.`;
    case 'rejects':
      return `no rejected records arrived between ${range}.`;
  }
}
