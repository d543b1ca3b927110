/**
 * The cost model (tools/cost/pricing.ts) on a hand-made 4-minute run. Every
 * expected figure below is worked out by hand in the comments from the list
 * prices (shard-hour $0.015, PUT $0.014/M units, on-demand $0.04/stream-h,
 * $0.08/GB in, $0.04/GB out, Lambda $0.20/M + $0.0000166667/GB-s, DynamoDB
 * $0.625/M WRU + $0.125/M RRU, CloudWatch $0.30/metric-month, $3/dashboard-month,
 * $0.01 per 1,000 metrics requested, 730 h/month).
 */
import { describe, expect, it } from 'vitest';
import { PRICES } from '../../../../functions/core/cost/prices';
import {
  labEmrCheck,
  priceRun,
  profileUnitHours,
  type FleetCost,
} from '../../../../tools/cost/pricing';
import {
  usageFromMetricsFile,
  UsageError,
  type RunMetricsFile,
} from '../../../../tools/cost/run-usage';
import { formatCostReport } from '../../../../tools/cost/cost-table';
import { costChartSvg } from '../../../../tools/cost/cost-chart';

const T0 = Date.UTC(2026, 10, 23, 3, 0, 0);
const sample = (i: number, shards: number, records: number, throttled = 0, retries = 0) => ({
  t: new Date(T0 + i * 60_000).toISOString(),
  shards,
  incomingRecords: records,
  incomingBytes: records * 500,
  throttledRecords: throttled,
  producerRetries: retries,
  recordsProcessed: records,
});

const file: RunMetricsFile = {
  version: 1,
  prefix: 'streamscale',
  startedAt: new Date(T0).toISOString(),
  endedAt: new Date(T0 + 240_000).toISOString(),
  periodSeconds: 60,
  samples: [
    sample(0, 1, 30_000), // 500 rec/s
    sample(1, 1, 60_000, 60_000, 20_000), // saturated: 1,000 rec/s per shard; demand 60k + 40k = 1,666.7 rec/s
    sample(2, 2, 120_000), // 2,000 rec/s
    sample(3, 2, 30_000), // 500 rec/s
  ],
  lambda: [
    { functionName: 'streamscale-consumer', memoryMb: 512, invocations: 1000, durationMs: 100_000 },
    { functionName: 'streamscale-scaler', memoryMb: 256, invocations: 4, durationMs: 200_000 },
  ],
  dynamodb: { writeRequestUnits: 2_000_000, readRequestUnits: 400_000 },
  cloudwatch: {
    customMetrics: 73,
    getMetricDataMetricsRequested: 10_000,
    getMetricDataMetricsRequestedByScaler: 4_000,
    dashboards: 1,
    alarms: 0,
  },
};

const opts = {
  lowHours: 20,
  peakHours: 4,
  targetUtilisation: 0.7,
  minShards: 1,
  shardRecordsPerSecond: 1000,
  shardBytesPerSecond: 1024 * 1024,
  scalerMemoryMb: 256,
  scalerMetricsPerDecision: 11,
};
const report = priceRun(usageFromMetricsFile(file, 'test'), PRICES, opts);
const fleet = (fs: FleetCost[], name: FleetCost['fleet']) => fs.find((f) => f.fleet === name)!;

