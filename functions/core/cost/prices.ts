/**
 * The price table: AWS us-east-1 list prices (USD, no free tier, no savings
 * plans), with where each number comes from and when it was looked up.
 * Everything in `npm run cost` and the scaler's EstimatedCostPerHour metric
 * is priced from this one object; change it here when prices change.
 *
 * Looked up 2026-11-23 from the pages listed in `sources`. Where the AWS
 * pricing page text available to us showed the structure but not the number
 * (Kinesis on-demand rates), the figure is the commonly cited list price and
 * the note says so; check it on https://aws.amazon.com/kinesis/data-streams/pricing/
 * before relying on on-demand figures.
 */

export interface PriceTable {
  region: string;
  currency: 'USD';
  asOf: string;
  kinesis: {
    /** Provisioned mode: per shard per hour. */
    shardHour: number;
    /** Provisioned mode: per million PUT payload units (each record is ceil(size / 25 KB) units). */
    putPayloadUnitsPerMillion: number;
    putPayloadUnitBytes: number;
    /** On-demand mode: per stream per hour. */
    onDemandStreamHour: number;
    /** On-demand mode: per GB written; each record's size is rounded up to 1 KB. */
    onDemandDataInPerGb: number;
    /** On-demand mode: per GB read by consumers (shared-throughput consumers). */
    onDemandDataOutPerGb: number;
    onDemandRecordRoundingBytes: number;
  };
  lambda: {
    requestsPerMillion: number;
    /** x86, first tier. */
    gbSecond: number;
  };
  dynamodb: {
    /** On-demand. */
    writeRequestUnitsPerMillion: number;
    readRequestUnitsPerMillion: number;
  };
  cloudwatch: {
    /** Per custom metric (name + dimension set) per month, first 10,000. */
    customMetricMonth: number;
    /** GetMetricData: per 1,000 metrics requested. */
    getMetricDataPerThousandMetrics: number;
    /** Per dashboard per month (beyond the 3 free ones; we price every dashboard). */
    dashboardMonth: number;
    /** Per standard-resolution alarm metric per month. */
    alarmMonth: number;
  };
  /** Hours in the month CloudWatch monthly prices are prorated over (AWS uses 730). */
  hoursPerMonth: number;
  sources: Array<{ item: string; url: string; note?: string }>;
}

export const PRICES: PriceTable = {
  region: 'us-east-1',
  currency: 'USD',
  asOf: '2026-11-23',
  kinesis: {
    shardHour: 0.015,
    putPayloadUnitsPerMillion: 0.014,
    putPayloadUnitBytes: 25 * 1024,
    onDemandStreamHour: 0.04,
    onDemandDataInPerGb: 0.08,
    onDemandDataOutPerGb: 0.04,
    onDemandRecordRoundingBytes: 1024,
  },
  lambda: {
    requestsPerMillion: 0.2,
    gbSecond: 0.0000166667,
  },
  dynamodb: {
    writeRequestUnitsPerMillion: 0.625,
    readRequestUnitsPerMillion: 0.125,
  },
  cloudwatch: {
    customMetricMonth: 0.3,
    getMetricDataPerThousandMetrics: 0.01,
    dashboardMonth: 3,
    alarmMonth: 0.1,
  },
  hoursPerMonth: 730,
  sources: [
    {
      item: 'Kinesis provisioned: shard-hour, PUT payload units (25 KB chunks)',
      url: 'https://aws.amazon.com/kinesis/data-streams/pricing/',
      note: 'PUT payload unit definition (25 KB chunks, per-million rate) from the AWS page; $0.015/shard-hour as used in c3x.dev/resources/aws/aws_kinesis_stream (5 × $0.015 × 730 = $54.75) and kindatechnical.com lesson 29; $0.014 per million PUT payload units as quoted for us-east-1 / us-west-2 in github.com/EveryMundo/aws-kinesis-client docs.',
    },
    {
      item: 'Kinesis on-demand: stream-hour, data in, data out',
      url: 'https://aws.amazon.com/kinesis/data-streams/pricing/',
      note: 'The AWS page confirms the model (per stream-hour, per GB in with records rounded up to 1 KB, per GB out); $0.04/stream-hour, $0.08/GB in, $0.04/GB out are the commonly cited us-east-1 list prices, not readable in the page text we had. Third-party pages disagree (c3x.dev lists $0.04/GB in) — verify before relying on on-demand figures.',
    },
    {
      item: 'Lambda requests and GB-seconds (x86)',
      url: 'https://aws.amazon.com/lambda/pricing/',
      note: '$0.20 per 1M requests; $0.0000166667 per GB-second (shown rounded as $0.00001667 in the page examples and in https://docs.aws.amazon.com/whitepapers/latest/how-aws-pricing-works/lambda.html). Kinesis event source polling itself is free; each batch invocation is a request.',
    },
    {
      item: 'DynamoDB on-demand request units',
      url: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
      note: '$0.625 per million write request units and $0.125 per million read request units (after the November 2024 on-demand price reduction), as listed at https://airbyte.com/data-engineering-resources/dynamodb-pricing; older pages quote $1.25 / $0.25.',
    },
    {
      item: 'CloudWatch custom metrics, GetMetricData, dashboards, alarms',
      url: 'https://aws.amazon.com/cloudwatch/pricing/',
      note: '$0.30 per metric-month (first 10,000; https://cal53.calculator.city/cloudwatch-custom-metrics-calculator/), $0.01 per 1,000 metrics requested by GetMetricData (https://support.site24x7.com/portal/en/kb/articles/aws-cloudwatch-metrics-cost-calculation), $3 per dashboard-month (https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/), $0.10 per standard alarm-month (https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm).',
    },
  ],
};
