/**
 * The simulated traffic and its offline recomputation (pure). Each virtual
 * second, one pool of records from the producer's event generator (the mix
 * `npm run spike` sends: ~300-byte events, a few late and malformed ones);
 * every shard receives that pool under its own sequence numbers, so a
 * second's traffic costs one pool to generate while every shard's consumer
 * still decodes every record. The recomputation aggregates the pool on its
 * own (no functions/core code), once per second, times the shards.
 */
import { EventGenerator } from '../../producer/event-generator';

export interface WorkloadOptions {
  seed: number;
  recordsPerShardPerSecond: number;
  lateFraction: number;
  malformedFraction: number;
  allowedLatenessMs: number;
  windowSizeMs: number;
}

export interface SecondPool {
  startMs: number;
  data: Uint8Array[];
  arrivalMs: number[];
  bytes: number;
}

export interface CourseTotals {
  events: number;
  totalLoc: number;
  cpuSum: number;
  cpuMin: number;
  cpuMax: number;
}

export interface WindowTotals {
  records: number;
  courses: Map<string, CourseTotals>;
  crashes: Map<string, number>;
}

export class Workload {
  private readonly gen: EventGenerator;
  private readonly encoder = new TextEncoder();
  /** offline recomputation: window start → totals of ONE shard's records (every shard gets the same) */
  readonly perShard = new Map<number, WindowTotals>();
  malformedPerShard = 0;

  constructor(private readonly o: WorkloadOptions) {
    this.gen = new EventGenerator({
      seed: o.seed,
      lateFraction: o.lateFraction,
      malformedFraction: o.malformedFraction,
      outOfOrderS: 2,
      allowedLatenessMs: o.allowedLatenessMs,
      windowSizeMs: o.windowSizeMs,
    });
  }

  /** The records every shard receives in the second starting at `startMs`. */
  second(startMs: number): SecondPool {
    const n = this.o.recordsPerShardPerSecond;
    const pool: SecondPool = { startMs, data: [], arrivalMs: [], bytes: 0 };
    for (let i = 0; i < n; i++) {
      const arrival = startMs + Math.floor((i * 1000) / n);
      const r = this.gen.next(arrival);
      const data = this.encoder.encode(r.data);
      pool.data.push(data);
      pool.arrivalMs.push(arrival);
      pool.bytes += data.byteLength;
      if (r.kind === 'malformed') this.malformedPerShard += 1;
      else this.account(JSON.parse(r.data) as Record<string, unknown>);
    }
    return pool;
  }

  private account(e: Record<string, unknown>): void {
    const t = (e.timestamp as number) * 1000;
    const start = Math.floor(t / this.o.windowSizeMs) * this.o.windowSizeMs;
    let w = this.perShard.get(start);
    if (!w) this.perShard.set(start, (w = { records: 0, courses: new Map(), crashes: new Map() }));
    w.records += 1;
    const cpu = e.cpu_usage_pct as number;
    const course = e.course as string;
    const c = w.courses.get(course);
    if (!c)
      w.courses.set(course, {
        events: 1,
        totalLoc: e.lines_of_code as number,
        cpuSum: cpu,
        cpuMin: cpu,
        cpuMax: cpu,
      });
    else {
      c.events += 1;
      c.totalLoc += e.lines_of_code as number;
      c.cpuSum += cpu;
      c.cpuMin = Math.min(c.cpuMin, cpu);
      c.cpuMax = Math.max(c.cpuMax, cpu);
    }
    const severe = e.severity === 'High' || e.severity === 'Critical';
    if (severe && /crash/i.test(e.content as string)) {
      const user = e.user_id as string;
      w.crashes.set(user, (w.crashes.get(user) ?? 0) + 1);
    }
  }
}

/** Totals of every shard: one shard's times `shards` (sums compared within floating-point tolerance). */
export function scaled(w: WindowTotals, shards: number): WindowTotals {
  return {
    records: w.records * shards,
    courses: new Map(
      [...w.courses].map(([k, c]) => [
        k,
        {
          ...c,
          events: c.events * shards,
          totalLoc: c.totalLoc * shards,
          cpuSum: c.cpuSum * shards,
        },
      ]),
    ),
    crashes: new Map([...w.crashes].map(([k, n]) => [k, n * shards])),
  };
}
