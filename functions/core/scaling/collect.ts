/**
 * From metric time series (as GetMetricData returns them) to the policy's
 * signals. Pure: the CloudWatch call lives in functions/telemetry/signal-reader.ts.
 *
 * Sources, in order of preference: the pipeline's own metrics (namespace from
 * config, dimension Pipeline=<prefix>), because LocalStack emits no
 * AWS/Kinesis metrics; then the service metrics (AWS/Kinesis by StreamName,
 * AWS/Lambda by FunctionName), which AWS and the embedded cloud emit.
 */
import type { ScalingSignals } from './types';

/** One series: datapoints keyed by period start (epoch ms). Absent = no datapoint. */
export type Series = Map<number, number>;

export interface SignalSeries {
  incomingRecords?: Series; // Streamscale IncomingRecords, Sum
  incomingBytes?: Series; // Streamscale IncomingBytes, Sum
  throttledRecords?: Series; // Streamscale ThrottledRecords, Sum
  producerRetries?: Series; // Streamscale ProducerRetries, Sum
  recordsProcessed?: Series; // Streamscale RecordsProcessed, Sum
  consumerIteratorAge?: Series; // Streamscale ConsumerIteratorAge, Maximum (ms)
  kinesisIncomingRecords?: Series; // AWS/Kinesis IncomingRecords, Sum
  kinesisIncomingBytes?: Series; // AWS/Kinesis IncomingBytes, Sum
  kinesisThrottled?: Series; // AWS/Kinesis WriteProvisionedThroughputExceeded, Sum
  lambdaIteratorAge?: Series; // AWS/Lambda IteratorAge, Maximum (ms)
  lambdaDuration?: Series; // AWS/Lambda Duration, Sum (ms) of the consumer
}

export interface SignalWindow {
  /** Start of the first and end of the last period (epoch ms). */
  startMs: number;
  endMs: number;
  periodSeconds: number;
}

export interface ReadSignals extends ScalingSignals {
  /**
   * Start of the newest period in which records went in: records are known
   * to have arrived after it. Set where input comes in periods that need not
   * match the decision's window (metric series); a silent consumer is stuck
   * only if records went in after its last batch.
   */
  inputArrivedAfter?: number;
  /** Which series each figure came from, for the decision log. */
  sources: {
    input: 'pipeline' | 'AWS/Kinesis' | 'control table' | 'none';
    throttled: 'pipeline' | 'AWS/Kinesis' | 'control table' | 'none';
    iteratorAge: string;
  };
}

const hasData = (s: Series | undefined): s is Series => s !== undefined && s.size > 0;
const sum = (s: Series | undefined): number => (s ? [...s.values()].reduce((a, v) => a + v, 0) : 0);

/** The newest period start in the window. */
function lastPeriodStart(w: SignalWindow): number {
  return w.endMs - w.periodSeconds * 1000;
}

/**
 * Start of the recent half of the window: whole periods, at least one.
 * Producers publish their counters every few seconds (5 s by default), so a
 * single short period holds zero or one publication and its "rate" is 0 or
 * several times the truth; half a 20 s window holds exactly two. Keep the
 * window (and its half) a multiple of the producers' publishing interval.
 */
function recentStart(w: SignalWindow): number {
  const p = w.periodSeconds * 1000;
  const periods = Math.max(1, Math.floor((w.endMs - w.startMs) / p / 2));
  return w.endMs - periods * p;
}

/** Rate over the recent half of the window. */
function recentRate(s: Series | undefined, w: SignalWindow): number {
  if (!s) return 0;
  const from = recentStart(w);
  let total = 0;
  for (const [t, v] of s) if (t >= from && t < w.endMs) total += v;
  return total / ((w.endMs - from) / 1000);
}

/** Max over the last two periods (the age now, not the window's history). */
function recentMax(s: Series | undefined, w: SignalWindow): number | undefined {
  if (!s) return undefined;
  const last = lastPeriodStart(w);
  const vs = [s.get(last), s.get(last - w.periodSeconds * 1000)].filter(
    (v): v is number => v !== undefined,
  );
  return vs.length > 0 ? Math.max(...vs) : undefined;
}

export function signalsFromSeries(series: SignalSeries, w: SignalWindow): ReadSignals {
  const windowSeconds = (w.endMs - w.startMs) / 1000;
  const own = hasData(series.incomingRecords);
  const recordsS = own ? series.incomingRecords : series.kinesisIncomingRecords;
  const bytesS = own ? series.incomingBytes : series.kinesisIncomingBytes;
  const ownThrottle = hasData(series.throttledRecords) || own;
  const throttledS = ownThrottle ? series.throttledRecords : series.kinesisThrottled;
  // Re-sends are only known from our producers; AWS/Kinesis counts every throttled attempt.
  const retriesS = ownThrottle ? series.producerRetries : undefined;

  const incoming = sum(recordsS) / windowSeconds;
  const processed = sum(series.recordsProcessed) / windowSeconds;
  const ages = [
    recentMax(series.consumerIteratorAge, w),
    recentMax(series.lambdaIteratorAge, w),
  ].filter((v): v is number => v !== undefined);
  let iteratorAgeMs = ages.length > 0 ? Math.max(...ages) : 0;
  let ageSource = ages.length > 0 ? 'consumer' : 'none';
  // Records came in but no consumer reported anything for the whole window:
  // the consumer is stuck or absent, so the backlog is at least a window old.
  if (
    ages.length === 0 &&
    incoming > 0 &&
    !hasData(series.recordsProcessed) &&
    !hasData(series.lambdaDuration)
  ) {
    iteratorAgeMs = windowSeconds * 1000;
    ageSource = 'no consumer report for the window';
  }

  const out: ReadSignals = {
    incomingRecordsPerSecond: incoming,
    incomingBytesPerSecond: sum(bytesS) / windowSeconds,
    throttledRecordsPerSecond: sum(throttledS) / windowSeconds,
    processedRecordsPerSecond: processed,
    iteratorAgeMs,
    recent: {
      incomingRecordsPerSecond: recentRate(recordsS, w),
      incomingBytesPerSecond: recentRate(bytesS, w),
      throttledRecordsPerSecond: recentRate(throttledS, w),
      ...(retriesS ? { producerRetriesPerSecond: recentRate(retriesS, w) } : {}),
    },
    sources: {
      input: own ? 'pipeline' : hasData(series.kinesisIncomingRecords) ? 'AWS/Kinesis' : 'none',
      throttled: ownThrottle
        ? 'pipeline'
        : hasData(series.kinesisThrottled)
          ? 'AWS/Kinesis'
          : 'none',
      iteratorAge: ageSource,
    },
  };
  const inputPeriods = [...(recordsS ?? [])].filter(([, v]) => v > 0).map(([t]) => t);
  if (inputPeriods.length > 0) out.inputArrivedAfter = Math.max(...inputPeriods);
  if (retriesS) out.producerRetriesPerSecond = sum(retriesS) / windowSeconds;
  if (hasData(series.lambdaDuration))
    out.busyLanes = sum(series.lambdaDuration) / 1000 / windowSeconds;
  return out;
}