describe('pricing a recorded run', () => {
  it('measures the run: 240,000 records of 500 B, 4 min, peak 2 shards', () => {
    expect(report.records).toBe(240_000);
    expect(report.avgRecordBytes).toBe(500);
    expect(report.runHours).toBeCloseTo(4 / 60, 12);
    expect(report.peakShards).toBe(2);
  });

  it('elastic: shard-hours as they were ((1+1+2+2) × 1 min = 0.1 h) + PUT units (0.24 M × $0.014)', () => {
    const e = fleet(report.run, 'elastic');
    expect(e.streamHours).toBeCloseTo(0.1, 12);
    expect(e.cost.kinesis).toBeCloseTo(0.0015 + 0.00336, 12);
    // consumer: 0.001 M req × $0.20 + 100 s × 0.5 GB × $0.0000166667; scaler: 4e-6 M × $0.20 + 200 s × 0.25 GB × …
    expect(e.cost.lambda).toBeCloseTo(0.0002 + 0.000833335 + 0.0000008 + 0.000833335, 12);
    expect(e.cost.dynamodb).toBeCloseTo(1.25 + 0.05, 12);
    // inventory (73 × $0.30 + $3) / 730 h × 1/15 h + 10 × $0.01
    expect(e.cost.cloudwatch).toBeCloseTo(24.9 / 730 / 15 + 0.1, 12);
  });

  it('static: 2 shards for the whole 4 min (0.1333 shard-h), no scaler Lambda, no scaler metric reads', () => {
    const s = fleet(report.run, 'static');
    expect(s.streamHours).toBeCloseTo(2 * (4 / 60), 12);
    expect(s.cost.kinesis).toBeCloseTo(0.002 + 0.00336, 12);
    expect(s.cost.lambda).toBeCloseTo(0.0002 + 0.000833335, 12);
    expect(s.cost.cloudwatch).toBeCloseTo(24.9 / 730 / 15 + 0.06, 12);
  });

  it('on-demand: stream-hours + GB in/out with records rounded up to 1 KB', () => {
    const o = fleet(report.run, 'on-demand');
    // 1/15 h × $0.04 + 240,000 × 1,024 B = 0.228881836 GiB × ($0.08 in + $0.04 out)
    const gb = (240_000 * 1024) / 1024 ** 3;
    expect(gb).toBeCloseTo(0.228881836, 9);
    expect(o.cost.kinesis).toBeCloseTo(0.04 / 15 + gb * 0.08 + gb * 0.04, 12);
  });
});

describe('the projected day (lab profile 20 h low, 4 h peak)', () => {
  const d = report.day;

  it('sizes from measured rates: capacity 1,000 rec/s/shard (saturated minute), low 500 → 1 shard, peak 2,000 → 3 shards', () => {
    expect(d.shardCapacitySource).toBe('measured');
    expect(d.shardCapacity).toBe(1000);
    expect(d.lowRate).toBe(500);
    expect(d.peakRate).toBe(2000);
    expect(d.lowShards).toBe(1); // ceil(500 / 700)
    expect(d.peakShards).toBe(3); // ceil(2000 / 700)
  });

  it('elastic 20×1 + 4×3 = 32 vs static 24×3 = 72 shard-hours: 55.6 % fewer', () => {
    expect(fleet(d.fleets, 'elastic').streamHours).toBe(32);
    expect(fleet(d.fleets, 'static').streamHours).toBe(72);
    expect(d.savingsShardHours).toBeCloseTo(1 - 32 / 72, 12);
  });

  it('prices the day: 64.8 M records → PUT $0.9072; shards $0.48 vs $1.08; on-demand $0.96 + 61.8 GiB', () => {
    // records/day = (500 × 20 + 2000 × 4) × 3600 = 64,800,000
    expect(fleet(d.fleets, 'elastic').cost.kinesis).toBeCloseTo(0.48 + 0.9072, 9);
    expect(fleet(d.fleets, 'static').cost.kinesis).toBeCloseTo(1.08 + 0.9072, 9);
    const gb = (64_800_000 * 1024) / 1024 ** 3;
    expect(fleet(d.fleets, 'on-demand').cost.kinesis).toBeCloseTo(0.96 + gb * 0.12, 9);
    // work scales with records: 64.8 M / 240 k = 270 × the run's consumer Lambda and DynamoDB
    expect(fleet(d.fleets, 'static').cost.lambda).toBeCloseTo(270 * (0.0002 + 0.000833335), 9);
    expect(fleet(d.fleets, 'static').cost.dynamodb).toBeCloseTo(270 * 1.3, 9);
  });

  it('projects the CloudWatch inventory and the scaler reads, not viewer reads: (73 × $0.30 + $3) / 730 × 24 h', () => {
    expect(fleet(d.fleets, 'static').cost.cloudwatch).toBeCloseTo((24.9 / 730) * 24, 12);
    expect(fleet(d.fleets, 'elastic').cost.cloudwatch).toBeCloseTo(
      (24.9 / 730) * 24 + 0.04 * 15 * 24,
      12,
    );
  });

  it("counts the scaler's own cost against the elastic fleet only", () => {
    // Lambda 0.000834135 per 1/15 h × 24 h + scaler reads $0.04 per 1/15 h × 24 h
    expect(d.scalerCostPerDay).toBeCloseTo(0.000834135 * 15 * 24 + 0.04 * 15 * 24, 9);
    expect(
      fleet(d.fleets, 'elastic').cost.lambda - fleet(d.fleets, 'static').cost.lambda,
    ).toBeCloseTo(0.000834135 * 15 * 24, 9);
  });

  it('prices the scaler at one decision a minute: 1,440 × ($0.20/M + 1 s × 0.25 GB × $0.0000166667 + 11 metrics × $0.01/1000)', () => {
    const perDay = 1440 * (0.2 / 1e6 + 0.25 * 0.0000166667 + 0.00011);
    expect(d.minuteScaler.costPerDay).toBeCloseTo(perDay, 12);
    const e = fleet(d.fleets, 'elastic').cost.total;
    const s = fleet(d.fleets, 'static').cost.total;
    expect(d.minuteScaler.savingsTotal).toBeCloseTo(1 - (e - d.scalerCostPerDay + perDay) / s, 12);
  });

  it('uses the configured capacity when no shard was ever saturated, and says so', () => {
    const calm = {
      ...file,
      samples: file.samples.map((s) => ({ ...s, throttledRecords: 0, producerRetries: 0 })),
    };
    const r = priceRun(usageFromMetricsFile(calm, 'calm'), PRICES, {
      ...opts,
      shardRecordsPerSecond: 800,
    });
    expect(r.day.shardCapacitySource).toBe('configured');
    expect(r.day.shardCapacity).toBe(800);
    expect(r.day.peakShards).toBe(4); // ceil(2000 / 560)
  });
});

