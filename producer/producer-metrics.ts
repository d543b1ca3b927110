/**
 * Publishes the producers' own metrics (IncomingRecords, IncomingBytes,
 * ThrottledRecords, ProducerRetries; namespace from config, dimension
 * Pipeline=<prefix>) every few seconds with PutMetricData: the scaler sizes
 * the stream from them. Each publication carries the deltas since the last.
 */
import {
  PutMetricDataCommand,
  type CloudWatchClient,
  type StandardUnit,
} from '@aws-sdk/client-cloudwatch';
import { Metric, PIPELINE_DIMENSION } from '../functions/core/metric-names';
import type { ProducerStats } from './producer-stats';

export interface ProducerMetricsOptions {
  client: CloudWatchClient;
  namespace: string;
  prefix: string;
  stats: ProducerStats;
  intervalMs?: number;
  onError?: (err: unknown) => void;
}

export class ProducerMetrics {
  private last = { accepted: 0, acceptedBytes: 0, throttled: 0, retried: 0 };
  private timer?: NodeJS.Timeout;
  private busy: Promise<void> | undefined;

  constructor(private readonly o: ProducerMetricsOptions) {}

  start(): void {
    // One publish at a time: while the endpoint does not answer, ticks are skipped rather than queued.
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = this.publish().finally(() => (this.busy = undefined));
    }, this.o.intervalMs ?? 5_000);
    this.timer.unref();
  }

  /** Stop the timer and publish what is left (unless `final` is false: the endpoint is known down). */
  async stop(final = true): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.busy;
    if (final) await this.publish();
  }

  async publish(): Promise<void> {
    const s = this.o.stats;
    const now = {
      accepted: s.accepted,
      acceptedBytes: s.acceptedBytes,
      throttled: s.throttled,
      retried: s.retried,
    };
    const d = {
      accepted: now.accepted - this.last.accepted,
      bytes: now.acceptedBytes - this.last.acceptedBytes,
      throttled: now.throttled - this.last.throttled,
      retried: now.retried - this.last.retried,
    };
    this.last = now;
    const Dimensions = [{ Name: PIPELINE_DIMENSION, Value: this.o.prefix }];
    const Timestamp = new Date();
    const datum = (MetricName: string, Value: number, Unit: StandardUnit) => ({
      MetricName,
      Value,
      Unit,
      Dimensions,
      Timestamp,
      StorageResolution: 1,
    });
    try {
      await this.o.client.send(
        new PutMetricDataCommand({
          Namespace: this.o.namespace,
          MetricData: [
            datum(Metric.IncomingRecords, d.accepted, 'Count'),
            datum(Metric.IncomingBytes, d.bytes, 'Bytes'),
            datum(Metric.ThrottledRecords, d.throttled, 'Count'),
            datum(Metric.ProducerRetries, d.retried, 'Count'),
          ],
        }),
      );
    } catch (err) {
      // Metrics are best effort: a lost datum must not stop the producers.
      this.o.onError?.(err);
    }
  }
}
