/**
 * Where the scaler's decisions go: EMF metrics through the one metrics setup
 * (telemetry/emf.ts: exactly the dimension Pipeline=<prefix> the dashboards
 * query, plus Action on ScalingActions) and a structured log line with the
 * decision's reason.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { StreamscaleConfig } from '../config';
import { Metric } from '../core/metric-names';
import type { ScalingAction } from '../core/scaling/types';
import { pipelineMetrics } from '../telemetry/emf';
import type { DecisionRecord } from './scaler-run';

function actionDimension(a: ScalingAction): string {
  if (a.kind === 'UpdateShardCount') return a.to > a.from ? 'ShardsOut' : 'ShardsIn';
  return a.to > a.from ? 'ParallelizationUp' : 'ParallelizationDown';
}

export function emfPublisher(
  config: StreamscaleConfig,
  logger: Logger,
): (r: DecisionRecord) => void {
  const metrics = pipelineMetrics(config, 'streamscale-scaler');
  return (r) => {
    const d = r.decision;
    metrics.add(Metric.DesiredShards, 'Count', d.desiredShards);
    metrics.add(Metric.ActualShards, 'Count', r.current.openShards);
    metrics.add(Metric.DesiredParallelization, 'Count', d.desiredParallelization);
    metrics.add(Metric.ActualParallelization, 'Count', r.current.parallelization);
    metrics.add(
      Metric.ConsumerConcurrency,
      'Count',
      r.current.openShards * r.current.parallelization,
    );
    metrics.add(Metric.EstimatedCostPerHour, 'None', r.estimatedCostPerHour);
    for (const a of r.applied)
      metrics.add(Metric.ScalingActions, 'Count', 1, { Action: actionDimension(a) });
    metrics.flush();
    logger.info('scaling decision', {
      reason: d.reason,
      desiredShards: d.desiredShards,
      desiredParallelization: d.desiredParallelization,
      actualShards: r.current.openShards,
      actualParallelization: r.current.parallelization,
      applied: r.applied,
      failed: r.failed,
      figures: d.figures,
      signals: r.signals,
      estimatedCostPerHour: r.estimatedCostPerHour,
    });
  };
}
