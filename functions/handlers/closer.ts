/**
 * The scheduled closer: advances the global watermark and closes windows,
 * so windows close even when no consumer runs (traffic stopped).
 *
 * EventBridge schedules are at least one minute apart on AWS, so one
 * invocation ticks every closer.tickSeconds for up to scheduleSeconds. It
 * marks its start on the GLOBAL item and stops as soon as a newer run has
 * marked a later start, so overlapping or sped-up schedules never pile up.
 * Every write is conditional, so two closers at once are safe anyway.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import {
  ListShardsCommand,
  type KinesisClient,
  type ListShardsCommandOutput,
} from '@aws-sdk/client-kinesis';
import type { Context } from 'aws-lambda';
import { dynamoClient, kinesisClient } from '../aws/clients';
import { fromEnv, resourceNames, type StreamscaleConfig } from '../config';
import {
  buildFinal,
  lateToFlag,
  passedWindows,
  windowsToClose,
  windowsToRecheck,
} from '../core/closing';
import { computeGlobalWatermark, type ShardLineage, type ShardStatus } from '../core/watermark';
import { ControlStore } from '../store/control-store';
import type { FinalItem } from '../core/table-layout';
import { WindowsStore } from '../store/windows-store';
import { Metric } from '../core/metric-names';
import { pipelineMetrics, type PipelineMetrics } from '../telemetry/emf';

export interface CloserDeps {
  config: StreamscaleConfig;
  windows: WindowsStore;
  control: ControlStore;
  /** Shard lineage (Kinesis ListShards); undefined when unavailable. */
  lineage: () => Promise<ShardLineage[] | undefined>;
}

export interface TickReport {
  watermark: number | undefined;
  closedThrough: number | undefined;
  closed: FinalItem[];
  lateFlagged: number;
  shardStatus: Record<string, ShardStatus>;
  quiet: boolean;
  /** start mark of the newest closer run seen on the GLOBAL item */
  newestRunStartedAt: number | undefined;
}

/** One closing pass; exported so tests drive it with their own clock. */
export async function closerTick(deps: CloserDeps, nowMs: number): Promise<TickReport> {
  const { config, windows, control } = deps;
  const size = config.windowing.windowSizeMs;
  const [global, progress, lineage] = await Promise.all([
    control.readGlobal(),
    control.readShardProgress(),
    deps.lineage(),
  ]);
  const computed = computeGlobalWatermark(progress, lineage, nowMs, {
    allowedLatenessMs: config.windowing.allowedLatenessMs,
    idleTimeoutMs: config.windowing.idleTimeoutMs,
    caughtUpIteratorAgeMs: config.consumer.caughtUpIteratorAgeMs,
  });
  let watermark = global.watermark;
  if (
    computed.watermark !== undefined &&
    (watermark === undefined || computed.watermark > watermark)
  ) {
    await control.advanceWatermark(computed.watermark, nowMs);
    watermark = computed.watermark;
  }

  // Only windows some shard wrote on-time partials for: the cursor jumps over empty time.
  const open = progress.flatMap((p) => [...(p.openWindows ?? [])]);
  const plan = windowsToClose(
    open,
    global.closedThrough,
    watermark,
    size,
    config.closer.maxWindowsPerTick,
  );
  const closed: FinalItem[] = [];
  for (const start of plan.windowStarts) {
    const partition = await windows.readWindow(start);
    if (partition.final) continue; // another run closed it
    const final = buildFinal(start, size, partition.partials, watermark as number, nowMs);
    if (final && (await windows.putOnce(final)) === 'written') closed.push(final);
  }
  if (plan.closedThrough !== undefined && plan.closedThrough !== global.closedThrough) {
    await control.advanceCloseCursor(plan.closedThrough, nowMs);
  }
  for (const p of progress)
    await control.pruneOpenWindows(
      p.shardId,
      passedWindows(p.openWindows ?? [], plan.closedThrough, size),
    );

  // Partials that raced a close (consumer read the cursor before it moved) are late: index them.
  let lateFlagged = 0;
  for (const start of windowsToRecheck(plan.closedThrough, config.closer.recheckHorizonMs, size)) {
    const partition = await windows.readWindowKeys(start);
    for (const p of lateToFlag(partition.final, partition.partials)) {
      await windows.flagLate(p);
      lateFlagged += p.records;
    }
  }
  return {
    watermark,
    closedThrough: plan.closedThrough,
    closed,
    lateFlagged,
    shardStatus: computed.status,
    quiet: computed.quiet,
    newestRunStartedAt: global.closerRunStartedAt,
  };
}

