/**
 * The edge itself and DynamoDB behind it: routing by SigV4 service, AWS-shaped
 * errors for what the cloud does not implement (who may call: edge-guard.test.ts), a clear message when the
 * port is taken, and a conditional write through dynalite counted as
 * AWS/DynamoDB ConditionalCheckFailedRequests.
 */
import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  PutItemCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoClient } from '../../../functions/aws/clients';
import { startCoreCloud, type CoreCloud } from '../../../localcloud/core-cloud';

let cloud: CoreCloud;
let ddb: DynamoDBClient;

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  cloud = await startCoreCloud({ port: 0, log: () => {} });
  ddb = dynamoClient({ endpoint: cloud.endpoint, region: 'us-east-1', maxAttempts: 1 });
});
afterAll(async () => {
  ddb?.destroy();
  await cloud?.stop();
});

const auth = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;

describe('edge', () => {
  it('answers an unknown operation of a known service with a named AWS error', async () => {
    const r = await fetch(cloud.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'GraniteServiceVersion20100801.PutAnomalyDetector',
        authorization: auth('monitoring'),
      },
      body: '{}',
    });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { __type: string; message: string };
    expect(body.__type).toMatch(/UnknownOperationException$/);
    expect(body.message).toBe(
      'streamscale local cloud does not implement monitoring:PutAnomalyDetector',
    );
    const k = await fetch(cloud.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Kinesis_20131202.PutResourcePolicy',
        authorization: auth('kinesis'),
      },
      body: '{}',
    });
    expect(((await k.json()) as { message: string }).message).toBe(
      'streamscale local cloud does not implement kinesis:PutResourcePolicy',
    );
  });

  it('answers an unknown service with its signing name', async () => {
    const r = await fetch(cloud.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonAthena.StartQueryExecution',
        authorization: auth('athena'),
      },
      body: '{}',
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toBe(
      'streamscale local cloud does not implement athena:StartQueryExecution',
    );
  });

  it('says clearly when its port is taken', async () => {
    const port = Number(new URL(cloud.endpoint).port);
    await expect(startCoreCloud({ port, log: () => {} })).rejects.toThrow(
      `port ${port} on 127.0.0.1 is already in use`,
    );
  });
});

describe('dynamodb through the edge', () => {
  it('does conditional writes and counts capacity and failed conditions as AWS/DynamoDB metrics', async () => {
    await ddb.send(
      new CreateTableCommand({
        TableName: 'cond',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    await waitUntilTableExists(
      { client: ddb, maxWaitTime: 10, minDelay: 0.05 as number },
      { TableName: 'cond' },
    );
    const put = (v: string) =>
      ddb.send(
        new PutItemCommand({
          TableName: 'cond',
          Item: { pk: { S: 'a' }, v: { S: v } },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    const first = await put('1');
    expect(first.ConsumedCapacity).toBeUndefined(); // injected for the metric, stripped for the client
    await expect(put('2')).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    await expect(put('3')).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });

    const asked = await ddb.send(
      new PutItemCommand({
        TableName: 'cond',
        Item: { pk: { S: 'b' } },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    expect(asked.ConsumedCapacity?.CapacityUnits).toBe(1);

    const sum = (name: string) =>
      cloud.metrics
        .query({
          namespace: 'AWS/DynamoDB',
          name,
          dimensions: { TableName: 'cond' },
          start: new Date(Date.now() - 60_000),
          end: new Date(Date.now() + 1000),
          periodSeconds: 3600,
          stat: 'Sum',
        })
        .reduce((a, p) => a + p.value, 0);
    expect(sum('ConditionalCheckFailedRequests')).toBe(2);
    expect(sum('ConsumedWriteCapacityUnits')).toBe(2);

    await ddb.send(
      new UpdateTimeToLiveCommand({
        TableName: 'cond',
        TimeToLiveSpecification: { AttributeName: 'expires', Enabled: true },
      }),
    );
    expect(
      (await ddb.send(new DescribeTimeToLiveCommand({ TableName: 'cond' }))).TimeToLiveDescription,
    ).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expires' });
  });
});
