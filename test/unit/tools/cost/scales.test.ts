import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../../functions/config';
import { PRICES } from '../../../../functions/core/cost/prices';
import {
  cheapSignalScaler,
  cloudWatchScaler,
  EMR_SPARK,
} from '../../../../tools/cost/scale-assumptions';
import { buildScalesReport, scaleModel, scalesJson } from '../../../../tools/cost/scales-report';
import { formatScales } from '../../../../tools/cost/scales-table';
import { scalesChartSvg } from '../../../../tools/cost/scales-chart';
import {
  emrBreakEvenExecutorRate,
  priceScale,
  scalerCostPerDay,
  totalOf,
  type ScaleModel,
} from '../../../../tools/cost/scales';

const config = DEFAULT_CONFIG;
const model = scaleModel(config);
const withScaler = (m: ScaleModel, metrics: number): ScaleModel => ({
  ...m,
  scaler: cloudWatchScaler(config.scaler.tickSeconds, metrics, config.scaler.memoryMb),
});

describe('cost across scales', () => {
  const report = buildScalesReport(config);

  it("prices the demo's scale, 10×, 100×, 1,000× and the seed's 1,000,000 records/s peak, four fleets each, in the JSON shape", () => {
    const json = scalesJson(report);
    expect(json.map((p) => p.peakRate)).toEqual([2_400, 24_000, 240_000, 1_000_000, 2_400_000]);
    for (const p of json) {
      expect(p.lowRate).toBe(p.peakRate / 4);
      expect(p.fleets.map((f) => f.fleet)).toEqual(['elastic', 'static', 'on-demand', 'emr-spark']);
      for (const f of p.fleets) expect(f.total).toBeGreaterThan(0);
    }
  });

  it("at the demo's scale the elastic fleet uses 62.5 % fewer shard-hours, as the lab found (1 → 4 shards: 36 vs 96)", () => {
    const demo = report.points[0]!;
    expect([demo.lowShards, demo.peakShards]).toEqual([1, 4]);
    expect(demo.fleets[0]!.streamHours).toBe(36);
    expect(demo.fleets[1]!.streamHours).toBe(96);
    expect(demo.shardHourSaving).toBeCloseTo(0.625, 12);
    expect(report.emrCheck).toMatchObject({
      staticInstanceHours: 96,
      elasticInstanceHours: 36,
      ok: true,
    });
  });

  it('elastic and static differ by the shard-hours saved and the scaler, which is priced on its own', () => {
    for (const p of report.points) {
      const [e, s] = [p.fleets[0]!, p.fleets[1]!];
      const shardsSaved = (s.streamHours - e.streamHours) * PRICES.kinesis.shardHour;
      expect(e.total).toBeCloseTo(s.total - shardsSaved + e.scaler!.total, 9);
      expect(e.scaler!.total).toBeCloseTo(
        e.scaler!.lambda + e.scaler!.cloudwatch + e.scaler!.dynamodb,
        12,
      );
    }
  });

  it("prices the scaler's CloudWatch reads by its read rate: 11 metrics every 5 s is 190,080 metrics, $1.90 a day", () => {
    const day = { shardHours: 36, lowRate: 600, peakRate: 2_400 };
    const c = scalerCostPerDay(cloudWatchScaler(5, 11, 256), day, PRICES);
    expect(c.cloudWatchMetricsPerDay).toBe(190_080);
    expect(c.cloudwatch).toBeCloseTo(1.9008, 6);
    expect(scalerCostPerDay(cloudWatchScaler(10, 11, 256), day, PRICES).cloudwatch).toBeCloseTo(
      0.9504,
      6,
    );
    expect(scalerCostPerDay(cheapSignalScaler(5, 256), day, PRICES).cloudwatch).toBe(0);
  });

  it("prices the cheap-signal scaler's DynamoDB use: its reads and memory per decision, the producers' demand items", () => {
    // 17,280 decisions: reads 36 shard-h × 720 × 0.5 + 24 h × 720 × 16.5 = 298,080 RRU;
    // writes 17,280 × 3 + producer-hours (1 × 20 + 4 × 4 = 36) × 1,800 = 51,840 + 64,800 WRU
    const c = scalerCostPerDay(
      cheapSignalScaler(5, 256),
      { shardHours: 36, lowRate: 600, peakRate: 2_400 },
      PRICES,
    );
    expect(c.dynamodb).toBeCloseTo(
      (298_080 / 1e6) * PRICES.dynamodb.readRequestUnitsPerMillion +
        (116_640 / 1e6) * PRICES.dynamodb.writeRequestUnitsPerMillion,
      9,
    );
  });

  it('the scaler as it runs (cheap signals) keeps the elastic fleet cheaper than static at every scale; the CloudWatch-reading one it replaced did not at the demo scale', () => {
    for (const p of report.points) expect(p.elasticSaving).toBeGreaterThan(0);
    expect(report.points[0]!.elasticSavingAlternativeScaler).toBeLessThan(0);
    expect(formatScales(report)).not.toMatch(/dearer than the static one at/);
    // Were it to read 11 CloudWatch metrics per decision again, the report says so.
    const dear = withScaler(model, 11);
    expect(totalOf(priceScale('demo', 2_400, dear), 'elastic')).toBeGreaterThan(
      totalOf(priceScale('demo', 2_400, dear), 'static'),
    );
  });

  it('names the crossovers, and the order of the two fleets really flips there', () => {
    expect(report.crossovers.length).toBeGreaterThan(0);
    const staticToElastic = report.crossovers.find(
      (c) => c.below === 'static' && c.above === 'elastic',
    );
    expect(staticToElastic).toBeDefined();
    for (const c of report.crossovers) {
      const lo = priceScale('', c.peakRate * 0.98, model);
      const hi = priceScale('', c.peakRate * 1.02, model);
      expect(totalOf(lo, c.below)).toBeLessThan(totalOf(lo, c.above));
      expect(totalOf(hi, c.above)).toBeLessThan(totalOf(hi, c.below));
    }
    expect(formatScales(report)).toContain('Crossovers');
  });

  it('sizes the EMR Spark cluster for the peak from the per-executor rate, and finds the rate at which it would match elastic', () => {
    const p = priceScale('seed', 1_000_000, model);
    const emr = p.fleets[3]!;
    expect(emr.executors).toBe(Math.ceil(1_000_000 / (EMR_SPARK.executorRecordsPerSecond * 0.7)));
    expect(emr.emr).toBeCloseTo(
      (emr.executors! + 1) * 24 * (EMR_SPARK.ec2Hour + EMR_SPARK.emrHour),
      9,
    );
    const breakEven = emrBreakEvenExecutorRate(p, model);
    const faster = priceScale('seed', 1_000_000, {
      ...model,
      executorRecordsPerSecond: breakEven * 1.01,
    });
    expect(totalOf(faster, 'emr-spark')).toBeLessThanOrEqual(totalOf(faster, 'elastic'));
    const slower = priceScale('seed', 1_000_000, {
      ...model,
      executorRecordsPerSecond: breakEven * 0.9,
    });
    expect(totalOf(slower, 'emr-spark')).toBeGreaterThan(totalOf(slower, 'elastic'));
  });

  it('draws cost against scale with every fleet, the scales and the crossovers', () => {
    const svg = scalesChartSvg(report);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(5); // four fleets + elastic with the CloudWatch-reading scaler
    expect(svg.match(/<circle /g)).toHaveLength(4 * report.points.length);
    expect(svg.match(/stroke="#c33" stroke-dasharray="4 3"/g)).toHaveLength(
      report.crossovers.length,
    );
    expect(svg).toContain('static→elastic');
  });
});
