/**
 * Mergeable partial aggregates of both queries for one window (count, sums,
 * min, max; averages are derived on read). Merging is associative and
 * commutative, so partials from any batches, lanes and shards combine in any
 * order into the same final.
 *
 * Groups are keyed by user data (course, user_id), so they live in real
 * Maps: a name such as `__proto__`, `constructor` or `toString` is a group
 * like any other, never a property of the language's objects. Items store
 * them as lists of entries (table-layout.ts); `toStoredGroups` and
 * `aggregatesOf` convert.
 */
import type { ValidEvent } from './event';
import type { StoredCourseGroup, StoredCrashGroup, StoredGroups } from './table-layout';
import { isCrashAlertEvent } from './queries';

/** Mergeable partial of course-activity for one course. */
export interface CourseAggregate {
  events: number;
  totalLoc: number;
  cpuSum: number;
  cpuMin: number;
  cpuMax: number;
}

/** Partials of both queries for one window: group -> aggregate. */
export interface WindowAggregates {
  /** course-activity: course -> aggregate */
  courses: Map<string, CourseAggregate>;
  /** crash-alerts: user_id -> crash_count (every group; the > threshold rule is applied on read) */
  crashes: Map<string, number>;
}

export function emptyAggregates(): WindowAggregates {
  return { courses: new Map(), crashes: new Map() };
}

/** Adds one valid event to `agg` in place (hot path: no allocation per event beyond new groups). */
export function addEvent(agg: WindowAggregates, e: ValidEvent): void {
  const c = agg.courses.get(e.course);
  if (c === undefined) {
    agg.courses.set(e.course, {
      events: 1,
      totalLoc: e.lines_of_code,
      cpuSum: e.cpu_usage_pct,
      cpuMin: e.cpu_usage_pct,
      cpuMax: e.cpu_usage_pct,
    });
  } else {
    c.events += 1;
    c.totalLoc += e.lines_of_code;
    c.cpuSum += e.cpu_usage_pct;
    if (e.cpu_usage_pct < c.cpuMin) c.cpuMin = e.cpu_usage_pct;
    if (e.cpu_usage_pct > c.cpuMax) c.cpuMax = e.cpu_usage_pct;
  }
  if (isCrashAlertEvent(e)) agg.crashes.set(e.user_id, (agg.crashes.get(e.user_id) ?? 0) + 1);
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
  const courses = new Map<string, CourseAggregate>();
  for (const [k, v] of a.courses) courses.set(k, { ...v });
  for (const [k, v] of b.courses) {
    const have = courses.get(k);
    courses.set(k, have ? mergeCourse(have, v) : { ...v });
  }
  const crashes = new Map(a.crashes);
  for (const [k, v] of b.crashes) crashes.set(k, (crashes.get(k) ?? 0) + v);
  return { courses, crashes };
}

export function mergeAll(items: readonly WindowAggregates[]): WindowAggregates {
  return items.reduce<WindowAggregates>((acc, x) => mergeAggregates(acc, x), emptyAggregates());
}

/** Valid records represented by an aggregate (every valid event counts in course-activity). */
export function recordCount(agg: WindowAggregates): number {
  let n = 0;
  for (const c of agg.courses.values()) n += c.events;
  return n;
}

/** Code-unit order: the same on every machine and locale. */
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The stored form: entries sorted by name, so a batch always yields the same item. */
export function toStoredGroups(agg: WindowAggregates): StoredGroups {
  return {
    courses: [...agg.courses]
      .sort(([a], [b]) => byName(a, b))
      .map(([course, c]): StoredCourseGroup => ({ course, ...c })),
    crashes: [...agg.crashes]
      .sort(([a], [b]) => byName(a, b))
      .map(([user_id, crash_count]): StoredCrashGroup => ({ user_id, crash_count })),
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Entries of a stored group list; items written before lists (a map per group) read too. */
function entriesOf(stored: unknown, nameAttr: string): Array<[string, unknown]> {
  if (Array.isArray(stored)) {
    return stored
      .filter(isRecord)
      .filter((e) => typeof e[nameAttr] === 'string')
      .map((e) => [e[nameAttr] as string, e]);
  }
  return isRecord(stored) ? Object.entries(stored) : [];
}

/** The aggregates of a stored item (partial or final); missing groups read as empty. */
export function aggregatesOf(item: Partial<Record<keyof StoredGroups, unknown>>): WindowAggregates {
  const agg = emptyAggregates();
  for (const [course, v] of entriesOf(item.courses, 'course')) {
    const c = v as Partial<CourseAggregate>;
    const have = agg.courses.get(course);
    const next: CourseAggregate = {
      events: Number(c.events ?? 0),
      totalLoc: Number(c.totalLoc ?? 0),
      cpuSum: Number(c.cpuSum ?? 0),
      cpuMin: Number(c.cpuMin ?? Infinity),
      cpuMax: Number(c.cpuMax ?? -Infinity),
    };
    agg.courses.set(course, have ? mergeCourse(have, next) : next);
  }
  for (const [user, v] of entriesOf(item.crashes, 'user_id')) {
    const n = isRecord(v) ? Number(v.crash_count ?? 0) : Number(v);
    agg.crashes.set(user, (agg.crashes.get(user) ?? 0) + n);
  }
  return agg;
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
  return [...agg.courses]
    .sort(([a], [b]) => byName(a, b))
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
  return [...agg.crashes]
    .filter(([, n]) => all || n > threshold)
    .sort(([ua, a], [ub, b]) => b - a || byName(ua, ub))
    .map(([user_id, crash_count]) => ({ user_id, crash_count }));
}
