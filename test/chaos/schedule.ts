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
  | 'poison';

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
  /** faults per run, besides a possible cloud kill */
  faults: { min: number; max: number };
  /** share of runs with a cloud kill */
  killShare: number;
}

const DURATION_MS: Record<Exclude<FaultKind, 'cloud-kill'>, [number, number]> = {
  'dynamodb-outage': [2_000, 8_000],
  'function-crash': [500, 2_000],
  'dynamodb-throttle': [1_000, 5_000],
  'throttling-storm': [2_000, 5_000],
  poison: [0, 0],
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
   * A cloud kill, this far into a first spike: the cloud is SIGKILLed,
   * restarted on the same port and the stack deployed again. Without
   * on-disk state the first spike's records die with it; the faults below
   * then strike the second spike, on the restarted cloud, whose results
   * are compared.
   */
  killAtMs?: number;
  /** within the compared spike, from its start */
  faults: Fault[];
}

export function chaosSchedule(o: ScheduleOptions): Schedule {
  const random = prng(o.seed);
  const between = (lo: number, hi: number) => Math.round(lo + random() * (hi - lo));
  const kinds = Object.keys(DURATION_MS) as Array<keyof typeof DURATION_MS>;
  const faults: Fault[] = [];
  const count = between(o.faults.min, o.faults.max);
  for (let i = 0; i < count; i++) {
    const kind = kinds[Math.floor(random() * kinds.length)]!;
    const [lo, hi] = DURATION_MS[kind];
    faults.push({ kind, atMs: between(0, o.planMs * 0.8), durationMs: between(lo, hi) });
  }
  faults.sort((a, b) => a.atMs - b.atMs);
  const killAtMs = random() < o.killShare ? between(o.planMs * 0.2, o.planMs * 0.8) : undefined;
  return killAtMs === undefined ? { faults } : { killAtMs, faults };
}

export function describeSchedule(s: Schedule): string {
  const kill = s.killAtMs === undefined ? [] : [`cloud-kill@${(s.killAtMs / 1000).toFixed(1)}s`];
  return [...kill, ...s.faults.map(describeFault)].join(' ') || 'none';
}

export const describeFault = (f: Fault): string =>
  `${f.kind}@${(f.atMs / 1000).toFixed(1)}s${f.durationMs > 0 ? `+${(f.durationMs / 1000).toFixed(1)}s` : ''}`;
