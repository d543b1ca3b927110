/**
 * The simulation's exactness check (pure): finals + late, read from what the
 * model stored, against the offline recomputation, window by window. It
 * reads the item layout with its own code (no functions/core logic), so a
 * bug in the closer's accounting cannot hide in the check.
 */
import type { Item } from './dynamo-model';
import type { WindowTotals } from './workload';

export interface ExactnessReport {
  exact: boolean;
  windows: number;
  finals: number;
  /** valid records in finals */
  finalRecords: number;
  /** valid records in late partials */
  lateRecords: number;
  /** first few differences, for the printout */
  differences: string[];
}

const emptyTotals = (): WindowTotals => ({ records: 0, courses: new Map(), crashes: new Map() });

function add(into: WindowTotals, item: Item): void {
  into.records += Number(item.records ?? 0);
  for (const c of (item.courses as Array<Record<string, number | string>>) ?? []) {
    const name = c.course as string;
    const have = into.courses.get(name);
    const v = {
      events: c.events as number,
      totalLoc: c.totalLoc as number,
      cpuSum: c.cpuSum as number,
      cpuMin: c.cpuMin as number,
      cpuMax: c.cpuMax as number,
    };
    if (!have) into.courses.set(name, v);
    else {
      have.events += v.events;
      have.totalLoc += v.totalLoc;
      have.cpuSum += v.cpuSum;
      have.cpuMin = Math.min(have.cpuMin, v.cpuMin);
      have.cpuMax = Math.max(have.cpuMax, v.cpuMax);
    }
  }
  for (const c of (item.crashes as Array<Record<string, number | string>>) ?? []) {
    const user = c.user_id as string;
    into.crashes.set(user, (into.crashes.get(user) ?? 0) + (c.crash_count as number));
  }
}

const close = (a: number, b: number) =>
  Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

function compare(start: number, got: WindowTotals, want: WindowTotals, out: string[]): void {
  const at = new Date(start).toISOString();
  if (got.records !== want.records)
    out.push(`${at}: ${got.records} records, expected ${want.records}`);
  for (const [name, w] of want.courses) {
    const g = got.courses.get(name);
    const same =
      g &&
      g.events === w.events &&
      g.totalLoc === w.totalLoc &&
      close(g.cpuSum, w.cpuSum) &&
      g.cpuMin === w.cpuMin &&
      g.cpuMax === w.cpuMax;
    if (!same) out.push(`${at}: course ${name} differs`);
  }
  if (got.courses.size !== want.courses.size) out.push(`${at}: course groups differ`);
  for (const [user, n] of want.crashes)
    if (got.crashes.get(user) !== n) out.push(`${at}: crashes of ${user} differ`);
  if (got.crashes.size !== want.crashes.size) out.push(`${at}: crash groups differ`);
}

/**
 * A partial counts in its window's final when its bucket final (sort key BF
 * in the partial's partition) lists the partial's sort key and the window's
 * final (sort key F in partition W#<start>) lists the partial's partition
 * key; every other partial is late. Windows the simulation left open count
 * as a difference.
 */
export function checkExact(
  windowItems: readonly Item[],
  expected: ReadonlyMap<number, WindowTotals>,
): ExactnessReport {
  const finals = new Map<string, Set<string>>();
  const bucketFinals = new Map<string, Set<string>>();
  for (const i of windowItems) {
    if (i.sk === 'F') finals.set(String(i.windowStart), new Set(i.included as string[]));
    if (i.sk === 'BF') bucketFinals.set(String(i.pk), new Set(i.included as string[]));
  }
  const inFinals = new Map<number, WindowTotals>();
  const late = new Map<number, WindowTotals>();
  for (const i of windowItems) {
    if (!String(i.sk).startsWith('P#')) continue;
    const start = Number(i.windowStart);
    const counted =
      finals.get(String(start))?.has(String(i.pk)) === true &&
      bucketFinals.get(String(i.pk))?.has(String(i.sk)) === true;
    const into = counted ? inFinals : late;
    if (!into.has(start)) into.set(start, emptyTotals());
    add(into.get(start) as WindowTotals, i);
  }
  const differences: string[] = [];
  let finalRecords = 0;
  let lateRecords = 0;
  for (const [start, want] of expected) {
    const got = emptyTotals();
    const f = inFinals.get(start);
    const l = late.get(start);
    if (f) add(got, { records: f.records, courses: toList(f), crashes: crashList(f) });
    if (l) add(got, { records: l.records, courses: toList(l), crashes: crashList(l) });
    finalRecords += f?.records ?? 0;
    lateRecords += l?.records ?? 0;
    compare(start, got, want, differences);
  }
  for (const start of new Set([...inFinals.keys(), ...late.keys()]))
    if (!expected.has(start))
      differences.push(`${new Date(start).toISOString()}: unexpected records`);
  return {
    exact: differences.length === 0,
    windows: expected.size,
    finals: finals.size,
    finalRecords,
    lateRecords,
    differences: differences.slice(0, 10),
  };
}

const toList = (w: WindowTotals) => [...w.courses].map(([course, c]) => ({ course, ...c }));
const crashList = (w: WindowTotals) =>
  [...w.crashes].map(([user_id, crash_count]) => ({ user_id, crash_count }));
