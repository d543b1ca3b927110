/**
 * The chaos suite's DynamoDB fault proxy does what each fault claims, as
 * the SDK sees it: passes calls through; in an outage every call fails; in
 * a throttling storm the SDK gets ProvisionedThroughputExceededException;
 * a "crash" applies the write and loses its answer (the item is there, the
 * caller got an error) — the partial batch a killed invocation leaves.
 */
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoClient } from '../../../functions/aws/clients';
import { resourceNames } from '../../../functions/config';
import { startDynamoFaultProxy, type DynamoFaultProxy } from '../../chaos/dynamodb-fault-proxy';
import { createTables, startDynalite, testClientEnv, type Dynalite } from '../../support/dynalite';

const PREFIX = 'proxy';
const TABLE = resourceNames(PREFIX).rejectsTable;
let db: Dynalite;
let proxy: DynamoFaultProxy;
let viaProxy: DynamoDBClient;
let direct: DynamoDBClient;

beforeAll(async () => {
  testClientEnv();
  db = await startDynalite();
  await createTables(db.endpoint, PREFIX);
  proxy = await startDynamoFaultProxy();
  proxy.retarget(db.endpoint);
  // One attempt: each call shows what the proxy did to it.
  viaProxy = dynamoClient({ endpoint: proxy.url, region: 'us-east-1', maxAttempts: 1 });
  direct = dynamoClient({ endpoint: db.endpoint, region: 'us-east-1' });
});
afterAll(async () => {
  viaProxy?.destroy();
  direct?.destroy();
  await proxy?.close();
  await db?.stop();
});

const put = (id: string) =>
  viaProxy.send(
    new PutItemCommand({
      TableName: TABLE,
      Item: { pk: { S: 'chaos' }, sk: { S: id } },
    }),
  );
const stored = async (id: string) =>
  (
    await direct.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: { pk: { S: 'chaos' }, sk: { S: id } },
      }),
    )
  ).Item !== undefined;

describe('the DynamoDB fault proxy', () => {
  it('passes calls through', async () => {
    proxy.mode = 'pass';
    await put('pass-1');
    expect(await stored('pass-1')).toBe(true);
  });

  it('fails every call in an outage, and nothing is written', async () => {
    proxy.mode = 'outage';
    for (const id of ['out-1', 'out-2']) {
      await expect(put(id)).rejects.toThrow();
      expect(await stored(id)).toBe(false);
    }
  });

  it('answers ProvisionedThroughputExceededException in a throttling storm', async () => {
    proxy.mode = 'throttle';
    await expect(put('thr-1')).rejects.toMatchObject({
      name: 'ProvisionedThroughputExceededException',
    });
    expect(await stored('thr-1')).toBe(false);
  });

  it('in a crash, applies writes and loses one answer in two', async () => {
    proxy.mode = 'crash';
    const results = await Promise.allSettled(['c-1', 'c-2', 'c-3', 'c-4'].map((id) => put(id)));
    expect(results.filter((r) => r.status === 'rejected').length).toBe(2);
    for (const id of ['c-1', 'c-2', 'c-3', 'c-4']) expect(await stored(id)).toBe(true);
  });
});
