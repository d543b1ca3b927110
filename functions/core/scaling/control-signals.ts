/**
 * Cheap signals: the scaler's inputs from the control table instead of
 * CloudWatch (issue 14). Pure: the table read lives in
 * functions/telemetry/control-signal-reader.ts.
 *
 * Two kinds of items carry running totals, and the scaler turns them into
 * rates by differencing snapshots it keeps in its memory (one per decision,
 * as many as the signal window spans):
 *  - per shard, written by the consumers on the progress write they make
 *    anyway: records handled, busy milliseconds, the last batch's iterator
 *    age and whether it was a partial batch (caught up);
 *  - per producer, a heartbeat item every few seconds: records generated
 *    (fresh demand, before any throttling), accepted (records and bytes),
 *    throttled attempts, re-sends, and the records held back right now.
 * Producers stamp their own clock on their items, so a producer's rate is
 * exact over its own interval, whatever the heartbeat and decision phases.
 */
import type { ReadSignals } from './collect';

export interface ShardCounters {
  processedRecords: number;
  busyMs: number;
  lastSeenAt: number;
  lastIteratorAgeMs: number;
  lastBatchPartial: boolean;
}

export interface ProducerCounters {
  /** identifies one run of the producer: totals restart with it */
  startedAt: number;
  /** the producer's clock when it wrote these totals */
  at: number;
  generated: number;
  accepted: number;
  acceptedBytes: number;
  throttled: number;
  retried: number;
  /** records queued, waiting for a retry, or in flight right now */
  pending: number;
}

export interface ControlSnapshot {
  /** the scaler's clock when it read the table */
  at: number;
  shards: Record<string, ShardCounters>;
  producers: Record<string, ProducerCounters>;
}

type ProducerRates = Record<
  'generated' | 'accepted' | 'acceptedBytes' | 'throttled' | 'retried',
  number
>;
const PRODUCER_TOTALS: Array<keyof ProducerRates> = [
  'generated',
  'accepted',
  'acceptedBytes',
  'throttled',
  'retried',
];

/** Snapshots worth keeping for the next decision: those the next window still reaches. */
export function keepSnapshots(
  history: readonly ControlSnapshot[],
  now: ControlSnapshot,
  windowSeconds: number,
): ControlSnapshot[] {
  const from = now.at - windowSeconds * 1000;
  const kept = history.filter((s) => s.at >= from && s.at < now.at);
  // one older than the window, so the window is covered in full next time
  const older = history.filter((s) => s.at < from).at(-1);
  return [...(older ? [older] : []), ...kept, now];
}

/**
 * Sum of producer rates up to `now`, each over its own clock, from the
 * oldest (`window`) or newest (`recent`) earlier snapshot that holds an
 * older heartbeat of that producer.
 */
function producerRates(
  earlier: readonly ControlSnapshot[],
  now: ControlSnapshot,
  from: 'window' | 'recent',
  liveSince: number,
): ProducerRates {
  const out: ProducerRates = {
    generated: 0,
    accepted: 0,
    acceptedBytes: 0,
    throttled: 0,
    retried: 0,
  };
  const order = from === 'window' ? earlier : [...earlier].reverse();
  for (const [id, cur] of Object.entries(now.producers)) {
    // a producer silent for the whole window has stopped (or died): no demand
    if (cur.at < liveSince) continue;
    // a producer that (re)started since counts from its start
    const prev = order
      .map((s) => s.producers[id])
      .find((p) => p !== undefined && p.startedAt === cur.startedAt && p.at < cur.at);
    const dt = (cur.at - (prev?.at ?? cur.startedAt)) / 1000;
    if (dt <= 0) continue;
    for (const k of PRODUCER_TOTALS) out[k] += Math.max(0, cur[k] - (prev?.[k] ?? 0)) / dt;
  }
  return out;
}

interface ShardRates {
  processed: number;
  busyLanes: number;
}

function shardRates(base: ControlSnapshot | undefined, now: ControlSnapshot): ShardRates {
  const dt = base ? (now.at - base.at) / 1000 : 0;
  if (!base || dt <= 0) return { processed: 0, busyLanes: 0 };
  let processed = 0;
  let busyMs = 0;
  for (const [id, cur] of Object.entries(now.shards)) {
    const prev = base.shards[id];
    processed += Math.max(0, cur.processedRecords - (prev?.processedRecords ?? 0));
    busyMs += Math.max(0, cur.busyMs - (prev?.busyMs ?? 0));
  }
  return { processed: processed / dt, busyLanes: busyMs / 1000 / dt };
}

/**
 * The consumers' iterator age: the largest last-batch age of the shards
 * written within the window (as Lambda's IteratorAge reports it). Not grown
 * by the time since a full batch: with small batches every batch is full,
 * and the estimate kept a caught-up consumer "behind". A consumer that
 * reports nothing while records go in is caught by consumerSignals.
 */
function iteratorAgeNow(now: ControlSnapshot, windowSeconds: number): number {
  let age = 0;
  for (const s of Object.values(now.shards)) {
    if (s.lastSeenAt < now.at - windowSeconds * 1000) continue;
    age = Math.max(age, s.lastIteratorAgeMs);
  }
  return age;
}

/** The newest batch any shard reported (−∞ when none did). */
function lastBatchAt(now: ControlSnapshot): number {
  return Math.max(-Infinity, ...Object.values(now.shards).map((s) => s.lastSeenAt));
}

export interface ConsumerSignals {
  processedRecordsPerSecond: number;
  busyLanes?: number;
  iteratorAgeMs: number;
  ageSource: string;
}

