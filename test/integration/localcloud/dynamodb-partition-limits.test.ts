/**
 * Per-partition-key throughput on the embedded cloud's DynamoDB (issue 15,
 * `npm run local -- --dynamodb-partition-limits`), through the real SDK: a
 * key over its units is refused with ProvisionedThroughputExceededException,
 * which the SDK knows as a throttle and retries; reads and writes have their
 * own budgets; without the option nothing is refused.
 */
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoreCloud, type CoreCloud } from '../../../localcloud/core-cloud';

let limited: CoreCloud;
let open: CoreCloud;

const client = (c: CoreCloud, maxAttempts?: number) =>
  new DynamoDBClient({
    endpoint: c.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    ...(maxAttempts ? { maxAttempts } : {}),
  });

async function table(db: DynamoDBClient): Promise<void> {
  await db.send(
    new CreateTableCommand({
      TableName: 'hot',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
}

const put = (pk: string, sk: string) =>
  new PutItemCommand({ TableName: 'hot', Item: { pk: { S: pk }, sk: { S: sk } } });

beforeAll(async () => {
  // No write unit at all: every write is over its key's budget, whenever it comes (no clock in the test).
  limited = await startCoreCloud({
    port: 0,
    emulators: 'inline',
    dynamodbPartitionLimits: { wcuPerSecond: 0, rcuPerSecond: 3000 },
  });
  open = await startCoreCloud({ port: 0, emulators: 'inline' });
  await table(client(limited));
  await table(client(open));
});

afterAll(async () => {
  await limited?.stop();
  await open?.stop();
});

describe('DynamoDB partition limits at the edge', () => {
  it('refuses a write over its key budget with ProvisionedThroughputExceededException', async () => {
    const err = await client(limited, 1)
      .send(put('W#1', 'P#a'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect((err as Error).message).toMatch(/provisioned throughput/);
  });

  it('is a throttle to the SDK: retried, then refused', async () => {
    const err = (await client(limited, 3)
      .send(put('W#1', 'P#b'))
      .catch((e: unknown) => e)) as ProvisionedThroughputExceededException;
    expect(err.name).toBe('ProvisionedThroughputExceededException');
    expect(err.$metadata.attempts).toBe(3);
  });

  it('keeps reads to their own budget: gets and queries of the key still answer', async () => {
    const db = client(limited, 1);
    const got = await db.send(
      new GetItemCommand({ TableName: 'hot', Key: { pk: { S: 'W#1' }, sk: { S: 'P#a' } } }),
    );
    expect(got.Item).toBeUndefined(); // the refused write left nothing
    const q = await db.send(
      new QueryCommand({
        TableName: 'hot',
        KeyConditionExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': 'pk' },
        ExpressionAttributeValues: { ':p': { S: 'W#1' } },
      }),
    );
    expect(q.Items).toEqual([]);
  });

  it('refuses nothing without the option', async () => {
    const db = client(open, 1);
    for (let i = 0; i < 5; i++) await db.send(put('W#1', `P#${i}`));
    const q = await db.send(
      new QueryCommand({
        TableName: 'hot',
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': { S: 'W#1' } },
      }),
    );
    expect(q.Items).toHaveLength(5);
  });
});
