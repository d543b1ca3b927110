/**
 * One closing pass: advance the global watermark, close the due windows that
 * hold on-time partials — each bucket's partials into a bucket final, then
 * the bucket finals into the window's final, every one write-once and naming
 * what it merged — move the close cursor over everything below the
 * watermark, forget the windows it passed, and index partials that raced a
 * close as late. Every write is conditional or idempotent, so two closers at
 * once, or a closer that dies between the levels, are safe.
 */
import type { StreamscaleConfig } from '../config';
import {
  buildBucketFinal,
  buildFinal,
  bucketsOf,
  lateToFlag,
  passedWindows,
  racedBuckets,
  windowsToClose,
} from '../core/closing';
import type { BucketFinalItem, FinalItem, ShardProgressItem } from '../core/table-layout';
import { computeGlobalWatermark, type ShardLineage, type ShardStatus } from '../core/watermark';
import type { ControlPort, GlobalState } from '../store/control-store';
import { forEachLimited, type WindowsPort } from '../store/windows-store';

/** Bucket partitions read and merged at once while closing a window. */
const BUCKET_CONCURRENCY = 8;

export interface CloserDeps {
  config: StreamscaleConfig;
  windows: WindowsPort;
  control: ControlPort;
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

/** The global watermark from the shards' progress, stored forward-only. */
async function advanceWatermark(
  deps: CloserDeps,
  global: GlobalState,
  progress: ShardProgressItem[],
  lineage: ShardLineage[] | undefined,
  nowMs: number,
) {
  const { config, control } = deps;
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
  return { watermark, computed };
}

/** Partials that raced a close (their consumer read the cursor before it moved) are late: index them. */
async function flagRacedPartials(
  deps: CloserDeps,
  progress: readonly ShardProgressItem[],
  cursorBefore: number | undefined,
) {
  const { config, windows } = deps;
  let flagged = 0;
  const raced = racedBuckets(
    progress,
    cursorBefore,
    config.closer.recheckHorizonMs,
    config.windowing.windowSizeMs,
  );
  for (const { windowStart, bucket } of raced) {
    const final = await windows.readFinal(windowStart);
    const partition = await windows.readBucketKeys(windowStart, bucket);
    for (const p of lateToFlag(partition.final, final, partition.partials)) {
      await windows.flagLate(p);
      flagged += p.records;
    }
  }
  return flagged;
}

/**
 * A bucket's final: the one written, or this run's merge of the partials
 * present now, written once. A run that loses the write uses the winner's:
 * the window's final must merge exactly what the stored bucket final names.
 */
async function bucketFinal(
  deps: CloserDeps,
  windowStart: number,
  bucket: number,
  nowMs: number,
): Promise<BucketFinalItem | undefined> {
  const { windows, config } = deps;
  const partition = await windows.readBucket(windowStart, bucket);
  if (partition.final) return partition.final;
  const size = config.windowing.windowSizeMs;
  const built = buildBucketFinal(windowStart, bucket, size, partition.partials, nowMs);
  if (!built || (await windows.putOnce(built)) === 'written') return built;
  return windows.readBucketFinal(windowStart, bucket);
}

/** Closes one window in two levels; undefined when another run closed it or nothing was there. */
async function closeWindow(
  deps: CloserDeps,
  windowStart: number,
  progress: readonly ShardProgressItem[],
  watermark: number,
  nowMs: number,
): Promise<FinalItem | undefined> {
  const { windows, config } = deps;
  if (await windows.readFinal(windowStart)) return undefined;
  const merged: BucketFinalItem[] = [];
  await forEachLimited(bucketsOf(progress, windowStart), BUCKET_CONCURRENCY, async (b) => {
    const f = await bucketFinal(deps, windowStart, b, nowMs);
    if (f) merged.push(f);
  });
  const size = config.windowing.windowSizeMs;
  const final = buildFinal(windowStart, size, merged, watermark, nowMs);
  return final && (await windows.putOnce(final)) === 'written' ? final : undefined;
}

export async function closerTick(deps: CloserDeps, nowMs: number): Promise<TickReport> {
  const { config, control } = deps;
  const size = config.windowing.windowSizeMs;
  const [global, progress, lineage] = await Promise.all([
    control.readGlobal(),
    control.readShardProgress(),
    deps.lineage(),
  ]);
  const { watermark, computed } = await advanceWatermark(deps, global, progress, lineage, nowMs);
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
    const final = await closeWindow(deps, start, progress, watermark as number, nowMs);
    if (final) closed.push(final);
  }
  if (plan.closedThrough !== undefined && plan.closedThrough !== global.closedThrough)
    await control.advanceCloseCursor(plan.closedThrough, nowMs);
  // Windows that raced an earlier close are still in the sets: recheck them before forgetting them.
  const lateFlagged = await flagRacedPartials(deps, progress, global.closedThrough);
  await control.pruneAll(
    progress.map((p) => ({
      shardId: p.shardId,
      starts: passedWindows(p.openWindows ?? [], plan.closedThrough, size),
    })),
  );
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
