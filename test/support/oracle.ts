/**
 * The test oracle: an offline recomputation of what the pipeline must
 * produce from the records that were in the stream, written independently
 * of functions/core (its own parsing, validation and aggregation), and a
 * reader of what the pipeline actually stored (finals + late partials).
 * Comparing the two is the correctness check of every fault test and of the
 * end-to-end test.
 */
import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

export interface GroupTotals {
  events: number;
  totalLoc: number;
  cpuSum: number;
  cpuMin: number;
  cpuMax: number;
}

export interface WindowTotals {
  courses: Map<string, GroupTotals>;
  crashes: Map<string, number>;
}

export interface Expected {
  windows: Map<number, WindowTotals>;
  valid: number;
  /** indexes (into the input) of records that must be rejected */
  rejected: number[];
}

export interface OracleOptions {
  windowSizeMs: number;
  /** records stamped later than this (epoch ms) are rejected as future */
  futureLimitMs: number;
}

const REQUIRED_STRINGS = [
  'event_id',
  'user_id',
  'student_name',
  'course',
  'activity',
  'content',
  'severity',
];

/** Name fields hold 1-512 UTF-16 code units (the documented schema limit). */
const MAX_NAME_UNITS = 512;

/** Well-formed Unicode: encodeURIComponent refuses a lone surrogate. */
function isText(s: string): boolean {
  try {
    encodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
}

/** Event time in ms if the record is valid by the DESIGN rules, else undefined. */
function validEventTime(o: Record<string, unknown>, futureLimitMs: number): number | undefined {
  for (const f of REQUIRED_STRINGS) if (typeof o[f] !== 'string') return undefined;
  for (const f of ['event_id', 'user_id', 'student_name', 'course', 'activity']) {
    const s = o[f] as string;
    if (s.length === 0 || s.length > MAX_NAME_UNITS) return undefined;
  }
  for (const f of REQUIRED_STRINGS) if (!isText(o[f] as string)) return undefined;
  if (!['Low', 'Medium', 'High', 'Critical'].includes(o.severity as string)) return undefined;
  const loc = o.lines_of_code;
  if (typeof loc !== 'number' || Math.floor(loc) !== loc || loc < 0) return undefined;
  const cpu = o.cpu_usage_pct;
  if (typeof cpu !== 'number' || Number.isNaN(cpu) || cpu < 0 || cpu > 100) return undefined;
  let t: number;
  if (typeof o.timestamp === 'number') t = o.timestamp > 1e11 ? o.timestamp : o.timestamp * 1000;
  else if (typeof o.timestamp === 'string' && /^\d{4}-\d\d-\d\d[T ]/.test(o.timestamp)) {
    // the documented rule (event-schema.ts): an ISO-8601 time without an offset is UTC
    const zoned = /(Z|[+-]\d\d:?\d\d)$/.test(o.timestamp) ? o.timestamp : `${o.timestamp}Z`;
    t = new Date(zoned).getTime();
  } else return undefined;
  if (!Number.isFinite(t) || t > futureLimitMs) return undefined;
  return t;
}

export function recompute(records: ReadonlyArray<{ data: string }>, opts: OracleOptions): Expected {
  const windows = new Map<number, WindowTotals>();
  const rejected: number[] = [];
  let valid = 0;
  records.forEach((r, i) => {
    let o: unknown;
    try {
      o = JSON.parse(r.data);
    } catch {
      rejected.push(i);
      return;
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      rejected.push(i);
      return;
    }
    const e = o as Record<string, unknown>;
    const t = validEventTime(e, opts.futureLimitMs);
    if (t === undefined) {
      rejected.push(i);
      return;
    }
    valid += 1;
    const start = t - (((t % opts.windowSizeMs) + opts.windowSizeMs) % opts.windowSizeMs);
    let w = windows.get(start);
    if (!w) {
      w = { courses: new Map(), crashes: new Map() };
      windows.set(start, w);
    }
    const course = e.course as string;
    const cpu = e.cpu_usage_pct as number;
    const g = w.courses.get(course) ?? {
      events: 0,
      totalLoc: 0,
      cpuSum: 0,
      cpuMin: Infinity,
      cpuMax: -Infinity,
    };
    g.events += 1;
    g.totalLoc += e.lines_of_code as number;
    g.cpuSum += cpu;
    g.cpuMin = Math.min(g.cpuMin, cpu);
    g.cpuMax = Math.max(g.cpuMax, cpu);
    w.courses.set(course, g);
    const sev = e.severity as string;
    if (
      (sev === 'High' || sev === 'Critical') &&
      (e.content as string).toLowerCase().includes('crash')
    ) {
      const user = e.user_id as string;
      w.crashes.set(user, (w.crashes.get(user) ?? 0) + 1);
    }
  });
  return { windows, valid, rejected };
}

export interface Actual {
  /** finals + late partials, per window */
  windows: Map<number, WindowTotals>;
  finalRecords: number;
  lateRecords: number;
  /** partial items of windows not closed yet (should be none after draining) */
  openPartials: number;
  /** partials in the LATE index that their final nevertheless includes (must be 0) */
  lateIndexWrong: number;
  rejects: Array<Record<string, unknown>>;
}

async function scanAll(db: DynamoDBClient, table: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let key: Record<string, AttributeValue> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: key, ConsistentRead: true }),
    );
    for (const item of page.Items ?? []) out.push(unmarshall(item));
    key = page.LastEvaluatedKey;
  } while (key);
  return out;
}

