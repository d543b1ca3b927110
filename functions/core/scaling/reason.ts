/**
 * The decision's reason, for the log and the dashboard: what was measured,
 * what it takes, what was done or why it waits — with the numbers.
 */
import type { Evaluation } from './evaluate';
import type { Realized } from './realize';
import type { Sizing } from './size';
import type { PolicyInput, ScalingPolicyConfig } from './types';

export const fmt = (v: number): string =>
  Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : String(Math.round(v * 10) / 10);

function demandText(input: PolicyInput, ev: Evaluation): string {
  const { signals } = input;
  const throttleText =
    signals.throttledRecordsPerSecond > 0
      ? `, throttled ${fmt(signals.throttledRecordsPerSecond)}` +
        (signals.producerRetriesPerSecond !== undefined
          ? ` − re-sent ${fmt(signals.producerRetriesPerSecond)}`
          : '')
      : '';
  return `demand ${fmt(ev.demandRecords)} rec/s (window ${fmt(ev.windowDemand.records)}, recent ${fmt(ev.recentDemand.records)}; accepted ${fmt(signals.incomingRecordsPerSecond)}${throttleText})`;
}

export function reasonText(
  input: PolicyInput,
  config: ScalingPolicyConfig,
  ev: Evaluation,
  sizing: Sizing,
  r: Realized,
): string {
  const { signals, current } = input;
  const u = config.targetUtilisation;
  const parts = [
    `${demandText(input, ev)}, ${fmt(ev.demandBytes / 1024)} KiB/s`,
    `ingest needs ${sizing.out.ingest} shard(s) at ${fmt(ev.shardCapacity)} rec/s × ${u}` +
      (ev.saturated
        ? ` (saturated: ${fmt(ev.throttledShare * 100)} % of puts throttled → ×2)`
        : ''),
    `iterator age ${fmt(signals.iteratorAgeMs / 1000)} s → backlog ${fmt(ev.backlogRecords)} rec drained in ${config.backlogDrainSeconds} s`,
    `lanes needed ${sizing.out.lanes} at ${fmt(ev.perLane)} rec/s/lane × ${u}`,
    `want ${r.desiredShards} shard(s) × PF ${r.desiredParallelization}, have ${current.openShards} × ${current.parallelization}`,
  ];
  const acted = r.actions.map((a) =>
    a.kind === 'UpdateShardCount'
      ? `shards ${a.from}→${a.to}${a.to !== r.desiredShards ? ' (step limit ×2/÷2)' : ''}`
      : `PF ${a.from}→${a.to}`,
  );
  const notes = r.notes.length > 0 ? `; ${r.notes.join('; ')}` : '';
  return `${acted.length > 0 ? acted.join(', ') : 'hold'}: ${parts.join('; ')}${notes}`;
}
