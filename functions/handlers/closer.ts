/**
 * The scheduled closer: advances the global watermark and closes windows,
 * so windows close even when no consumer runs (traffic stopped). One
 * invocation ticks every closer.tickSeconds for up to scheduleSeconds (the
 * shared scheduled-run loop); it marks its start on the GLOBAL item and
 * stops as soon as a newer run has marked a later start.
 */
import { dynamoClient, kinesisClient } from '../aws/clients';
import { kinesisLineage } from '../aws/shard-lineage';
import { fromEnv, resourceNames } from '../config';
import { Metric } from '../core/metric-names';
import { lambdaHandler } from '../runtime/lambda-handler';
import { runDeadline, runScheduled, systemClock } from '../runtime/scheduled-run';
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

export const handler = lambdaHandler(
  SERVICE,
  init,
  async ({ deps, logger }, _event: unknown, context) => {
    const { closer, metrics } = deps;
    const { closer: settings } = closer.config;
    const startedAt = systemClock.now();
    const tickMs = settings.tickSeconds * 1000;
    await closer.control.markCloserRun(startedAt);
    let closed = 0;
    const run = await runScheduled(
      {
        startedAt,
        tickMs,
        untilMs: runDeadline(
          startedAt,
          settings.scheduleSeconds * 1000,
          tickMs,
          context?.getRemainingTimeInMillis(),
        ),
        clock: systemClock,
      },
      async (nowMs) => {
        const report = await closerTick(closer, nowMs);
        closed += report.closed.length;
        publish(metrics, report, systemClock.now());
        if (report.closed.length > 0 || report.lateFlagged > 0) {
          logger.info('closed windows', {
            windows: report.closed.map((f) => new Date(f.windowStart).toISOString()),
            watermark: report.watermark,
            lateFlagged: report.lateFlagged,
            shards: report.shardStatus,
          });
        }
        const newer = report.newestRunStartedAt;
        return { ran: true, superseded: newer !== undefined && newer > startedAt };
      },
    );
    return { ticks: run.ticks, closed };
  },
);
