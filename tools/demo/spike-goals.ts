/**
 * Issue 14's goals for the demo's spike, measured from the run's 5 s samples
 * (metrics.json) and the demo's own state samples (pure):
 *
 *  - throttled put attempts per accepted record ≤ 0.25;
 *  - no stalled sample after the first scaling reaction: every sample
 *    processes at least the lesser of what was waiting at its start (all
 *    that had arrived up to the previous sample and was not yet processed)
 *    and what the current shards can serve (docs/demo.md, "Stalled");
 *  - peak iterator age ≤ 10 s;
 *  - enough capacity (shards × per-shard limit ≥ the spike's demand)
 *    ≤ 15 s after the spike starts;
 *  - back to the minimum ≤ 2 min after it ends;
 *  - no more shards than the measured demand needs at the target
 *    utilisation (UpdateShardCount's ×2 steps from the minimum allowing).
 */
import type { RunSample } from '../cost/run-usage';
import type { StateSample } from './pipeline-observer';

/** Where the demo writes these figures in its report directory (read by `npm run bench -- scaling`). */
export const SPIKE_GOALS_FILE = 'spike-goals.json';

export interface SpikeGoalInput {
  samples: RunSample[];
  periodSeconds: number;
  states: StateSample[];
  spikeStartMs: number;
  spikeEndMs: number;
  /** records/s the producers offered during the spike (the profile's) */
  spikeDemand: number;
  shardRecordsPerSecond: number;
  targetUtilisation: number;
  minShards: number;
  minParallelization: number;
  accepted: number;
  throttled: number;
}

export interface SpikeGoals {
  throttledPerAccepted: number;
  /** seconds from spike start to the first shard or PF increase */
  reactionS?: number;
  enoughCapacityS?: number;
  backToMinimumS?: number;
  peakIteratorAgeS: number;
  stalledSamples: number;
  samplesChecked: number;
  peakShards: number;
  shardsNeeded: number;
}

const tOf = (s: RunSample) => (typeof s.t === 'number' ? s.t : Date.parse(s.t));

/** The fewest shards ≥ `n` that ×2 steps from the minimum reach (UpdateShardCount's uniform steps). */
function reachable(n: number, min: number): number {
  let s = min;
  while (s < n) s *= 2;
  return s;
}

/** One 5 s sample as the stall check sees it. */
export interface StallRow {
  t: number;
  shards: number;
  parallelization: number;
  arrived: number;
  processed: number;
  /** arrived up to the previous sample and not processed by then */
  waitingAtStart: number;
  /** min(waiting at start, what the shards can serve in the sample) */
  owed: number;
  iteratorAgeMs: number;
  stalled: boolean;
}

/**
 * Every sample with what it owed and whether it paid: a record that arrives
 * during a sample may be processed in the next (the producers' counts are
 * published every 2 s, the consumers batch), but whatever was waiting when a
 * sample began must be processed by its end, unless the shards' capacity
 * bounds it. A consumer that falls behind by more than a sample, or stops,
 * shows as stalled; one that trails arrivals by a batch does not.
 */
export function stallRows(
  samples: readonly RunSample[],
  periodSeconds: number,
  shardRecordsPerSecond: number,
): StallRow[] {
  let arrivedBefore = 0;
  let processedBefore = 0;
  return [...samples]
    .sort((a, b) => tOf(a) - tOf(b))
    .map((s) => {
      const waitingAtStart = Math.max(0, arrivedBefore - processedBefore);
      const owed = Math.min(waitingAtStart, s.shards * shardRecordsPerSecond * periodSeconds);
      const processed = s.recordsProcessed ?? 0;
      arrivedBefore += s.incomingRecords;
      processedBefore += processed;
      return {
        t: tOf(s),
        shards: s.shards,
        parallelization: s.parallelization ?? 1,
        arrived: s.incomingRecords,
        processed,
        waitingAtStart,
        owed,
        iteratorAgeMs: s.iteratorAgeMs ?? 0,
        stalled: processed < owed,
      };
    });
}

function stalled(i: SpikeGoalInput, from: number): { stalled: number; checked: number } {
  const rows = stallRows(i.samples, i.periodSeconds, i.shardRecordsPerSecond).filter(
    (r) => r.t >= from && (r.owed > 0 || r.arrived > 0),
  );
  return { stalled: rows.filter((r) => r.stalled).length, checked: rows.length };
}

