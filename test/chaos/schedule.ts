/**
 * A chaos run's fault schedule (pure): from a seed, which faults strike
 * when during the spike and for how long. The same seed gives the same
 * schedule, so a run that found a mismatch can be replayed
 * (`npm run chaos -- --seed S --runs 1`).
 */

export type FaultKind =
  /** the cloud process SIGKILLed, restarted on the same port, the stack deployed again */
  | 'cloud-kill'
  /** every DynamoDB call refused (connection reset or 500) for the duration */
  | 'dynamodb-outage'
  /** DynamoDB calls go through but some answers are lost: invocations fail mid-batch after part of their writes */
  | 'function-crash'
  /** DynamoDB answers ProvisionedThroughputExceededException for the duration */
  | 'dynamodb-throttle'
  /** extra producers flood the stream: Kinesis throttles everyone */
  | 'throttling-storm'
  /** adversarial names and malformed records put in one call */
  | 'poison'
  /** records already accepted put again, as a producer whose answer was lost re-sends them */
  | 'duplicates';

export interface Fault {
  kind: Exclude<FaultKind, 'cloud-kill'>;
  /** from the start of the spike */
  atMs: number;
  durationMs: number;
}

export interface ScheduleOptions {
  seed: number;
  /** the spike's length: faults start within it */
  planMs: number;
  /**
   * Faults per run besides the cloud kill: every kind once, then random
   * kinds up to a random total within these bounds (0: a control run).
   */
  faults: { min: number; max: number };
  /** share of runs with a cloud kill */
  killShare: number;
}

const DURATION_MS: Record<Exclude<FaultKind, 'cloud-kill'>, [number, number]> = {
  'dynamodb-outage': [2_000, 5_000],
  'function-crash': [500, 1_500],
  'dynamodb-throttle': [1_000, 3_000],
  'throttling-storm': [1_000, 3_000],
  poison: [0, 0],
  duplicates: [0, 0],
};

/** mulberry32: a small, well-mixed 32-bit PRNG; deterministic per seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface Schedule {
  /**
   * The cloud kill, this far into the spike: the cloud is SIGKILLed and
   * started again on the same port and data dir (its state on disk); the
   * spike goes on once it answers, and the whole run is compared.
   */
  killAtMs?: number;
  /** from the spike's start */
  faults: Fault[];
}

export const FAULT_KINDS = Object.keys(DURATION_MS) as Array<Fault['kind']>;

export function chaosSchedule(o: ScheduleOptions): Schedule {
  const random = prng(o.seed);
  const between = (lo: number, hi: number) => Math.round(lo + random() * (hi - lo));
  const count = between(o.faults.min, o.faults.max);
  // Every kind in every run (a run that misses one proves nothing about it), then random ones.
  const kinds = count === 0 ? [] : [...FAULT_KINDS];
  while (kinds.length > 0 && kinds.length < count)
    kinds.push(FAULT_KINDS[Math.floor(random() * FAULT_KINDS.length)]!);
  const faults: Fault[] = kinds.map((kind) => {
    const [lo, hi] = DURATION_MS[kind];
    return { kind, atMs: between(0, o.planMs * 0.8), durationMs: between(lo, hi) };
  });
  faults.sort((a, b) => a.atMs - b.atMs);
  const killAtMs = random() < o.killShare ? between(o.planMs * 0.2, o.planMs * 0.7) : undefined;
  return killAtMs === undefined ? { faults } : { killAtMs, faults };
}

export function describeSchedule(s: Schedule): string {
  const kill = s.killAtMs === undefined ? [] : [`cloud-kill@${(s.killAtMs / 1000).toFixed(1)}s`];
  return [...kill, ...s.faults.map(describeFault)].join(' ') || 'none';
}

export const describeFault = (f: Fault): string =>
  `${f.kind}@${(f.atMs / 1000).toFixed(1)}s${f.durationMs > 0 ? `+${(f.durationMs / 1000).toFixed(1)}s` : ''}`;
