/**
 * What `npm run cost -- --scales` assumes beyond the price table: the
 * demo's load shape and scales, the work each record costs (measured in a
 * demo run), the scaler's own activity (as it runs, and the CloudWatch-reading
 * one it replaced), and the lab's EMR
 * Spark cluster (instance type, price, per-executor rate). Each figure says
 * where it comes from; change it here.
 */

/** The lab's day: 20 h at the low rate, 4 h at the peak, peak = 4 × low. */
export const LAB_DAY = { lowHours: 20, peakHours: 4, peakOverLow: 4 } as const;

/**
 * The demo's scale: `npm start -- --profile short` (tools/demo/profiles.ts),
 * 1 producer at 600 records/s, 4 during the spike. Scales multiply it; the
 * seed's 1,000,000 records/s peak is the project's stated target.
 */
export const DEMO_SCALE = { lowRate: 600, peakRate: 2_400 } as const;
export const SCALE_FACTORS = [1, 10, 100, 1_000] as const;
export const SEED_PEAK_RATE = 1_000_000;

/**
 * Work per record, measured in the demo run reports/2026-11-23T04-22-24Z
 * (docs/demo.md: 69,356 records, 17,765 KiB; consumer 71.2 s billed at
 * 512 MB; DynamoDB 1,191 write and 1,546 read units). Small batches: at
 * larger scales batches are fuller and these overstate the serverless
 * fleets' per-record cost (docs/benchmarks.md: 3.2 write units per 1,000
 * records at batch 1,000 vs 17 here).
 */
export const WORK_PER_RECORD = {
  avgRecordBytes: (17_765 * 1024) / 69_356,
  consumerBilledMs: 71_200 / 69_356,
  consumerMemoryMb: 512,
  consumerInvocationsPerRecord: 160 / 69_356,
  dynamoWriteUnits: 1_191 / 69_356,
  dynamoReadUnits: 1_546 / 69_356,
} as const;

/**
 * Always-on parts of the serverless fleets: the closer ticks all minute
 * (scheduled every 60 s, ticking every 5 s: ~60 s billed a minute at
 * 256 MB), and the CloudWatch inventory the stack creates (27 custom
 * metrics, 1 dashboard, 3 alarms; docs/demo.md's run).
 */
export const ALWAYS_ON = {
  closerBilledSecondsPerHour: 3_600,
  closerMemoryMb: 256,
  closerInvocationsPerHour: 60,
  customMetrics: 27,
  dashboards: 1,
  alarms: 3,
} as const;

/** How the scaler runs, for its own cost. */
export interface ScalerActivity {
  name: string;
  /** Seconds between decisions. */
  tickSeconds: number;
  /** Scheduled invocations per hour (the schedule; rate(1 minute) = 60). */
  invocationsPerHour: number;
  /** Billed Lambda seconds per hour (a loop ticking inside each invocation runs all the time). */
  billedSecondsPerHour: number;
  memoryMb: number;
  /** Metrics requested from CloudWatch GetMetricData per decision. */
  cloudWatchMetricsPerDecision: number;
  /** DynamoDB read units per decision and per open shard (cheap signals from the control table). */
  dynamoReadUnitsPerShardPerDecision: number;
  /** DynamoDB read units per decision whatever the shards (the Queries' 4 KB rounding, the producers' items). */
  dynamoReadUnitsPerDecision: number;
  /** DynamoDB write units per decision: the scaler's memory (SCALER/STATE, with its snapshots). */
  dynamoWriteUnitsPerDecision: number;
  /** Seconds between a producer's demand items (one write unit each); 0 when producers write none. */
  producerHeartbeatSeconds: number;
  /** Records/s one producer writes, to count producers at a rate. */
  producerRecordsPerSecond: number;
}

/**
 * The scaler before issue 14, for comparison: a decision every 5 s inside a
 * 60 s schedule, 11 GetMetricData metrics per decision.
 */
export function cloudWatchScaler(
  tickSeconds: number,
  metricsPerDecision: number,
  memoryMb: number,
): ScalerActivity {
  return {
    name: `${tickSeconds} s decisions, ${metricsPerDecision} CloudWatch metrics each`,
    tickSeconds,
    invocationsPerHour: 60,
    billedSecondsPerHour: tickSeconds < 60 ? 3_600 : 60,
    memoryMb,
    cloudWatchMetricsPerDecision: metricsPerDecision,
    dynamoReadUnitsPerShardPerDecision: 0,
    dynamoReadUnitsPerDecision: 0,
    dynamoWriteUnitsPerDecision: 1,
    producerHeartbeatSeconds: 0,
    producerRecordsPerSecond: DEMO_PRODUCER_RATE,
  };
}

/** The demo's producer rate (tools/demo/profiles.ts short): producers are counted at it. */
export const DEMO_PRODUCER_RATE = 600;

/**
 * The scaler as it runs (issue 14): the same decisions from the control
 * table — 33 eventually consistent Queries (one per progress bucket and one
 * for the producers' items, 0.5 read units per 4 KB at least, a small shard
 * item ≈ 0.5 units at most) and the memory saved with its snapshots (≈ 3 KB, 3 write units) —
 * plus the producers' demand items, one write unit per producer every 2 s
 * (producer/producer-config.ts demandHeartbeatMs). No CloudWatch reads.
 */
export function cheapSignalScaler(tickSeconds: number, memoryMb: number): ScalerActivity {
  return {
    ...cloudWatchScaler(tickSeconds, 0, memoryMb),
    name: `${tickSeconds} s decisions from the control table and the producers' items, no CloudWatch reads`,
    dynamoReadUnitsPerShardPerDecision: 0.5,
    // one Query per progress bucket (32, issue 15) and one for the producers, 0.5 units each at least
    dynamoReadUnitsPerDecision: 0.5 * 33,
    dynamoWriteUnitsPerDecision: 3,
    producerHeartbeatSeconds: 2,
  };
}

/**
 * The lab's static EMR Spark cluster, as the lab sized it: one primary node
 * plus core nodes running one executor each, all day, enough executors for
 * the peak at the same target utilisation as the shards.
 *
 * Instance: m5.xlarge (4 vCPU, 16 GiB; the general-purpose type EMR's
 * console proposes) at $0.192/h EC2 + $0.048/h EMR, us-east-1 on-demand
 * (https://aws.amazon.com/emr/pricing/ — the EMR uplift for m5.xlarge is
 * 25 % of its EC2 price; https://aws.amazon.com/ec2/pricing/on-demand/),
 * looked up 2026-11-23.
 *
 * Per-executor rate: 10,000 records/s (4 cores at 2,500 records/s each for
 * parsing JSON, event-time windows with a watermark, and Kinesis reads). An
 * assumption, bracketed by two measured figures: the lab itself sized one
 * executor per producer (800 records/s, `--executor-rate 800` reproduces
 * its 4 executors for 4 producers), and this project's own decode + window
 * + aggregate core does 928,785 records/s on one core without any I/O
 * (docs/benchmarks.md). Change it with `--executor-rate`.
 */
export const EMR_SPARK = {
  instanceType: 'm5.xlarge',
  ec2Hour: 0.192,
  emrHour: 0.048,
  primaryNodes: 1,
  executorsPerInstance: 1,
  executorRecordsPerSecond: 10_000,
  labExecutorRecordsPerSecond: 800,
  sources: [
    'https://aws.amazon.com/emr/pricing/ (EMR uplift $0.048/h for m5.xlarge)',
    'https://aws.amazon.com/ec2/pricing/on-demand/ (m5.xlarge $0.192/h, us-east-1, Linux)',
  ],
  asOf: '2026-11-23',
} as const;