/**
 * The consumers' side alone: processed rate and busy lanes over the window,
 * iterator age now. `acceptedPerSecond` (from wherever input is measured)
 * tells a silent consumer from an idle one. When that input was measured
 * over another span than the window (the CloudWatch fallback's minutes),
 * `arrivedAfter` says since when records are known to have gone in: only
 * records that went in after the consumers' last batch make a silent
 * consumer a stuck one — an idle consumer that read everything before the
 * producers stopped is not behind.
 */
export function consumerSignals(
  history: readonly ControlSnapshot[],
  now: ControlSnapshot,
  windowSeconds: number,
  acceptedPerSecond: number,
  arrivedAfter?: number,
): ConsumerSignals {
  const oldest = history.find((s) => s.at < now.at);
  const rates = shardRates(oldest, now);
  let iteratorAgeMs = iteratorAgeNow(now, windowSeconds);
  let ageSource = 'control table';
  // Records went in but no lane reported a batch over the window: the
  // consumer is stuck or absent, and the backlog is at least a window old.
  const span = oldest ? (now.at - oldest.at) / 1000 : 0;
  const unread = arrivedAfter === undefined || arrivedAfter > lastBatchAt(now);
  if (span >= windowSeconds / 2 && acceptedPerSecond > 0 && rates.processed === 0 && unread) {
    iteratorAgeMs = Math.max(iteratorAgeMs, span * 1000);
    ageSource = 'no consumer batch over the window';
  }
  return {
    processedRecordsPerSecond: rates.processed,
    ...(oldest ? { busyLanes: rates.busyLanes } : {}),
    iteratorAgeMs,
    ageSource,
  };
}

/**
 * Whether records went in between the oldest snapshot and the previous
 * decision's: then a consumer with no batch since has had a decision's time
 * to read them. Records that went in only since the previous decision may
 * simply not be read yet — at a few records a second the one record that
 * arrived just before a decision made a caught-up consumer "stuck", with an
 * iterator age of the whole span (6–8 s in the autoscaling test's quiet
 * period, with a 4 s window and 2 s ticks).
 */
function acceptedBeforeLastDecision(earlier: readonly ControlSnapshot[]): boolean {
  const oldest = earlier[0];
  const previous = earlier.at(-1);
  if (!oldest || !previous || previous === oldest) return false;
  return Object.entries(previous.producers).some(([id, p]) => {
    const o = oldest.producers[id];
    return o !== undefined && o.startedAt === p.startedAt
      ? p.accepted > o.accepted
      : p.accepted > 0;
  });
}

/** Producers that stopped: when they were last seen, and how long that keeps the control table the input source. */
export interface StoppedProducers {
  /** the last decision that saw a live producer item (the scaler's memory) */
  seenAt?: number;
  /** how far back the other input source (CloudWatch's minutes) still shows their traffic */
  horizonSeconds: number;
}

/** When producers were last seen live: now if one reports within the window, else as before. */
export function producersSeenAt(
  previous: number | undefined,
  now: ControlSnapshot,
  windowSeconds: number,
): number | undefined {
  const liveSince = now.at - windowSeconds * 1000;
  return Object.values(now.producers).some((p) => p.at >= liveSince) ? now.at : previous;
}

/**
 * The policy's signals from the snapshots: rates over the window (since the
 * oldest snapshot kept) and since the previous decision (`recent`), the
 * producers' demand and backlog, the consumers' rates and iterator age.
 *
 * Undefined when no producer reports (foreign producers): then the caller
 * measures input elsewhere — except right after our producers stopped
 * (`stopped`): the stream's own metrics still hold their traffic for the
 * fallback's look-back, and reading them then sized scale-in for a spike
 * that was over and, with no consumer batch since, took the idle consumers
 * for stuck ones. Stopped producers offer nothing: input is zero.
 */
export function signalsFromSnapshots(
  history: readonly ControlSnapshot[],
  now: ControlSnapshot,
  windowSeconds: number,
  stopped?: StoppedProducers,
): ReadSignals | undefined {
  const liveSince = now.at - windowSeconds * 1000;
  const live = Object.values(now.producers).filter((p) => p.at >= liveSince);
  const justStopped =
    stopped?.seenAt !== undefined && now.at - stopped.seenAt <= stopped.horizonSeconds * 1000;
  if (live.length === 0 && !justStopped) return undefined;
  const earlier = history.filter((s) => s.at < now.at);
  const win = producerRates(earlier, now, 'window', liveSince);
  const rec = producerRates(earlier, now, 'recent', liveSince);
  // Only records that went in before the previous decision make silent consumers stuck.
  const c = consumerSignals(
    earlier,
    now,
    windowSeconds,
    acceptedBeforeLastDecision(earlier) ? win.accepted : 0,
  );
  return {
    incomingRecordsPerSecond: win.accepted,
    incomingBytesPerSecond: win.acceptedBytes,
    throttledRecordsPerSecond: win.throttled,
    producerRetriesPerSecond: win.retried,
    offeredRecordsPerSecond: win.generated,
    producerPendingRecords: live.reduce((a, p) => a + p.pending, 0),
    processedRecordsPerSecond: c.processedRecordsPerSecond,
    iteratorAgeMs: c.iteratorAgeMs,
    ...(c.busyLanes !== undefined ? { busyLanes: c.busyLanes } : {}),
    recent: {
      incomingRecordsPerSecond: rec.accepted,
      incomingBytesPerSecond: rec.acceptedBytes,
      throttledRecordsPerSecond: rec.throttled,
      producerRetriesPerSecond: rec.retried,
      offeredRecordsPerSecond: rec.generated,
    },
    sources: { input: 'control table', throttled: 'control table', iteratorAge: c.ageSource },
  };
}
