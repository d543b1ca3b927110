/**
 * Builds a query's rows from what the results reader returns: windows ->
 * course-activity / crash-alerts rows (the crash threshold applied here, on
 * read), late partials -> one row per (query, group) they contribute to,
 * rejects -> one row per record. Sorted by time, then group.
 */
import { courseRows, crashRows } from '../../functions/core/partials';
import type { RejectItem } from '../../functions/core/table-layout';
import type {
  LatePartial,
  ResultsReader,
  WindowResult,
} from '../../functions/store/results-reader';
import type { QueryOptions } from './args';
import type { CourseRow, CrashRow, LateRow, RejectRow, ResultRow } from './rows';

export interface RunContext {
  crashAlertThreshold: number;
}

export async function runQuery(
  reader: ResultsReader,
  opts: QueryOptions,
  ctx: RunContext,
): Promise<ResultRow[]> {
  switch (opts.query) {
    case 'course-activity': {
      const windows = await reader.windows(opts.fromMs, opts.toMs, { finalOnly: opts.finalOnly });
      return windows.flatMap(courseActivityRows);
    }
    case 'crash-alerts': {
      const windows = await reader.windows(opts.fromMs, opts.toMs, { finalOnly: opts.finalOnly });
      return windows.flatMap((w) => crashAlertRows(w, ctx.crashAlertThreshold, opts.all));
    }
    case 'late':
      return (await reader.late(opts.fromMs, opts.toMs)).flatMap(lateRows);
    case 'rejects':
      return (await reader.rejects(opts.fromMs, opts.toMs)).map(rejectRow);
  }
}

function courseActivityRows(w: WindowResult): CourseRow[] {
  return courseRows(w.aggregates)
    .map((r): CourseRow => ({
      query: 'course-activity',
      windowStart: w.windowStart,
      windowEnd: w.windowEnd,
      group: r.course,
      final: w.final,
      events: r.events,
      total_loc: r.total_loc,
      avg_cpu: r.avg_cpu,
      max_cpu: r.max_cpu,
    }))
    .sort((a, b) => a.group.localeCompare(b.group));
}

function crashAlertRows(w: WindowResult, threshold: number, all: boolean): CrashRow[] {
  return crashRows(w.aggregates, threshold, all)
    .map((r): CrashRow => ({
      query: 'crash-alerts',
      windowStart: w.windowStart,
      windowEnd: w.windowEnd,
      group: r.user_id,
      final: w.final,
      crash_count: r.crash_count,
    }))
    .sort((a, b) => b.crash_count - a.crash_count || a.group.localeCompare(b.group));
}

/** One row per (query, group) a late partial contributes to. */
function lateRows(p: LatePartial): LateRow[] {
  const base = {
    query: 'late' as const,
    windowStart: p.windowStart,
    windowEnd: p.windowEnd,
    final: false as const,
    shardId: p.shardId,
    firstSequenceNumber: p.firstSequenceNumber,
    writtenAt: p.writtenAt,
  };
  const courses = courseRows(p.aggregates).map((r): LateRow => ({
    ...base,
    forQuery: 'course-activity',
    group: r.course,
    values: {
      events: r.events,
      total_loc: r.total_loc,
      avg_cpu: r.avg_cpu,
      max_cpu: r.max_cpu,
    },
  }));
  // Every late crash counts (the alert threshold is about windows, not late contributions).
  const crashes = crashRows(p.aggregates, 0, true).map((r): LateRow => ({
    ...base,
    forQuery: 'crash-alerts',
    group: r.user_id,
    values: { crash_count: r.crash_count },
  }));
  return [...courses, ...crashes];
}

function rejectRow(r: RejectItem): RejectRow {
  return {
    query: 'rejects',
    arrivedAt: r.arrivalMs,
    reason: r.reason,
    detail: r.detail ?? '',
    shardId: r.shardId,
    sequenceNumber: r.sequenceNumber,
    partitionKey: r.partitionKey ?? '',
    raw: r.raw ?? '',
    truncated: r.truncated === true,
  };
}
