/**
 * Mergeable partial aggregates of both queries for one window (count, sums,
 * min, max; averages are derived on read). Merging is associative and
 * commutative, so partials from any batches, lanes and shards combine in any
 * order into the same final.
 */
import type { ValidEvent } from './event';
import type { CourseAggregate, WindowAggregates } from '../store/table-layout';
import { isCrashAlertEvent } from './queries';

export function emptyAggregates(): WindowAggregates {
  return { courses: {}, crashes: {} };
}

/** Adds one valid event to `agg` in place (hot path: no allocation per event beyond new groups). */
export function addEvent(agg: WindowAggregates, e: ValidEvent): void {
  const c = agg.courses[e.course];
  if (c === undefined) {
    agg.courses[e.course] = {
      events: 1,
      totalLoc: e.lines_of_code,
      cpuSum: e.cpu_usage_pct,
      cpuMin: e.cpu_usage_pct,
      cpuMax: e.cpu_usage_pct,
    };
  } else {
    c.events += 1;
    c.totalLoc += e.lines_of_code;
    c.cpuSum += e.cpu_usage_pct;
    if (e.cpu_usage_pct < c.cpuMin) c.cpuMin = e.cpu_usage_pct;
    if (e.cpu_usage_pct > c.cpuMax) c.cpuMax = e.cpu_usage_pct;
  }
  if (isCrashAlertEvent(e)) agg.crashes[e.user_id] = (agg.crashes[e.user_id] ?? 0) + 1;
}

function mergeCourse(a: CourseAggregate, b: CourseAggregate): CourseAggregate {
  return {
    events: a.events + b.events,
    totalLoc: a.totalLoc + b.totalLoc,
    cpuSum: a.cpuSum + b.cpuSum,
    cpuMin: Math.min(a.cpuMin, b.cpuMin),
    cpuMax: Math.max(a.cpuMax, b.cpuMax),
  };
}

/** a ⊕ b, new object; inputs untouched. */
export function mergeAggregates(a: WindowAggregates, b: WindowAggregates): WindowAggregates {
  const courses: Record<string, CourseAggregate> = {};
  for (const [k, v] of Object.entries(a.courses)) courses[k] = { ...v };
  for (const [k, v] of Object.entries(b.courses)) {
    const have = courses[k];
    courses[k] = have ? mergeCourse(have, v) : { ...v };
  }
  const crashes: Record<string, number> = { ...a.crashes };
  for (const [k, v] of Object.entries(b.crashes)) crashes[k] = (crashes[k] ?? 0) + v;
  return { courses, crashes };
}

export function mergeAll(items: readonly WindowAggregates[]): WindowAggregates {
  return items.reduce<WindowAggregates>((acc, x) => mergeAggregates(acc, x), emptyAggregates());
}

/** Valid records represented by an aggregate (every valid event counts in course-activity). */
export function recordCount(agg: WindowAggregates): number {
  let n = 0;
  for (const c of Object.values(agg.courses)) n += c.events;
  return n;
}

export interface CourseRow {
  course: string;
  events: number;
  total_loc: number;
  avg_cpu: number;
  max_cpu: number;
}

export interface CrashRow {
  user_id: string;
  crash_count: number;
}

/** course-activity rows, sorted by course. */
export function courseRows(agg: WindowAggregates): CourseRow[] {
  return Object.entries(agg.courses)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([course, c]) => ({
      course,
      events: c.events,
      total_loc: c.totalLoc,
      avg_cpu: c.events === 0 ? 0 : c.cpuSum / c.events,
      max_cpu: c.cpuMax,
    }));
}

/**
 * crash-alerts rows: groups with crash_count > threshold (every group with
 * `all`), most crashes first. Results keep every group; the rule is applied here.
 */
export function crashRows(agg: WindowAggregates, threshold: number, all = false): CrashRow[] {
  return Object.entries(agg.crashes)
    .filter(([, n]) => all || n > threshold)
    .sort(([ua, a], [ub, b]) => b - a || (ua < ub ? -1 : ua > ub ? 1 : 0))
    .map(([user_id, crash_count]) => ({ user_id, crash_count }));
}
