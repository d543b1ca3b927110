/**
 * The running cost per hour of the elastic fleet at this moment, at list
 * prices: what the scaler publishes as EstimatedCostPerHour. Pure; the
 * scaler handler feeds it the current shard count and measured rates.
 */
import type { PriceTable } from './prices';

export interface HourlyRateInput {
  shards: number;
  recordsPerSecond: number;
  bytesPerSecond: number;
  /** Mean busy consumer lanes (seconds of handler time per second). */
  busyLanes: number;
  /** Consumer invocations per second (batches); 0 if unknown. */
  invocationsPerSecond: number;
  consumerMemoryMb: number;
}

/** PUT payload units of one record of this size (25 KB chunks, at least 1). */
export function putPayloadUnits(recordBytes: number, prices: PriceTable): number {
  return Math.max(1, Math.ceil(recordBytes / prices.kinesis.putPayloadUnitBytes));
}

export function costPerHour(i: HourlyRateInput, prices: PriceTable): number {
  const avgBytes = i.recordsPerSecond > 0 ? i.bytesPerSecond / i.recordsPerSecond : 0;
  const shards = i.shards * prices.kinesis.shardHour;
  const put =
    ((i.recordsPerSecond * 3600 * putPayloadUnits(avgBytes, prices)) / 1e6) *
    prices.kinesis.putPayloadUnitsPerMillion;
  const gbSeconds = i.busyLanes * 3600 * (i.consumerMemoryMb / 1024);
  const lambda =
    gbSeconds * prices.lambda.gbSecond +
    ((i.invocationsPerSecond * 3600) / 1e6) * prices.lambda.requestsPerMillion;
  return shards + put + lambda;
}
