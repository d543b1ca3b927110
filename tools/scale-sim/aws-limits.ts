/**
 * The documented AWS limits the scale simulation holds the design to.
 * Hard limits cannot be raised; quotas can, on request.
 * Kinesis: https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
 * Lambda:  https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 *          https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html (ParallelizationFactor 1-10)
 * DynamoDB: AWS_PARTITION_LIMITS in dynamo-model.ts.
 */
export const KINESIS_LIMITS = {
  /** per shard, writes (hard) */
  recordsPerShardPerSecond: 1000,
  bytesPerShardPerSecond: 1024 * 1024,
  /** per shard, GetRecords calls (hard; every shared-throughput consumer of the shard shares them) */
  readsPerShardPerSecond: 5,
  /** quota: shards per account in us-east-1, us-west-2, eu-west-1 (200 elsewhere) */
  defaultShardQuota: 500,
} as const;

export const LAMBDA_LIMITS = {
  /** hard: concurrent batches per shard */
  maxParallelizationFactor: 10,
  /** quota: concurrent executions per account and region */
  defaultAccountConcurrency: 1000,
} as const;
