/**
 * Powertools Metrics (Embedded Metric Format on stdout) keyed by exactly the
 * dimension Pipeline=<prefix> that the dashboard, scaler and demo query.
 * Powertools adds a `service` dimension by default; CloudWatch matches
 * dimension sets exactly, so it is cleared.
 */
import { MetricResolution, MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { StreamscaleConfig } from '../config';
import { PIPELINE_DIMENSION, type MetricName } from '../core/metric-names';

export type Unit = 'Count' | 'Milliseconds' | 'Bytes' | 'None';

const UNITS: Record<Unit, (typeof MetricUnit)[keyof typeof MetricUnit]> = {
  Count: MetricUnit.Count,
  Milliseconds: MetricUnit.Milliseconds,
  Bytes: MetricUnit.Bytes,
  None: MetricUnit.NoUnit,
};

export interface PipelineMetrics {
  add(name: MetricName, unit: Unit, value: number, extraDimensions?: Record<string, string>): void;
  flush(): void;
}

export function pipelineMetrics(config: StreamscaleConfig, serviceName: string): PipelineMetrics {
  const metrics = new Metrics({ namespace: config.metricsNamespace, serviceName });
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ [PIPELINE_DIMENSION]: config.prefix });
  const withDimensions: Array<{
    name: MetricName;
    unit: Unit;
    value: number;
    dims: Record<string, string>;
  }> = [];
  return {
    add(name, unit, value, extraDimensions) {
      if (extraDimensions) withDimensions.push({ name, unit, value, dims: extraDimensions });
      else metrics.addMetric(name, UNITS[unit], value, MetricResolution.High);
    },
    flush() {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      // One EMF document per extra dimension set: CloudWatch keys series by the whole set.
      for (const m of withDimensions.splice(0)) {
        metrics.addDimensions(m.dims);
        metrics.addMetric(m.name, UNITS[m.unit], m.value, MetricResolution.High);
        metrics.publishStoredMetrics();
      }
    },
  };
}
