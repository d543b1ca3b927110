/**
 * Counters shared by the writers of a run (plain data): what the progress
 * view, the metrics publisher and the summary read.
 */
export interface ProducerStats {
  /** records handed to writers by the generators */
  generated: number;
  /** record put attempts (first tries and retries) */
  sent: number;
  accepted: number;
  acceptedBytes: number;
  /** per-record ProvisionedThroughputExceededException answers */
  throttled: number;
  /** other per-record failures (InternalFailure, ...) and records of failed calls */
  failed: number;
  /** records re-queued for another attempt */
  retried: number;
  /** records held in the writers now (queued, awaiting a retry, in flight): demand not yet in */
  pending: number;
  calls: number;
  callErrors: number;
  /** generated records by kind */
  valid: number;
  late: number;
  malformed: number;
  /**
   * The producers' own write limit (learned from throttling, records/s):
   * summed over the open shards and per shard (mean), next to the stream's
   * capacity (open shards × the per-shard write limit).
   */
  limit: { total: number; perShard: number; shards: number; streamCapacity: number };
}

export const emptyStats = (): ProducerStats => ({
  generated: 0,
  sent: 0,
  accepted: 0,
  acceptedBytes: 0,
  throttled: 0,
  failed: 0,
  retried: 0,
  pending: 0,
  calls: 0,
  callErrors: 0,
  valid: 0,
  late: 0,
  malformed: 0,
  limit: { total: 0, perShard: 0, shards: 0, streamCapacity: 0 },
});
