/**
 * Reads the scaler's cheap signals from the control table: the consumers'
 * per-shard totals (pk WM, sk SHARD#…, written on the progress write they
 * make anyway) and the producers' demand items (pk PRODUCER), two
 * eventually consistent Queries per decision. Turning them into rates is the
 * pure core's job (functions/core/scaling/control-signals.ts).
 */
import { QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { ControlSnapshot, ShardCounters } from '../core/scaling/control-signals';
import { WATERMARK_PK, shardSk } from '../core/table-layout';
import { readProducerDemand } from '../store/producer-demand-store';

const SHARD_PREFIX = shardSk('');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

async function readShardCounters(
  db: DynamoDBClient,
  table: string,
): Promise<Record<string, ShardCounters>> {
  const shards: Record<string, ShardCounters> = {};
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :shard)',
        ExpressionAttributeValues: marshall({ ':pk': WATERMARK_PK, ':shard': SHARD_PREFIX }),
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
  return shards;
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
