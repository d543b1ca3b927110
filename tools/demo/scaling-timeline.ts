/**
 * The scaling timeline (pure): from the state samples the demo took, the
 * moments the shard count or the parallelization changed, and the scaler's
 * decisions (desired vs actual, and why).
 */
import type { StateSample } from './pipeline-observer';

export type TimelineEvent =
  | { t: number; kind: 'shards'; from: number; to: number }
  | { t: number; kind: 'parallelization'; from: number; to: number }
  | {
      t: number;
      kind: 'decision';
      desiredShards: number;
      actualShards: number;
      desiredParallelization: number;
      actualParallelization: number;
      reason: string;
    };

export function timelineEvents(states: StateSample[]): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  let shards: number | undefined;
  let pf: number | undefined;
  let decisionAt: number | undefined;
  let target: string | undefined;
  for (const s of [...states].sort((a, b) => a.t - b.t)) {
    if (s.shards !== undefined) {
      if (shards !== undefined && s.shards !== shards)
        events.push({ t: s.t, kind: 'shards', from: shards, to: s.shards });
      shards = s.shards;
    }
    if (s.parallelization !== undefined) {
      if (pf !== undefined && s.parallelization !== pf)
        events.push({ t: s.t, kind: 'parallelization', from: pf, to: s.parallelization });
      pf = s.parallelization;
    }
    const d = s.lastDecision;
    if (d && d.at !== decisionAt) {
      decisionAt = d.at;
      const changes =
        d.desiredShards !== d.actualShards || d.desiredParallelization !== d.actualParallelization;
      // A decision the scaler repeats while it waits (cooldown, resharding) is shown once.
      const key = `${d.desiredShards}/${d.desiredParallelization}`;
      if (changes && key !== target) events.push({ t: d.at, kind: 'decision', ...d });
      target = changes ? key : undefined;
    }
  }
  return events.sort((a, b) => a.t - b.t);
}

/** One line per event; `maxReason` shortens the scaler's reasons (the terminal), the report keeps them whole. */
export function describeTimeline(
  events: TimelineEvent[],
  t0: number,
  maxReason = Infinity,
): string[] {
  const short = (r: string) => (r.length <= maxReason ? r : `${r.slice(0, maxReason - 1)}…`);
  return events.map((e) => {
    const at = `+${((e.t - t0) / 1000).toFixed(1).padStart(5)} s`;
    switch (e.kind) {
      case 'shards':
        return `${at}  shards ${e.from} → ${e.to}`;
      case 'parallelization':
        return `${at}  parallelization ${e.from} → ${e.to}`;
      case 'decision':
        return `${at}  scaler: shards ${e.actualShards} → ${e.desiredShards}, parallelization ${e.actualParallelization} → ${e.desiredParallelization} (${short(e.reason)})`;
    }
  });
}
