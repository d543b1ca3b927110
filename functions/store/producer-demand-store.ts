/**
 * The producers' demand items in the control table (pk PRODUCER, sk
 * <producerId>): each producer run overwrites its own item every few seconds
 * with its running totals and the records it holds back (core/scaling/
 * control-signals.ts says what each field means). One small PutItem per
 * producer per heartbeat, and the scaler reads them all with one Query — the
 * cheap way for the scaler to see demand the stream never sees.
 */
import {
  DeleteItemCommand,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { ProducerCounters } from '../core/scaling/control-signals';

export const PRODUCER_PK = 'PRODUCER';

export interface ProducerDemandItem extends ProducerCounters {
  producerId: string;
}

export async function putProducerDemand(
  db: DynamoDBClient,
  table: string,
  item: ProducerDemandItem,
): Promise<void> {
  await db.send(
    new PutItemCommand({
      TableName: table,
      Item: marshall({ pk: PRODUCER_PK, sk: item.producerId, ...item }),
    }),
  );
}

/** A producer that stops removes its item: its held-back records are no longer demand. */
export async function deleteProducerDemand(
  db: DynamoDBClient,
  table: string,
  producerId: string,
): Promise<void> {
  await db.send(
    new DeleteItemCommand({
      TableName: table,
      Key: marshall({ pk: PRODUCER_PK, sk: producerId }),
    }),
  );
}

export async function readProducerDemand(
  db: DynamoDBClient,
  table: string,
): Promise<ProducerDemandItem[]> {
  const items: ProducerDemandItem[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': PRODUCER_PK }),
        ExclusiveStartKey: startKey,
      }),
    );
    for (const raw of out.Items ?? []) {
      const i = unmarshall(raw) as ProducerDemandItem;
      items.push({
        producerId: i.producerId,
        startedAt: i.startedAt,
        at: i.at,
        generated: i.generated,
        accepted: i.accepted,
        acceptedBytes: i.acceptedBytes,
        throttled: i.throttled,
        retried: i.retried,
        pending: i.pending,
      });
    }
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}