export function kinesisLineage(
  kinesis: KinesisClient,
  streamName: string,
): () => Promise<ShardLineage[]> {
  return async () => {
    const shards: ShardLineage[] = [];
    let token: string | undefined;
    do {
      const out: ListShardsCommandOutput = await kinesis.send(
        new ListShardsCommand(token ? { NextToken: token } : { StreamName: streamName }),
      );
      for (const s of out.Shards ?? []) {
        shards.push({
          shardId: s.ShardId as string,
          ...(s.ParentShardId ? { parentShardId: s.ParentShardId } : {}),
          ...(s.AdjacentParentShardId ? { adjacentParentShardId: s.AdjacentParentShardId } : {}),
          closed: s.SequenceNumberRange?.EndingSequenceNumber !== undefined,
        });
      }
      token = out.NextToken;
    } while (token);
    return shards;
  };
}

function publish(metrics: PipelineMetrics, r: TickReport, nowMs: number): void {
  metrics.add(Metric.WindowsClosed, 'Count', r.closed.length);
  metrics.add(Metric.LateRecords, 'Count', r.lateFlagged);
  if (r.watermark !== undefined)
    metrics.add(Metric.WatermarkLag, 'Milliseconds', Math.max(0, nowMs - r.watermark));
  for (const f of r.closed)
    metrics.add(Metric.FinalLatency, 'Milliseconds', Math.max(0, f.closedAt - f.windowEnd));
  metrics.flush();
}

let runtime: { deps: CloserDeps; metrics: PipelineMetrics; logger: Logger } | undefined;

function init() {
  if (runtime) return runtime;
  const config = fromEnv();
  const names = resourceNames(config.prefix);
  const db = dynamoClient();
  runtime = {
    deps: {
      config,
      windows: new WindowsStore(db, names.windowsTable),
      control: new ControlStore(db, names.controlTable),
      lineage: kinesisLineage(kinesisClient(), names.stream),
    },
    metrics: pipelineMetrics(config, 'streamscale-closer'),
    logger: new Logger({ serviceName: 'streamscale-closer' }),
  };
  return runtime;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const handler = async (
  _event: unknown,
  context?: Context,
): Promise<{ ticks: number; closed: number }> => {
  const { deps, metrics, logger } = init();
  const startedAt = Date.now();
  const tickMs = deps.config.closer.tickSeconds * 1000;
  const runForMs = deps.config.closer.scheduleSeconds * 1000;
  await deps.control.markCloserRun(startedAt);
  let ticks = 0;
  let closed = 0;
  for (;;) {
    const tickStart = Date.now();
    const report = await closerTick(deps, tickStart);
    ticks += 1;
    closed += report.closed.length;
    publish(metrics, report, Date.now());
    if (report.closed.length > 0 || report.lateFlagged > 0) {
      logger.info('closed windows', {
        windows: report.closed.map((f) => new Date(f.windowStart).toISOString()),
        watermark: report.watermark,
        lateFlagged: report.lateFlagged,
        shards: report.shardStatus,
      });
    }
    if (report.newestRunStartedAt !== undefined && report.newestRunStartedAt > startedAt) break; // superseded
    const nextTick = tickStart + tickMs;
    const remaining = context?.getRemainingTimeInMillis?.() ?? Infinity;
    if (nextTick - startedAt >= runForMs || remaining < nextTick - Date.now() + tickMs) break;
    await sleep(Math.max(0, nextTick - Date.now()));
  }
  return { ticks, closed };
};
