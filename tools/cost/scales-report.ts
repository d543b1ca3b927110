/**
 * `npm run cost -- --scales`: the scale model (scales.ts) over the demo's
 * scale, 10×, 100×, 1,000× and the seed's 1,000,000 records/s peak, with
 * the crossovers, as text, JSON and an SVG chart.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StreamscaleConfig } from '../../functions/config';
import { CLOUDWATCH_SCALER_METRICS_PER_DECISION, SCALER_METRICS_PER_DECISION } from './cost-report';
import { PRICES, type PriceTable } from '../../functions/core/cost/prices';
import { labEmrCheck, type EmrCheck } from './pricing';
import {
  cheapSignalScaler,
  cloudWatchScaler,
  DEMO_SCALE,
  EMR_SPARK,
  LAB_DAY,
  SCALE_FACTORS,
  SEED_PEAK_RATE,
  WORK_PER_RECORD,
} from './scale-assumptions';
import { scalesChartSvg } from './scales-chart';
import { formatScales } from './scales-table';
import {
  crossovers,
  emrBreakEvenExecutorRate,
  priceScale,
  FLEETS,
  totalOf,
  type Crossover,
  type FleetName,
  type ScaleModel,
  type ScalePoint,
} from './scales';

export const SCALES_CHART_FILE = 'cost-scales.svg';
export const SCALES_JSON_FILE = 'cost-scales.json';
const CURVE_POINTS = 120;

export interface ScalesOptions {
  /** Records/s one EMR Spark executor sustains (default EMR_SPARK.executorRecordsPerSecond). */
  executorRecordsPerSecond?: number;
  /** The scaler's decision period and CloudWatch metrics per decision (default: the config's). */
  scalerTickSeconds?: number;
  scalerMetricsPerDecision?: number;
  prices?: PriceTable;
}

export interface ScalesReport {
  prices: { region: string; asOf: string };
  day: typeof LAB_DAY;
  points: Array<ScalePoint & { emrBreakEvenExecutorRate: number }>;
  crossovers: Crossover[];
  /** The elastic fleet's crossovers with the CloudWatch-reading scaler it replaced (issue 14). */
  alternativeScalerCrossovers: Crossover[];
  /** Totals on a logarithmic grid of peak rates, for the chart. */
  curve: Array<{
    peakRate: number;
    totals: Record<FleetName, number>;
    /** The elastic fleet with the CloudWatch-reading scaler it replaced. */
    elasticAlternativeScaler: number;
  }>;
  assumptions: {
    avgRecordBytes: number;
    shardRecordsPerSecond: number;
    targetUtilisation: number;
    scaler: string;
    alternativeScaler: string;
    emr: {
      instanceType: string;
      pricePerInstanceHour: number;
      executorRecordsPerSecond: number;
      sources: readonly string[];
    };
  };
  emrCheck: EmrCheck;
}

export function scaleModel(config: StreamscaleConfig, o: ScalesOptions = {}): ScaleModel {
  const tick = o.scalerTickSeconds ?? config.scaler.tickSeconds;
  return {
    prices: o.prices ?? PRICES,
    shardRecordsPerSecond: config.stream.shardRecordsPerSecond,
    shardBytesPerSecond: config.stream.shardBytesPerSecond,
    targetUtilisation: config.scaler.targetUtilisation,
    minShards: config.stream.minShards,
    scaler: {
      ...cheapSignalScaler(tick, config.scaler.memoryMb),
      cloudWatchMetricsPerDecision: o.scalerMetricsPerDecision ?? SCALER_METRICS_PER_DECISION,
    },
    alternativeScaler: cloudWatchScaler(
      tick,
      CLOUDWATCH_SCALER_METRICS_PER_DECISION,
      config.scaler.memoryMb,
    ),
    executorRecordsPerSecond: o.executorRecordsPerSecond ?? EMR_SPARK.executorRecordsPerSecond,
  };
}

