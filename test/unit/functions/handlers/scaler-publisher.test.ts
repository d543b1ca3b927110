/**
 * The scaler's decision publisher: EMF lines with exactly the Pipeline
 * dimension the dashboard queries (Powertools' default `service` dimension
 * removed), ScalingActions with the Action dimension, and a structured log
 * line carrying the reason.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../../../../functions/config';
import { Logger } from '@aws-lambda-powertools/logger';
import { emfPublisher } from '../../../../functions/handlers/scaler-publisher';
import type { DecisionRecord } from '../../../../functions/handlers/scaler-run';

interface Emf {
  _aws?: {
    CloudWatchMetrics: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string }>;
    }>;
  };
  [k: string]: unknown;
}

const record: DecisionRecord = {
  at: Date.UTC(2026, 10, 23),
  current: { openShards: 2, parallelization: 3, streamUpdating: false, mappingUpdating: false },
  signals: {
    incomingRecordsPerSecond: 1500,
    incomingBytesPerSecond: 450_000,
    throttledRecordsPerSecond: 0,
    processedRecordsPerSecond: 1500,
    iteratorAgeMs: 0,
    sources: { input: 'pipeline', throttled: 'pipeline', iteratorAge: 'consumer' },
  },
  reads: { controlQueries: 2, cloudWatchMetrics: 0 },
  decision: {
    desiredShards: 4,
    desiredParallelization: 2,
    actions: [
      { kind: 'UpdateShardCount', from: 2, to: 4 },
      { kind: 'UpdateParallelization', from: 3, to: 2 },
    ],
    reason: 'shards 2→4: demand 1,500 rec/s',
    figures: {
      demandRecordsPerSecond: 1500,
      demandBytesPerSecond: 450_000,
      backlogRecords: 0,
      perLaneRecordsPerSecond: 1000,
      shardsForIngest: 3,
      lanesNeeded: 3,
      shardUpdatesLeft: 18,
    },
  },
  applied: [
    { kind: 'UpdateShardCount', from: 2, to: 4 },
    { kind: 'UpdateParallelization', from: 3, to: 2 },
  ],
  failed: [],
  estimatedCostPerHour: 0.042,
};

afterEach(() => vi.restoreAllMocks());

function capture(fn: () => void): string[] {
  const lines: string[] = [];
  const write = (chunk: unknown) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(write as typeof process.stdout.write);
  const log = vi
    .spyOn(console, 'log')
    .mockImplementation((...a: unknown[]) => void write(a.join(' ')));
  const info = vi
    .spyOn(console, 'info')
    .mockImplementation((...a: unknown[]) => void write(a.join(' ')));
  fn();
  log.mockRestore();
  info.mockRestore();
  return lines;
}

describe('scaler decision publisher', () => {
  it('emits the decision metrics under Pipeline only, one ScalingActions per applied action with Action, and logs the reason', () => {
    const lines = capture(() =>
      emfPublisher(
        resolveConfig({ prefix: 'pubtest' }),
        new Logger({ serviceName: 'streamscale-scaler' }),
      )(record),
    );
    const json = lines.map((l) => JSON.parse(l) as Emf);
    const emf = json.filter((j) => j._aws);
    const decision = emf.find((j) =>
      j._aws!.CloudWatchMetrics[0]!.Metrics.some((m) => m.Name === 'DesiredShards'),
    )!;
    expect(decision._aws!.CloudWatchMetrics[0]!.Dimensions).toEqual([['Pipeline']]);
    expect(decision._aws!.CloudWatchMetrics[0]!.Namespace).toBe('Streamscale');
    expect(decision).toMatchObject({
      Pipeline: 'pubtest',
      DesiredShards: 4,
      ActualShards: 2,
      DesiredParallelization: 2,
      ActualParallelization: 3,
      ConsumerConcurrency: 6,
      EstimatedCostPerHour: 0.042,
    });
    expect(decision).not.toHaveProperty('service');
    const actions = emf.filter((j) => j.ScalingActions !== undefined);
    expect(actions.map((a) => a.Action)).toEqual(['ShardsOut', 'ParallelizationDown']);
    for (const a of actions)
      expect(a._aws!.CloudWatchMetrics[0]!.Dimensions).toEqual([['Pipeline', 'Action']]);
    const log = json.find((j) => j.message === 'scaling decision')!;
    expect(log).toMatchObject({
      level: 'INFO',
      reason: 'shards 2→4: demand 1,500 rec/s',
      desiredShards: 4,
      actualShards: 2,
    });
  });
});
