/**
 * ParallelizationFactor lanes: a record goes to the lane its partition key
 * hashes to, so records of one key stay in one lane, in shard order (AWS
 * keeps order per partition key, not per shard, when PF > 1).
 */

/** FNV-1a 32-bit of the key's UTF-16 code units: stable, cheap, well spread. */
export function partitionKeyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function laneOf(partitionKey: string, lanes: number): number {
  return lanes <= 1 ? 0 : partitionKeyHash(partitionKey) % lanes;
}
