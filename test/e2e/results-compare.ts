/**
 * Compares what the pipeline wrote with what an offline recomputation
 * expects, per window and group, for both queries. Counts, lines of code,
 * crash counts, min and max must be equal; the CPU sum is a float added in a
 * different order, so it is compared to 1e-6.
 */
import { mergeAggregates } from '../../functions/core/partials';
import type { WindowAggregates } from '../../functions/store/table-layout';
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
    byWindow.set(
      start,
      have ? mergeAggregates(have, agg) : mergeAggregates({ courses: {}, crashes: {} }, agg),
    );
  };
  for (const f of s.finals)
    add(Number(f.windowStart), { courses: f.courses ?? {}, crashes: f.crashes ?? {} });
  const late = latePartials(s);
  for (const p of late)
    add(Number(p.windowStart), { courses: p.courses ?? {}, crashes: p.crashes ?? {} });
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
    for (const course of Object.keys(w.courses).sort()) {
      const c = w.courses[course]!;
      lines.push(
        `${start} course ${course} events=${c.events} loc=${c.totalLoc} cpuSum=${c.cpuSum.toFixed(6)} cpuMin=${c.cpuMin} cpuMax=${c.cpuMax}`,
      );
    }
    for (const user of Object.keys(w.crashes).sort()) {
      if (w.crashes[user]! > 0) lines.push(`${start} crash ${user} count=${w.crashes[user]}`);
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
