/**
 * One closing pass: advance the global watermark, close the due windows that
 * hold on-time partials (one final each, write-once, naming what it merged),
 * move the close cursor over everything below the watermark, forget the
 * windows it passed, and index partials that raced a recent close as late.
 * Every write is conditional or idempotent, so two closers at once are safe.
 */
import type { StreamscaleConfig } from '../config';
import {
  buildFinal,
  lateToFlag,
  passedWindows,
  windowsToClose,
  windowsToRecheck,
} from '../core/closing';
import type { FinalItem, ShardProgressItem } from '../core/table-layout';
import { computeGlobalWatermark, type ShardLineage, type ShardStatus } from '../core/watermark';
import type { ControlPort, GlobalState } from '../store/control-store';
import type { WindowsPort } from '../store/windows-store';

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
async function flagRacedPartials(deps: CloserDeps, closedThrough: number | undefined) {
  const { config, windows } = deps;
  let flagged = 0;
  const starts = windowsToRecheck(
    closedThrough,
    config.closer.recheckHorizonMs,
    config.windowing.windowSizeMs,
  );
  for (const start of starts) {
    const partition = await windows.readWindowKeys(start);
    for (const p of lateToFlag(partition.final, partition.partials)) {
      await windows.flagLate(p);
      flagged += p.records;
    }
  }
  return flagged;
}

export async function closerTick(deps: CloserDeps, nowMs: number): Promise<TickReport> {
  const { config, windows, control } = deps;
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
    const partition = await windows.readWindow(start);
    if (partition.final) continue; // another run closed it
    const final = buildFinal(start, size, partition.partials, watermark as number, nowMs);
    if (final && (await windows.putOnce(final)) === 'written') closed.push(final);
  }
  if (plan.closedThrough !== undefined && plan.closedThrough !== global.closedThrough)
    await control.advanceCloseCursor(plan.closedThrough, nowMs);
  for (const p of progress) {
    const passed = passedWindows(p.openWindows ?? [], plan.closedThrough, size);
    await control.pruneOpenWindows(p.shardId, passed);
  }
  return {
    watermark,
    closedThrough: plan.closedThrough,
    closed,
    lateFlagged: await flagRacedPartials(deps, plan.closedThrough),
    shardStatus: computed.status,
    quiet: computed.quiet,
    newestRunStartedAt: global.closerRunStartedAt,
  };
}
