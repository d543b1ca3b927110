/** One Kinesis record as the event-source runtime carries it (plain data). */
export interface ShardRecord {
  sequenceNumber: string;
  partitionKey: string;
  /** base64, as the Lambda event carries it */
  data: string;
  /** ApproximateArrivalTimestamp, epoch ms */
  arrivalMs: number;
  /** the whole record as the source delivers it (DynamoDB Streams), when `data` is not all of it */
  payload?: Record<string, unknown>;
}

/** Sequence numbers are decimal strings that may exceed 2^53. */
export function compareSequence(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
