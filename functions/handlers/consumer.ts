/**
 * The Kinesis consumer. Thin: decode the Lambda event, plan the batch with
 * the pure core, write through the adapters, publish metrics.
 *
 * Data errors (malformed, late) never throw: they are kept and counted.
 * Infrastructure errors throw, so Lambda retries the same batch, which the
 * write-once partial items make harmless. Writes go partials → rejects →
 * progress: a crash anywhere leaves nothing the retry would count twice.
 */
import type { KinesisStreamEvent } from 'aws-lambda';
import { dynamoClient } from '../aws/clients';
import { fromEnv, resourceNames, type StreamscaleConfig } from '../config';
import { planBatch, type BatchPlan, type KinesisRecordLike } from '../core/merge-plan';
import { tumblingWindows } from '../core/windows';
import { ControlStore, type ControlPort, type GlobalState } from '../store/control-store';
import { RejectsStore, type RejectsPort } from '../store/rejects-store';
import { WindowsStore, type PartialsOutcome, type WindowsPort } from '../store/windows-store';
import { Metric } from '../core/metric-names';
import { pipelineMetrics, type PipelineMetrics } from '../telemetry/emf';
import { lambdaHandler } from '../runtime/lambda-handler';

export interface ConsumerDeps {
  config: StreamscaleConfig;
  windows: WindowsPort;
  control: ControlPort;
  rejects: RejectsPort;
  /** The GLOBAL item as this execution environment last read it (see readCursor). */
  cursorCache?: { readAt: number; global: GlobalState };
}

/**
 * The close cursor, read at most once per closer tick per execution
 * environment: it moves once a tick at most, and a thousand lanes each
 * reading it every batch would make it a hot key. An older cursor is safe: a
 * partial it lets through as on-time is late by the finals' inclusion lists,
 * and the closer's recheck indexes it (docs/correctness.md).
 */
async function readCursor(deps: ConsumerDeps, nowMs: number): Promise<GlobalState> {
  const ttlMs = deps.config.closer.tickSeconds * 1000;
  const c = deps.cursorCache;
  if (c && nowMs >= c.readAt && nowMs - c.readAt < ttlMs) return c.global;
  const global = await deps.control.readGlobal();
  deps.cursorCache = { readAt: nowMs, global };
  return global;
}

export function toRecords(event: KinesisStreamEvent): KinesisRecordLike[] {
  return event.Records.map((r) => ({
    // eventID is "<shardId>:<sequenceNumber>"
    shardId: r.eventID.slice(0, r.eventID.lastIndexOf(':')),
    sequenceNumber: r.kinesis.sequenceNumber,
    partitionKey: r.kinesis.partitionKey,
    data: Buffer.from(r.kinesis.data, 'base64'),
    arrivalMs: Math.round(r.kinesis.approximateArrivalTimestamp * 1000),
  }));
}

/** One batch, end to end; exported so tests drive it without Lambda. */
export async function consumeBatch(
  deps: ConsumerDeps,
  records: readonly KinesisRecordLike[],
  nowMs: number,
  busySinceMs: number = nowMs,
): Promise<BatchPlan | undefined> {
  if (records.length === 0) return undefined;
  const { config } = deps;
  const global = await readCursor(deps, nowMs);
  const plan = planBatch(records, {
    nowMs,
    closedThrough: global.closedThrough,
    windows: tumblingWindows(config.windowing.windowSizeMs),
    maxFutureSkewMs: config.windowing.maxFutureSkewMs,
    rejectRawMaxBytes: config.consumer.rejectRawMaxBytes,
    lateHorizonMs: config.windowing.lateHorizonMs,
    batchSize: config.consumer.batchSize,
  });
  const outcome = await deps.windows.putPartials(plan.partials);
  if (plan.rejects.length > 0) await deps.rejects.put(plan.rejects);
  await deps.control.updateShardProgress(plan.progress, {
    records: records.length,
    busyMs: Math.max(0, Date.now() - busySinceMs),
  });
  return Object.assign(plan, { outcome });
}

function publish(
  metrics: PipelineMetrics,
  plan: BatchPlan & { outcome?: PartialsOutcome },
  records: readonly KinesisRecordLike[],
  doneMs: number,
): void {
  metrics.add(Metric.RecordsProcessed, 'Count', plan.counts.records);
  metrics.add(Metric.RecordsRejected, 'Count', plan.counts.rejected);
  // late records of partials this attempt wrote: a retry that finds them already there does not count them again
  metrics.add(Metric.LateRecords, 'Count', plan.outcome?.lateRecordsWritten ?? plan.counts.late);
  metrics.add(Metric.PartialsWritten, 'Count', plan.outcome?.written ?? 0);
  metrics.add(Metric.DuplicatePartials, 'Count', plan.outcome?.duplicates ?? 0);
  metrics.add(Metric.ConsumerIteratorAge, 'Milliseconds', plan.progress.iteratorAgeMs);
  const oldestArrival = Math.min(...records.map((r) => r.arrivalMs));
  metrics.add(Metric.ProvisionalLatency, 'Milliseconds', Math.max(0, doneMs - oldestArrival));
  for (const [reason, n] of Object.entries(plan.counts.rejectsByReason)) {
    metrics.add(Metric.RecordsRejected, 'Count', n ?? 0, { Reason: reason });
  }
  metrics.flush();
}

const SERVICE = 'streamscale-consumer';

function init(): { consumer: ConsumerDeps; metrics: PipelineMetrics } {
  const config = fromEnv();
  const names = resourceNames(config.prefix);
  const db = dynamoClient();
  return {
    consumer: {
      config,
      windows: new WindowsStore(db, names.windowsTable),
      control: new ControlStore(db, names.controlTable),
      rejects: new RejectsStore(db, names.rejectsTable),
    },
    metrics: pipelineMetrics(config, SERVICE),
  };
}

export const handler = lambdaHandler(
  SERVICE,
  init,
  async ({ deps, logger }, event: KinesisStreamEvent): Promise<void> => {
    const busySince = Date.now();
    const records = toRecords(event);
    const workMs = deps.consumer.config.consumer.testOnlyWorkMsPerRecord * records.length;
    if (workMs > 0) await new Promise((resolve) => setTimeout(resolve, workMs));
    const plan = await consumeBatch(deps.consumer, records, Date.now(), busySince);
    if (!plan) return;
    publish(deps.metrics, plan, records, Date.now());
    if (plan.counts.rejected > 0 || plan.counts.late > 0) {
      logger.info('batch with rejected or late records', {
        shardId: plan.progress.shardId,
        records: plan.counts.records,
        rejected: plan.counts.rejectsByReason,
        late: plan.counts.late,
      });
    }
  },
);