/** Groups as table-layout.ts stores them: lists of entries, the group name a value, never a key. */
interface StoredAgg {
  courses: Array<GroupTotals & { course: string }>;
  crashes: Array<{ user_id: string; crash_count: number }>;
}

function addStored(w: WindowTotals, a: StoredAgg): void {
  for (const g of a.courses ?? []) {
    const have = w.courses.get(g.course) ?? {
      events: 0,
      totalLoc: 0,
      cpuSum: 0,
      cpuMin: Infinity,
      cpuMax: -Infinity,
    };
    w.courses.set(g.course, {
      events: have.events + g.events,
      totalLoc: have.totalLoc + g.totalLoc,
      cpuSum: have.cpuSum + g.cpuSum,
      cpuMin: Math.min(have.cpuMin, g.cpuMin),
      cpuMax: Math.max(have.cpuMax, g.cpuMax),
    });
  }
  for (const g of a.crashes ?? [])
    w.crashes.set(g.user_id, (w.crashes.get(g.user_id) ?? 0) + g.crash_count);
}

/**
 * What the pipeline stored: every final, plus every partial its window's
 * finals do not count (late: its bucket final does not name it, or the
 * window's final does not name its bucket), read by a full scan — independent of the
 * query tool. `closedThrough` tells which partials without a final are late
 * (closed, empty at close) and which belong to still-open windows.
 */