describe("the lab's EMR arithmetic", () => {
  it('4 executors × 24 h = 96 vs 1 × 20 h + 4 × 4 h = 36 instance-hours → 62.5 %', () => {
    expect(profileUnitHours(1, 4, 20, 4)).toBe(36);
    expect(labEmrCheck()).toEqual({
      staticInstanceHours: 96,
      elasticInstanceHours: 36,
      savings: 0.625,
      expected: 0.625,
      ok: true,
    });
  });
});

describe('run usage input and outputs', () => {
  it('rejects a bad file with a message that names the field', () => {
    expect(() => usageFromMetricsFile({ version: 2 }, 'x.json')).toThrow(UsageError);
    expect(() =>
      usageFromMetricsFile({ version: 1, periodSeconds: 5, samples: [] }, 'x.json'),
    ).toThrow(/samples/);
    expect(() =>
      usageFromMetricsFile(
        {
          version: 1,
          periodSeconds: 5,
          samples: [{ t: 'soon', shards: 1, incomingRecords: 1, incomingBytes: 1 }],
        },
        'x.json',
      ),
    ).toThrow(/samples\[0\]\.t/);
    expect(() =>
      usageFromMetricsFile(
        {
          version: 1,
          periodSeconds: 5,
          samples: [{ t: 0, shards: -1, incomingRecords: 1, incomingBytes: 1 }],
        },
        'x.json',
      ),
    ).toThrow(/samples\[0\]\.shards/);
  });

  it('prints the three fleets, the day and the check; the chart has one bar per fleet and panel', () => {
    const text = formatCostReport(report);
    for (const word of [
      'elastic',
      'static',
      'on-demand',
      'Projected day',
      'Lab check (EMR): 96 vs 36',
      '62.5 %',
      'OK',
    ])
      expect(text).toContain(word);
    const svg = costChartSvg(report);
    expect(svg.startsWith('<svg')).toBe(true);
    expect((svg.match(/<rect [^>]*><title>/g) ?? []).length).toBeGreaterThanOrEqual(6);
  });
});
