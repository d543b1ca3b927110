/**
 * Phase planning of a spike (pure): baseline → spike → cooldown, with how
 * many producers run in each. Producers 0..N-1 run throughout; producers
 * N..N+M-1 only during the spike (the lab's "open more producer terminals").
 */
export type PhaseName = 'baseline' | 'spike' | 'cooldown';

export interface SpikeShape {
  producers: number;
  spikeProducers: number;
  baselineS: number;
  spikeS: number;
  cooldownS: number;
}

export interface Phase {
  name: PhaseName;
  startMs: number;
  endMs: number;
  producers: number;
}

export interface SpikePlan {
  phases: Phase[];
  totalMs: number;
  /** Producers that ever run (N + M). */
  maxProducers: number;
}

export function planSpike(s: SpikeShape): SpikePlan {
  const phases: Phase[] = [];
  let t = 0;
  const add = (name: PhaseName, seconds: number, producers: number) => {
    if (seconds <= 0) return;
    phases.push({ name, startMs: t, endMs: t + seconds * 1000, producers });
    t += seconds * 1000;
  };
  add('baseline', s.baselineS, s.producers);
  add('spike', s.spikeS, s.producers + s.spikeProducers);
  add('cooldown', s.cooldownS, s.producers);
  return { phases, totalMs: t, maxProducers: s.producers + (s.spikeS > 0 ? s.spikeProducers : 0) };
}

/** The phase at `elapsedMs` since the start; undefined once the plan is over. */
export function phaseAt(plan: SpikePlan, elapsedMs: number): Phase | undefined {
  return plan.phases.find((p) => elapsedMs >= p.startMs && elapsedMs < p.endMs);
}

/** Is producer `index` running at `elapsedMs`? */
export function producerActive(plan: SpikePlan, index: number, elapsedMs: number): boolean {
  const phase = phaseAt(plan, elapsedMs);
  return phase !== undefined && index < phase.producers;
}

/** Records the plan asks for at `ratePerProducer` records/s (before throttling). */
export function plannedRecords(plan: SpikePlan, ratePerProducer: number): number {
  return plan.phases.reduce(
    (sum, p) => sum + ((p.endMs - p.startMs) / 1000) * p.producers * ratePerProducer,
    0,
  );
}
