/**
 * The pipeline's flow, second by second, read from the cloud's in-process
 * CloudWatch store (nothing extra asked of the emulators while they are
 * measured): records the stream accepted (AWS/Kinesis IncomingRecords, put
 * by the edge) and records the consumer processed (the pipeline's
 * RecordsProcessed, from the functions' EMF output).
 */
import type { MetricStore } from '../../../localcloud/cloudwatch/metric-store';

export interface FlowSource {
  metrics: MetricStore;
  stream: string;
  namespace: string;
  prefix: string;
}

/** Per-second counts from `sinceMs` on: accepted in, processed out. */
export interface Flow {
  accepted: Map<number, number>;
  processed: Map<number, number>;
}

export function readFlow(src: FlowSource, sinceMs: number, untilMs = Date.now()): Flow {
  const q = (namespace: string, name: string, dimensions: Record<string, string>) =>
    new Map(
      src.metrics
        .query({
          namespace,
          name,
          dimensions,
          start: new Date(sinceMs),
          end: new Date(untilMs + 1_000),
          periodSeconds: 1,
          stat: 'Sum',
        })
        .map((p) => [p.timestamp.getTime(), p.value]),
    );
  return {
    accepted: q('AWS/Kinesis', 'IncomingRecords', { StreamName: src.stream }),
    processed: q(src.namespace, 'RecordsProcessed', { Pipeline: src.prefix }),
  };
}

/** Sum of the seconds in [fromMs, toMs). */
export function countBetween(series: Map<number, number>, fromMs: number, toMs: number): number {
  let n = 0;
  for (const [t, v] of series) if (t >= fromMs && t < toMs) n += v;
  return n;
}

export const total = (series: Map<number, number>): number =>
  [...series.values()].reduce((a, b) => a + b, 0);

/** First and last second with data (epoch ms of the second's start), or undefined. */
export function activeSpan(
  series: Map<number, number>,
): { firstMs: number; lastMs: number } | undefined {
  const seconds = [...series.entries()].filter(([, v]) => v > 0).map(([t]) => t);
  if (seconds.length === 0) return undefined;
  return { firstMs: Math.min(...seconds), lastMs: Math.max(...seconds) };
}
