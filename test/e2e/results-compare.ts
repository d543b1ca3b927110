/**
 * Compares what the pipeline wrote with what an offline recomputation
 * expects, per window and group, for both queries. Counts, lines of code,
 * crash counts, min and max must be equal; the CPU sum is a float added in a
 * different order, so it is compared to 1e-6.
 */
import {
  aggregatesOf,
  emptyAggregates,
  mergeAggregates,
  type WindowAggregates,
} from '../../functions/core/partials';
import type { TableSnapshot } from '../../tools/demo/pipeline-settle';
import { latePartials } from '../../tools/demo/pipeline-settle';

export type ByWindow = Map<number, WindowAggregates>;

/** Finals plus late partials, merged per window: what the pipeline accounts for. */
export function pipelineResults(s: TableSnapshot): {
  byWindow: ByWindow;
  lateRecords: number;
  finalRecords: number;
} {
  const byWindow: ByWindow = new Map();
  const add = (start: number, agg: WindowAggregates) => {
    const have = byWindow.get(start);
    byWindow.set(start, mergeAggregates(have ?? emptyAggregates(), agg));
  };
  for (const f of s.finals) add(Number(f.windowStart), aggregatesOf(f));
  const late = latePartials(s);
  for (const p of late) add(Number(p.windowStart), aggregatesOf(p));
  return {
    byWindow,
    lateRecords: late.reduce((a, p) => a + Number(p.records), 0),
    finalRecords: s.finals.reduce((a, f) => a + Number(f.records), 0),
  };
}

/** A canonical, sorted, printable form: equal forms mean equal results. */
export function canonical(m: ByWindow): string[] {
  const lines: string[] = [];
  for (const start of [...m.keys()].sort((a, b) => a - b)) {
    const w = m.get(start)!;
    for (const [course, c] of [...w.courses].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      lines.push(
        `${start} course ${course} events=${c.events} loc=${c.totalLoc} cpuSum=${c.cpuSum.toFixed(6)} cpuMin=${c.cpuMin} cpuMax=${c.cpuMax}`,
      );
    }
    for (const [user, n] of [...w.crashes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (n > 0) lines.push(`${start} crash ${user} count=${n}`);
    }
  }
  return lines;
}

/** Lines only in a, lines only in b (for a readable failure). */
export function diff(
  a: string[],
  b: string[],
): { onlyInPipeline: string[]; onlyExpected: string[] } {
  const sa = new Set(a);
  const sb = new Set(b);
  return {
    onlyInPipeline: a.filter((x) => !sb.has(x)).slice(0, 20),
    onlyExpected: b.filter((x) => !sa.has(x)).slice(0, 20),
  };
}