/** The samples from `from` on as a table: what each owed and processed (the report's proof). */
export function stallTable(rows: readonly StallRow[], t0: number): string[] {
  const n = (v: number) => Math.round(v).toLocaleString('en-US').padStart(7);
  return [
    '    time | shards×PF | arrived | processed | waiting at start | owed    | iterator age | stalled',
    ...rows.map(
      (r) =>
        `${`${r.t < t0 ? '−' : '+'}${(Math.abs(r.t - t0) / 1000).toFixed(0)} s`.padStart(8)} | ${`${r.shards}×${r.parallelization}`.padEnd(9)} | ${n(r.arrived)} | ${n(r.processed).padStart(9)} | ${n(r.waitingAtStart).padStart(16)} | ${n(r.owed)} | ${`${(r.iteratorAgeMs / 1000).toFixed(1)} s`.padStart(12)} | ${r.stalled ? 'STALLED' : 'no'}`,
    ),
  ];
}

export function spikeGoals(i: SpikeGoalInput): SpikeGoals {
  const states = [...i.states].sort((a, b) => a.t - b.t);
  const atStart = states.filter((s) => s.t <= i.spikeStartMs).at(-1);
  const base = { shards: atStart?.shards ?? i.minShards, pf: atStart?.parallelization ?? 1 };
  const reaction = states.find(
    (s) =>
      s.t > i.spikeStartMs && ((s.shards ?? 0) > base.shards || (s.parallelization ?? 0) > base.pf),
  );
  const enough = states.find(
    (s) => s.t >= i.spikeStartMs && (s.shards ?? 0) * i.shardRecordsPerSecond >= i.spikeDemand,
  );
  const backToMin = states.find(
    (s, k) =>
      s.t >= i.spikeEndMs &&
      states
        .slice(k)
        .every(
          (x) => (x.shards ?? 0) <= i.minShards && (x.parallelization ?? 0) <= i.minParallelization,
        ),
  );
  const s = reaction ? stalled(i, reaction.t) : { stalled: 0, checked: 0 };
  const sec = (t: number | undefined, from: number) =>
    t === undefined ? undefined : Math.max(0, (t - from) / 1000);
  return {
    throttledPerAccepted: i.accepted > 0 ? i.throttled / i.accepted : 0,
    reactionS: sec(reaction?.t, i.spikeStartMs),
    enoughCapacityS: sec(enough?.t, i.spikeStartMs),
    backToMinimumS: sec(backToMin?.t, i.spikeEndMs),
    peakIteratorAgeS: Math.max(0, ...i.samples.map((x) => (x.iteratorAgeMs ?? 0) / 1000)),
    stalledSamples: s.stalled,
    samplesChecked: s.checked,
    peakShards: Math.max(0, ...states.map((x) => x.shards ?? 0), ...i.samples.map((x) => x.shards)),
    shardsNeeded: reachable(
      Math.ceil(i.spikeDemand / (i.shardRecordsPerSecond * i.targetUtilisation)),
      i.minShards,
    ),
  };
}

const fmtS = (v: number | undefined) => (v === undefined ? 'never' : `${v.toFixed(1)} s`);
const mark = (ok: boolean) => (ok ? 'met' : 'NOT met');

/** The report's lines: each figure against its goal. */
export function spikeGoalLines(g: SpikeGoals): string[] {
  return [
    `throttled put attempts per accepted record  ${g.throttledPerAccepted.toFixed(3)}   (goal ≤ 0.25: ${mark(g.throttledPerAccepted <= 0.25)})`,
    `first scaling reaction                      ${fmtS(g.reactionS)} after the spike started`,
    `stalled 5 s samples after it                ${g.stalledSamples} of ${g.samplesChecked}   (goal 0: ${mark(g.stalledSamples === 0)}; stalled = processed < min(waiting at the sample's start, shards × limit))`,
    `peak iterator age                           ${g.peakIteratorAgeS.toFixed(1)} s   (goal ≤ 10 s: ${mark(g.peakIteratorAgeS <= 10)})`,
    `enough capacity                             ${fmtS(g.enoughCapacityS)} after the spike started   (goal ≤ 15 s: ${mark((g.enoughCapacityS ?? Infinity) <= 15)})`,
    `back to the minimum                         ${fmtS(g.backToMinimumS)} after the spike ended   (goal ≤ 120 s: ${mark((g.backToMinimumS ?? Infinity) <= 120)})`,
    `peak shards                                 ${g.peakShards}, demand needs ${g.shardsNeeded} at the target utilisation   (goal: no more: ${mark(g.peakShards <= g.shardsNeeded)})`,
  ];
}