export async function readActual(db: DynamoDBClient, prefix: string): Promise<Actual> {
  const items = await scanAll(db, `${prefix}-windows`);
  const control = await scanAll(db, `${prefix}-control`);
  const closedThrough = control.find((c) => c.pk === 'WM' && c.sk === 'GLOBAL')?.closedThrough as
    number | undefined;
  const finals = new Map<number, { included: Set<string> } & StoredAgg & { records: number }>();
  // Two levels: a final names bucket finals (by partition key), a bucket final names partials.
  const bucketFinals = new Map<string, Set<string>>();
  for (const it of items) {
    if (it.sk === 'BF') bucketFinals.set(it.pk as string, new Set(it.included as string[]));
    if (it.sk === 'F') {
      finals.set(it.windowStart as number, {
        included: new Set(it.included as string[]),
        courses: it.courses as StoredAgg['courses'],
        crashes: it.crashes as StoredAgg['crashes'],
        records: it.records as number,
      });
    }
  }
  const windows = new Map<number, WindowTotals>();
  const windowOf = (start: number): WindowTotals => {
    let w = windows.get(start);
    if (!w) {
      w = { courses: new Map(), crashes: new Map() };
      windows.set(start, w);
    }
    return w;
  };
  let finalRecords = 0;
  let lateRecords = 0;
  let openPartials = 0;
  let lateIndexWrong = 0;
  for (const [start, f] of finals) {
    addStored(windowOf(start), f);
    finalRecords += f.records;
  }
  for (const it of items) {
    if (typeof it.sk !== 'string' || !it.sk.startsWith('P#')) continue;
    const start = it.windowStart as number;
    const final = finals.get(start);
    if (final?.included.has(it.pk as string) && bucketFinals.get(it.pk as string)?.has(it.sk)) {
      if (it.gsiPk === 'LATE') lateIndexWrong += 1;
      continue;
    }
    const closed =
      final !== undefined ||
      (closedThrough !== undefined && (it.windowEnd as number) <= closedThrough);
    if (!closed) {
      openPartials += 1;
      continue;
    }
    addStored(windowOf(start), it as unknown as StoredAgg);
    lateRecords += it.records as number;
  }
  const rejects = await scanAll(db, `${prefix}-rejects`);
  return { windows, finalRecords, lateRecords, openPartials, lateIndexWrong, rejects };
}

/** Differences between expected and actual, as readable lines; empty when equal. */
export function compare(expected: Expected, actual: Actual): string[] {
  const problems: string[] = [];
  const starts = new Set([...expected.windows.keys(), ...actual.windows.keys()]);
  const iso = (s: number) => new Date(s).toISOString();
  for (const s of [...starts].sort((a, b) => a - b)) {
    const e = expected.windows.get(s);
    const a = actual.windows.get(s);
    if (!e || !a) {
      problems.push(`window ${iso(s)}: ${e ? 'missing from the results' : 'not expected'}`);
      continue;
    }
    for (const course of new Set([...e.courses.keys(), ...a.courses.keys()])) {
      const ge = e.courses.get(course);
      const ga = a.courses.get(course);
      if (!ge || !ga) {
        problems.push(`window ${iso(s)} course ${course}: ${ge ? 'missing' : 'unexpected'}`);
        continue;
      }
      if (ge.events !== ga.events)
        problems.push(
          `window ${iso(s)} course ${course}: events ${ga.events}, expected ${ge.events}`,
        );
      if (ge.totalLoc !== ga.totalLoc)
        problems.push(
          `window ${iso(s)} course ${course}: total_loc ${ga.totalLoc}, expected ${ge.totalLoc}`,
        );
      if (Math.abs(ge.cpuSum - ga.cpuSum) > 1e-6 * Math.max(1, ge.cpuSum))
        problems.push(
          `window ${iso(s)} course ${course}: cpu sum ${ga.cpuSum}, expected ${ge.cpuSum}`,
        );
      if (ge.cpuMax !== ga.cpuMax || ge.cpuMin !== ga.cpuMin)
        problems.push(`window ${iso(s)} course ${course}: cpu min/max differ`);
    }
    for (const user of new Set([...e.crashes.keys(), ...a.crashes.keys()])) {
      if ((e.crashes.get(user) ?? 0) !== (a.crashes.get(user) ?? 0)) {
        problems.push(
          `window ${iso(s)} user ${user}: crash_count ${a.crashes.get(user) ?? 0}, expected ${e.crashes.get(user) ?? 0}`,
        );
      }
    }
  }
  const total = actual.finalRecords + actual.lateRecords;
  if (total !== expected.valid)
    problems.push(`finals + late hold ${total} records, expected ${expected.valid}`);
  if (actual.openPartials > 0)
    problems.push(`${actual.openPartials} partial items still in open windows`);
  if (actual.lateIndexWrong > 0)
    problems.push(
      `${actual.lateIndexWrong} partials indexed as late although a final includes them`,
    );
  return problems;
}