/** The scales, smallest peak first: the demo's, its multiples, and the seed's peak. */
export function scalePeaks(): Array<{ label: string; peakRate: number }> {
  const peaks = SCALE_FACTORS.map((f) => ({
    label: f === 1 ? 'demo' : `${f.toLocaleString('en-US')}×`,
    peakRate: DEMO_SCALE.peakRate * f,
  }));
  peaks.push({ label: 'seed peak', peakRate: SEED_PEAK_RATE });
  return peaks.sort((a, b) => a.peakRate - b.peakRate);
}

export function buildScalesReport(config: StreamscaleConfig, o: ScalesOptions = {}): ScalesReport {
  const m = scaleModel(config, o);
  const peaks = scalePeaks();
  const from = peaks[0]!.peakRate / 10;
  const to = peaks.at(-1)!.peakRate;
  const points = peaks.map(({ label, peakRate }) => {
    const s = priceScale(label, peakRate, m);
    return { ...s, emrBreakEvenExecutorRate: emrBreakEvenExecutorRate(s, m) };
  });
  return {
    prices: { region: m.prices.region, asOf: m.prices.asOf },
    day: LAB_DAY,
    points,
    crossovers: crossovers(m, from, to),
    alternativeScalerCrossovers: crossovers({ ...m, scaler: m.alternativeScaler }, from, to).filter(
      (c) => c.below === 'elastic' || c.above === 'elastic',
    ),
    curve: Array.from({ length: CURVE_POINTS + 1 }, (_, i) => {
      const rate = from * (to / from) ** (i / CURVE_POINTS);
      const s = priceScale('', rate, m);
      return {
        peakRate: rate,
        totals: Object.fromEntries(FLEETS.map((f) => [f, totalOf(s, f)])) as Record<
          FleetName,
          number
        >,
        elasticAlternativeScaler: s.fleets[0]!.alternativeScaler!.fleetTotal,
      };
    }),
    assumptions: {
      avgRecordBytes: WORK_PER_RECORD.avgRecordBytes,
      shardRecordsPerSecond: m.shardRecordsPerSecond,
      targetUtilisation: m.targetUtilisation,
      scaler: m.scaler.name,
      alternativeScaler: m.alternativeScaler.name,
      emr: {
        instanceType: EMR_SPARK.instanceType,
        pricePerInstanceHour: EMR_SPARK.ec2Hour + EMR_SPARK.emrHour,
        executorRecordsPerSecond: m.executorRecordsPerSecond,
        sources: EMR_SPARK.sources,
      },
    },
    emrCheck: labEmrCheck(),
  };
}

/** The JSON form: one entry per scale, `{ peakRate, lowRate, fleets: [{ fleet, total, … }] }`. */
export const scalesJson = (r: ScalesReport) =>
  r.points.map((p) => ({
    label: p.label,
    peakRate: p.peakRate,
    lowRate: p.lowRate,
    recordsPerDay: p.recordsPerDay,
    lowShards: p.lowShards,
    peakShards: p.peakShards,
    shardHourSaving: p.shardHourSaving,
    elasticSaving: p.elasticSaving,
    elasticSavingAlternativeScaler: p.elasticSavingAlternativeScaler,
    cheapest: p.cheapest,
    emrBreakEvenExecutorRate: Number.isFinite(p.emrBreakEvenExecutorRate)
      ? p.emrBreakEvenExecutorRate
      : null,
    fleets: p.fleets,
  }));

export interface WrittenScalesReport {
  report: ScalesReport;
  text: string;
  svgPath?: string;
  jsonPath?: string;
}

/** Build the report; write the chart and the JSON into `outDir` when given. */
export async function writeScalesReport(
  config: StreamscaleConfig,
  o: ScalesOptions & { outDir?: string } = {},
): Promise<WrittenScalesReport> {
  const report = buildScalesReport(config, o);
  const text = formatScales(report);
  if (!o.outDir) return { report, text };
  await mkdir(o.outDir, { recursive: true });
  const svgPath = join(o.outDir, SCALES_CHART_FILE);
  const jsonPath = join(o.outDir, SCALES_JSON_FILE);
  await writeFile(svgPath, scalesChartSvg(report));
  await writeFile(jsonPath, JSON.stringify(scalesJson(report), null, 2) + '\n');
  return { report, text, svgPath, jsonPath };
}
