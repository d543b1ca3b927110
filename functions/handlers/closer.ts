/**
 * The scheduled closer: advances the global watermark and closes windows,
 * so windows close even when no consumer runs (traffic stopped). One
 * invocation ticks every closer.tickSeconds for up to scheduleSeconds (the
 * shared scheduled-run loop). It claims the closer on the GLOBAL item only
 * when the owning run is ending (else it returns at once), and stops as soon
 * as a newer run has claimed it.
 */
import { dynamoClient, kinesisClient } from '../aws/clients';
import { kinesisLineage } from '../aws/shard-lineage';
import { fromEnv, resourceNames } from '../config';
import { Metric } from '../core/metric-names';
import { lambdaHandler } from '../runtime/lambda-handler';
import { runDeadline, runScheduled, systemClock, type Clock } from '../runtime/scheduled-run';
import { ControlStore } from '../store/control-store';
import { WindowsStore } from '../store/windows-store';
import { pipelineMetrics, type PipelineMetrics } from '../telemetry/emf';
import { closerTick, type CloserDeps, type TickReport } from './closer-tick';

const SERVICE = 'streamscale-closer';

function publish(metrics: PipelineMetrics, r: TickReport, nowMs: number): void {
  metrics.add(Metric.WindowsClosed, 'Count', r.closed.length);
  metrics.add(Metric.LateRecords, 'Count', r.lateFlagged);
  if (r.watermark !== undefined)
    metrics.add(Metric.WatermarkLag, 'Milliseconds', Math.max(0, nowMs - r.watermark));
  for (const f of r.closed)
    metrics.add(Metric.FinalLatency, 'Milliseconds', Math.max(0, f.closedAt - f.windowEnd));
  metrics.flush();
}

function init(): { closer: CloserDeps; metrics: PipelineMetrics } {
  const config = fromEnv();
  const names = resourceNames(config.prefix);
  const db = dynamoClient();
  return {
    closer: {
      config,
      windows: new WindowsStore(db, names.windowsTable),
      control: new ControlStore(db, names.controlTable),
      lineage: kinesisLineage(kinesisClient(), names.stream),
    },
    metrics: pipelineMetrics(config, SERVICE),
  };
}

export interface CloserRun {
  ticks: number;
  closed: number;
  /** why it ended: its period, a newer run took over, or another run owned the closer */
  stoppedBecause: 'period over' | 'newer run' | 'owner running';
}

/**
 * A run's lease on the closer, in ticks, renewed every tick: a successor
 * takes over an owner that has not ticked for this long (dead, or stuck in
 * a tick), so closing resumes within it after a crash. More than one tick,
 * so a live owner whose ticks run slow on a busy machine keeps the closer.
 */
export const LEASE_TICKS = 3;

/**
 * One scheduled run: claim the closer (only from an owner whose lease is
 * ending), then renew the lease and tick until the period is over or a
 * newer run holds the closer.
 */
export async function runCloser(
  closer: CloserDeps,
  o: {
    clock: Clock;
    remainingMs: number | undefined;
    onTick: (report: TickReport) => void;
  },
): Promise<CloserRun> {
  const settings = closer.config.closer;
  const startedAt = o.clock.now();
  const tickMs = settings.tickSeconds * 1000;
  const untilMs = runDeadline(startedAt, settings.scheduleSeconds * 1000, tickMs, o.remainingMs);
  const lease = (nowMs: number) => Math.min(untilMs, nowMs + LEASE_TICKS * tickMs);
  const claimed = await closer.control.claimCloserRun({
    startedAt,
    runUntil: lease(startedAt),
    handoverAt: o.clock.now() + tickMs,
  });
  if (!claimed) return { ticks: 0, closed: 0, stoppedBecause: 'owner running' };
  let closed = 0;
  const run = await runScheduled({ startedAt, tickMs, untilMs, clock: o.clock }, async (nowMs) => {
    if (!(await closer.control.renewCloserRun(startedAt, lease(nowMs))))
      return { ran: false, superseded: true };
    const report = await closerTick(closer, nowMs);
    closed += report.closed.length;
    o.onTick(report);
    const newer = report.newestRunStartedAt;
    return { ran: true, superseded: newer !== undefined && newer > startedAt };
  });
  return { ticks: run.ticks, closed, stoppedBecause: run.stoppedBecause };
}

export const handler = lambdaHandler(
  SERVICE,
  init,
  async ({ deps, logger }, _event: unknown, context) => {
    const { closer, metrics } = deps;
    const run = await runCloser(closer, {
      clock: systemClock,
      remainingMs: context?.getRemainingTimeInMillis(),
      onTick: (report) => {
        publish(metrics, report, systemClock.now());
        if (report.closed.length > 0 || report.lateFlagged > 0) {
          logger.info('closed windows', {
            windows: report.closed.map((f) => new Date(f.windowStart).toISOString()),
            watermark: report.watermark,
            lateFlagged: report.lateFlagged,
            shards: report.shardStatus,
          });
        }
      },
    });
    return { ticks: run.ticks, closed: run.closed };
  },
);
