/**
 * The pipeline's own CloudWatch metrics: published by the functions (EMF via
 * Powertools) and the producers (PutMetricData), read by the scaler, the
 * dashboard, the demo and the cost analysis. Namespace comes from config
 * (`metricsNamespace`, default "Streamscale"); every datum carries the
 * dimension `Pipeline = <prefix>` so several pipelines can share an account.
 *
 * These exist because LocalStack emits no AWS/Kinesis metrics; on AWS (and on
 * the embedded cloud) the service metrics are there as well.
 */
export const PIPELINE_DIMENSION = 'Pipeline';

export const Metric = {
  // producers
  IncomingRecords: 'IncomingRecords', // records Kinesis accepted (Count)
  IncomingBytes: 'IncomingBytes', // payload bytes accepted (Bytes)
  ThrottledRecords: 'ThrottledRecords', // records answered ProvisionedThroughputExceeded (Count)
  ProducerRetries: 'ProducerRetries', // records re-sent (Count)
  // consumer
  RecordsProcessed: 'RecordsProcessed', // records decoded by the consumer, valid or not (Count)
  RecordsRejected: 'RecordsRejected', // malformed records (Count); also per dimension Reason
  LateRecords: 'LateRecords', // valid records for already-closed windows (Count)
  PartialsWritten: 'PartialsWritten', // partial items written (Count)
  DuplicatePartials: 'DuplicatePartials', // partial writes skipped because already there (Count)
  ConsumerIteratorAge: 'ConsumerIteratorAge', // now - approximateArrivalTimestamp of the batch's oldest record (Milliseconds)
  ProvisionalLatency: 'ProvisionalLatency', // record arrival -> partial written (Milliseconds)
  // closer
  WindowsClosed: 'WindowsClosed', // finals written (Count)
  WatermarkLag: 'WatermarkLag', // now - global watermark (Milliseconds)
  FinalLatency: 'FinalLatency', // window end -> final written (Milliseconds)
  // scaler
  DesiredShards: 'DesiredShards',
  ActualShards: 'ActualShards',
  DesiredParallelization: 'DesiredParallelization',
  ActualParallelization: 'ActualParallelization',
  ConsumerConcurrency: 'ConsumerConcurrency', // shards x parallelization
  ScalingActions: 'ScalingActions', // 1 per change made (Count), dimension Action
  EstimatedCostPerHour: 'EstimatedCostPerHour', // USD/h at list prices (None)
} as const;

export type MetricName = (typeof Metric)[keyof typeof Metric];
