/**
 * Price a recorded run and write the chart next to it — what `npm run cost`
 * and the demo's report both call.
 *
 *   const { report, text, svgPath } = await writeCostReport('reports/2026-…');
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StreamscaleConfig } from '../../functions/config';
import { costChartSvg } from './cost-chart';
import { formatCostReport } from './cost-table';
import { PRICES, type PriceTable } from '../../functions/core/cost/prices';
import { priceRun, type CostReport, type ProfileOptions } from './pricing';
import { loadRunUsage, type RunUsage } from './run-usage';

export const COST_CHART_FILE = 'cost.svg';
/**
 * CloudWatch metrics the scaler requests per decision: none while producers
 * report their demand in the control table (functions/handlers/scaler-signals.ts;
 * without them, 3 AWS/Kinesis metrics once a minute).
 */
export const SCALER_METRICS_PER_DECISION = 0;
/** What the scaler before issue 14 requested per decision (11 metrics every 5 s), for comparison. */
export const CLOUDWATCH_SCALER_METRICS_PER_DECISION = 11;

/**
 * Metrics the scaler requested through GetMetricData over a run of this
 * length (one read per tick): what a run file should put in
 * cloudwatch.getMetricDataMetricsRequestedByScaler (and add to
 * getMetricDataMetricsRequested), since CloudWatch does not report it.
 */
export function scalerMetricReads(runSeconds: number, config: StreamscaleConfig): number {
  return Math.floor(runSeconds / config.scaler.tickSeconds) * SCALER_METRICS_PER_DECISION;
}
export const COST_JSON_FILE = 'cost.json';

export function profileOptions(
  config: StreamscaleConfig,
  over: Partial<ProfileOptions> = {},
): ProfileOptions {
  return {
    lowHours: 20,
    peakHours: 4,
    targetUtilisation: config.scaler.targetUtilisation,
    minShards: config.stream.minShards,
    shardRecordsPerSecond: config.stream.shardRecordsPerSecond,
    shardBytesPerSecond: config.stream.shardBytesPerSecond,
    scalerMemoryMb: config.scaler.memoryMb,
    scalerMetricsPerDecision: SCALER_METRICS_PER_DECISION,
    ...over,
  };
}

export interface WrittenCostReport {
  report: CostReport;
  text: string;
  svgPath?: string;
  jsonPath?: string;
}

/** Price a usage; write cost.svg and cost.json into `outDir` when given. */
export async function costReportFor(
  usage: RunUsage,
  config: StreamscaleConfig,
  opts: { outDir?: string; profile?: Partial<ProfileOptions>; prices?: PriceTable } = {},
): Promise<WrittenCostReport> {
  const report = priceRun(usage, opts.prices ?? PRICES, profileOptions(config, opts.profile));
  const text = formatCostReport(report);
  if (!opts.outDir) return { report, text };
  const svgPath = join(opts.outDir, COST_CHART_FILE);
  const jsonPath = join(opts.outDir, COST_JSON_FILE);
  await writeFile(svgPath, costChartSvg(report));
  await writeFile(jsonPath, JSON.stringify(report, null, 2) + '\n');
  return { report, text, svgPath, jsonPath };
}

/** For the demo: price reports/<timestamp>/metrics.json and write cost.svg/cost.json beside it. */
export async function writeCostReport(
  runDir: string,
  config: StreamscaleConfig,
): Promise<WrittenCostReport> {
  return costReportFor(await loadRunUsage(runDir), config, { outDir: runDir });
}
