/**
 * The dashboard's building blocks: one metric factory per namespace (the
 * pipeline's own metrics and the AWS service metrics next to them), all at
 * the dashboard's period, and the one graph shape every chart uses.
 */
import type { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type { StreamscaleConfig } from '../functions/config';
import { PIPELINE_DIMENSION, type MetricName } from '../functions/core/metric-names';

export class DashboardParts {
  constructor(
    private readonly config: StreamscaleConfig,
    readonly period: Duration,
    private readonly streamName: string,
  ) {}

  /** A pipeline metric (namespace from config, dimension Pipeline=<prefix>). */
  own(metricName: MetricName, statistic: string, label: string): cw.Metric {
    return this.metric(
      this.config.metricsNamespace,
      metricName,
      { [PIPELINE_DIMENSION]: this.config.prefix },
      statistic,
      label,
    );
  }

  kinesis(metricName: string, statistic: string, label: string): cw.Metric {
    return this.metric(
      'AWS/Kinesis',
      metricName,
      { StreamName: this.streamName },
      statistic,
      label,
    );
  }

  lambda(functionName: string, metricName: string, statistic: string, label: string): cw.Metric {
    return this.metric('AWS/Lambda', metricName, { FunctionName: functionName }, statistic, label);
  }

  dynamo(tableName: string, metricName: string, statistic: string, label: string): cw.Metric {
    return this.metric('AWS/DynamoDB', metricName, { TableName: tableName }, statistic, label);
  }

  sqs(queueName: string, metricName: string, statistic: string, label: string): cw.Metric {
    return this.metric('AWS/SQS', metricName, { QueueName: queueName }, statistic, label);
  }

  /** A half-width graph, both axes from zero, legend below. */
  graph(
    title: string,
    left: cw.IMetric[],
    right: cw.IMetric[] = [],
    leftLabel?: string,
    rightLabel?: string,
  ): cw.GraphWidget {
    return new cw.GraphWidget({
      title,
      left,
      right,
      width: 12,
      height: 6,
      period: this.period,
      leftYAxis: { min: 0, ...(leftLabel ? { label: leftLabel, showUnits: false } : {}) },
      rightYAxis: { min: 0, ...(rightLabel ? { label: rightLabel, showUnits: false } : {}) },
      legendPosition: cw.LegendPosition.BOTTOM,
    });
  }

  private metric(
    namespace: string,
    metricName: string,
    dimensionsMap: Record<string, string>,
    statistic: string,
    label: string,
  ): cw.Metric {
    return new cw.Metric({
      namespace,
      metricName,
      dimensionsMap,
      statistic,
      period: this.period,
      label,
    });
  }
}
