/**
 * Reads the scaler's cheap signals from the control table: the consumers'
 * per-shard totals (pk WM#<bucket>, sk SHARD#…, written on the progress
 * write they make anyway) and the producers' demand items (pk PRODUCER):
 * one eventually consistent Query per bucket and one for the producers. Turning them into rates is the
 * pure core's job (functions/core/scaling/control-signals.ts).
 */
import { QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { ControlSnapshot, ShardCounters } from '../core/scaling/control-signals';
import { ALL_BUCKETS, SHARD_SK_PREFIX, progressPk } from '../core/table-layout';
import { readProducerDemand } from '../store/producer-demand-store';

const SHARD_PREFIX = SHARD_SK_PREFIX;
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Shard items live in write-sharded buckets (WM#<bucket>, issue 15): one Query per bucket. */
async function readShardCounters(
  db: DynamoDBClient,
  table: string,
): Promise<Record<string, ShardCounters>> {
  const shards: Record<string, ShardCounters> = {};
  await Promise.all(ALL_BUCKETS.map((b) => readBucket(db, table, b, shards)));
  return shards;
}

async function readBucket(
  db: DynamoDBClient,
  table: string,
  bucket: number,
  shards: Record<string, ShardCounters>,
): Promise<void> {
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :shard)',
        ExpressionAttributeValues: marshall({ ':pk': progressPk(bucket), ':shard': SHARD_PREFIX }),
        ProjectionExpression:
          'sk, processedRecords, busyMs, lastSeenAt, lastIteratorAgeMs, lastBatchPartial',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const raw of out.Items ?? []) {
      const i = unmarshall(raw);
      shards[String(i.sk).slice(SHARD_PREFIX.length)] = {
        processedRecords: num(i.processedRecords),
        busyMs: num(i.busyMs),
        lastSeenAt: num(i.lastSeenAt),
        lastIteratorAgeMs: num(i.lastIteratorAgeMs),
        lastBatchPartial: i.lastBatchPartial === true,
      };
    }
    startKey = out.LastEvaluatedKey;
  } while (startKey);
}

export async function readControlSnapshot(
  db: DynamoDBClient,
  table: string,
  nowMs: number,
): Promise<ControlSnapshot> {
  const [shards, producerItems] = await Promise.all([
    readShardCounters(db, table),
    readProducerDemand(db, table),
  ]);
  const producers: ControlSnapshot['producers'] = {};
  for (const { producerId, ...counters } of producerItems) producers[producerId] = counters;
  return { at: nowMs, shards, producers };
}
