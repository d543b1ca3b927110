/**
 * `npm run bench -- scale [--json] [--shards N] [--seconds S]`: the scale
 * simulation (tools/scale-sim) at N shards × 1,000 records/s (default 1,000
 * shards: 1 M records/s) for S seconds of traffic, then at N/4 shards to find
 * the largest rate the design holds. Minutes of CPU: it runs only when named.
 */
import { resolveConfig } from '../../../functions/config';
import { AWS_PARTITION_LIMITS } from '../../../tools/scale-sim/dynamo-model';
import { maxRate, toJson, type ScaleJson } from '../../../tools/scale-sim/report';
import { simulate, type ScaleOptions } from '../../../tools/scale-sim/simulate';
import type { BenchFigure, BenchOptions } from '../run';

export const name = 'scale';
export const onlyWhenNamed = true;

const RECORDS_PER_SHARD = 1000;
/** The goals: 2× headroom on every AWS limit. */
export const GOALS = { wcu: 500, rcu: 1500, itemBytes: 200 * 1024, writeUnitsPer1000: 10 };

export function scaleOptions(shards: number, seconds: number): ScaleOptions {
  return {
    shards,
    recordsPerShardPerSecond: RECORDS_PER_SHARD,
    trafficSeconds: seconds,
    seed: 15,
    // Lateness shortened so windows close within a short run; per-key loads do not depend on it.
    config: resolveConfig({
      consumer: { batchSize: RECORDS_PER_SHARD },
      windowing: { allowedLatenessMs: 5_000, idleTimeoutMs: 10_000 },
    }),
    limits: AWS_PARTITION_LIMITS,
    requestLatencyMs: 5,
    consumerMsPerRecord: 0.004,
    lateFraction: 0.001,
    malformedFraction: 0.001,
  };
}

function figures(j: ScaleJson): BenchFigure[] {
  const f = (figure: string, value: number, unit: string, goal?: string, met?: boolean) =>
    goal === undefined ? { figure, value, unit } : { figure, value, unit, goal, met };
  return [
    f('records/s simulated', j.recordsPerSecond, `records/s (${j.shards} shards)`),
    f(
      'hottest key, writes',
      j.maxPartitionWcuPerSecond,
      `WCU/s (${j.hottestWriteKey})`,
      `≤ ${GOALS.wcu}`,
      j.maxPartitionWcuPerSecond <= GOALS.wcu,
    ),
    f(
      'hottest key, reads',
      j.maxPartitionRcuPerSecond,
      `RCU/s (${j.hottestReadKey})`,
      `≤ ${GOALS.rcu}`,
      j.maxPartitionRcuPerSecond <= GOALS.rcu,
    ),
    f(
      'largest item',
      j.maxItemBytes,
      `bytes (${j.largestItem})`,
      `≤ ${GOALS.itemBytes}`,
      j.maxItemBytes <= GOALS.itemBytes,
    ),
    f(
      'write cost, closer included',
      j.writeUnitsPer1000Records,
      'WCU per 1,000 records',
      `≤ ${GOALS.writeUnitsPer1000}`,
      j.writeUnitsPer1000Records <= GOALS.writeUnitsPer1000,
    ),
    f('read cost', j.readUnitsPer1000Records, 'RCU per 1,000 records'),
    f('longest closer tick', j.maxCloseMs, 'ms (virtual)'),
    f('Lambda concurrency (peak)', j.lambdaConcurrency, 'invocations'),
    f('throttled requests', j.throttledRequests, 'requests', '0', j.throttledRequests === 0),
    f(
      'exact (finals + late = offline)',
      j.exact ? 1 : 0,
      j.exact ? 'yes' : `no: ${j.differences.slice(0, 3).join('; ')}`,
      'yes',
      j.exact,
    ),
    ...(j.maxRate
      ? [f('largest rate held', j.maxRate.recordsPerSecond, `records/s (then ${j.maxRate.limit})`)]
      : []),
  ];
}

export async function run(
  o: BenchOptions = {},
): Promise<{ figures: BenchFigure[]; json: ScaleJson }> {
  const shards = o.shards ?? 1000;
  const seconds = o.seconds ?? 25;
  const progress = (label: string) => (s: number) => {
    if (!o.json && s % 10 === 0) process.stdout.write(`  ${label}: virtual second ${s}\n`);
  };
  const full = await simulate({
    ...scaleOptions(shards, seconds),
    onSecond: progress(`${shards} shards`),
  });
  const half = Math.max(1, Math.floor(shards / 4));
  const smaller = await simulate({
    ...scaleOptions(half, seconds),
    onSecond: progress(`${half} shards`),
  });
  const json = { ...toJson(full), maxRate: maxRate(smaller, full, AWS_PARTITION_LIMITS) };
  return { figures: figures(json), json };
}
