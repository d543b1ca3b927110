/**
 * DynamoDB Streams on the embedded cloud (dynalite has none): a table's
 * StreamSpecification, LatestStreamArn on DescribeTable, the Streams API
 * (ListStreams, DescribeStream, GetShardIterator, GetRecords) with images as
 * the view type says; and DynamoDB stream → Lambda mappings: delivery in
 * order, filters, bisect with partial-batch responses, and the on-failure
 * destination with DDBStreamBatchInfo.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  PutItemCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { CreateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoClient } from '../../../functions/aws/clients';
import {
  eventually,
  mappingEnabled,
  startLambdaCloud,
  type LambdaTestCloud,
  createFixtureFunction,
} from './lambda-helpers';

interface Seen {
  names: string[];
  ids: string[];
  seqs: string[];
  newImages: Array<Record<string, unknown> | null>;
  oldImages: Array<Record<string, unknown> | null>;
  source: string;
  arn: string;
}

let cloud: LambdaTestCloud;
let db: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let dir: string;
beforeAll(async () => {
  cloud = await startLambdaCloud();
  const o = { endpoint: cloud.core.endpoint, region: 'us-east-1' };
  db = dynamoClient(o);
  streams = new DynamoDBStreamsClient({
    ...o,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  dir = mkdtempSync(join(tmpdir(), 'lambda-ddb-streams-'));
});
afterAll(async () => {
  db?.destroy();
  streams?.destroy();
  await cloud?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const seen = (file: string): Seen[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Seen)
    : [];

async function table(name: string, view?: string): Promise<string | undefined> {
  const r = await db.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      ...(view
        ? { StreamSpecification: { StreamEnabled: true, StreamViewType: view as 'NEW_IMAGE' } }
        : {}),
    }),
  );
  await eventually(
    'table ACTIVE',
    async () =>
      (await db.send(new DescribeTableCommand({ TableName: name }))).Table?.TableStatus ===
      'ACTIVE',
  );
  return r.TableDescription?.LatestStreamArn;
}

const put = (t: string, id: string, extra: Record<string, unknown> = {}) =>
  db.send(new PutItemCommand({ TableName: t, Item: { id: { S: id }, ...extra } as never }));

async function allRecords(arn: string) {
  const d = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
  const shard = d.StreamDescription!.Shards![0]!.ShardId!;
  const it = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: arn,
      ShardId: shard,
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  return (
    (await streams.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator! }))).Records ?? []
  );
}

describe('the DynamoDB Streams API', () => {
  it('reports the stream on the table and records INSERT, MODIFY, REMOVE with both images', async () => {
    const arn = await table('people', 'NEW_AND_OLD_IMAGES');
    expect(arn).toMatch(/^arn:aws:dynamodb:us-east-1:000000000000:table\/people\/stream\//);
    const d = await db.send(new DescribeTableCommand({ TableName: 'people' }));
    expect(d.Table).toMatchObject({
      LatestStreamArn: arn,
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    const listed = await streams.send(new ListStreamsCommand({ TableName: 'people' }));
    expect(listed.Streams?.map((s) => s.StreamArn)).toEqual([arn]);

    await put('people', 'a', { n: { N: '1' } });
    await put('people', 'a', { n: { N: '1' } }); // no change: no record
    await db.send(
      new UpdateItemCommand({
        TableName: 'people',
        Key: { id: { S: 'a' } },
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: { ':n': { N: '2' } },
      }),
    );
    await db.send(new DeleteItemCommand({ TableName: 'people', Key: { id: { S: 'a' } } }));
    const records = await allRecords(arn!);
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    expect(records[1]!.dynamodb).toMatchObject({
      Keys: { id: { S: 'a' } },
      OldImage: { id: { S: 'a' }, n: { N: '1' } },
      NewImage: { id: { S: 'a' }, n: { N: '2' } },
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
    expect(records[2]!.dynamodb?.NewImage).toBeUndefined();
    const seqs = records.map((r) => r.dynamodb!.SequenceNumber!);
    expect([...seqs].sort()).toEqual(seqs);
  });

  it('KEYS_ONLY carries no images; a stream enabled by UpdateTable sees later writes only', async () => {
    await table('plain');
    await put('plain', 'before');
    const u = await db.send(
      new UpdateTableCommand({
        TableName: 'plain',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
      }),
    );
    const arn = u.TableDescription!.LatestStreamArn!;
    await put('plain', 'after', { x: { S: 'y' } });
    const records = await allRecords(arn);
    expect(records).toHaveLength(1);
    expect(records[0]!.dynamodb).toMatchObject({
      Keys: { id: { S: 'after' } },
      StreamViewType: 'KEYS_ONLY',
    });
    expect(records[0]!.dynamodb!.NewImage).toBeUndefined();
  });
});

async function consumer(name: string, env: Record<string, string> = {}) {
  const file = join(dir, `${name}.jsonl`);
  await createFixtureFunction(cloud, name, 'ddb-stream-consumer', { RECORD_FILE: file, ...env });
  return file;
}

describe('DynamoDB stream → Lambda mappings', () => {
  it('delivers changes in order with the images, filtered on eventName', async () => {
    const arn = (await table('orders', 'NEW_IMAGE'))!;
    const file = await consumer('orders-stream-fn');
    const m = await cloud.clients.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'orders-stream-fn',
        EventSourceArn: arn,
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 10,
        FilterCriteria: {
          Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT', 'MODIFY'] }) }],
        },
      }),
    );
    expect(m).toMatchObject({ StartingPosition: 'TRIM_HORIZON', BatchSize: 10 });
    await mappingEnabled(cloud, m.UUID!);
    await put('orders', 'o1', { total: { N: '10' } });
    await put('orders', 'o1', { total: { N: '12' } });
    await db.send(new DeleteItemCommand({ TableName: 'orders', Key: { id: { S: 'o1' } } }));
    await put('orders', 'o2', { total: { N: '5' } });
    await eventually('three changes', () => seen(file).flatMap((s) => s.names).length >= 3);
    const runs = seen(file);
    expect(runs.flatMap((s) => s.names)).toEqual(['INSERT', 'MODIFY', 'INSERT']);
    expect(runs.flatMap((s) => s.ids)).toEqual(['o1', 'o1', 'o2']);
    expect(runs.flatMap((s) => s.newImages)[1]).toEqual({ id: { S: 'o1' }, total: { N: '12' } });
    expect(runs.flatMap((s) => s.oldImages)).toEqual([null, null, null]);
    expect(runs[0]).toMatchObject({ source: 'aws:dynamodb', arn });
  });

  it('bisects with partial-batch responses and sends what keeps failing to the SQS destination', async () => {
    const arn = (await table('ledger', 'NEW_AND_OLD_IMAGES'))!;
    const { QueueUrl } = await cloud.clients.sqs.send(
      new CreateQueueCommand({ QueueName: 'ledger-failures' }),
    );
    const q = await cloud.clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const file = await consumer('ledger-fn', { PARTIAL: '1' });
    const m = await cloud.clients.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'ledger-fn',
        EventSourceArn: arn,
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: 1,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: q.Attributes!.QueueArn! } },
      }),
    );
    await mappingEnabled(cloud, m.UUID!);
    for (const id of ['l1', 'l2', 'l3', 'l4'])
      await put('ledger', id, id === 'l3' ? { fail: { BOOL: true } } : {});
    const failure = await eventually('the failing record at the destination', async () => {
      const r = await cloud.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl }));
      return r.Messages?.[0];
    });
    const body = JSON.parse(failure.Body!) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- AWS's record
    expect(body.requestContext).toMatchObject({ condition: 'RetryAttemptsExhausted' });
    expect(body.DDBStreamBatchInfo).toMatchObject({ streamArn: arn, batchSize: 1 });
    const runs = seen(file);
    const l3seq = runs.find((s) => s.ids[0] === 'l3')!.seqs[0];
    expect(body.DDBStreamBatchInfo.startSequenceNumber).toBe(l3seq);
    // l4 comes after the failing record and is delivered once it is given up on.
    await eventually('l4 delivered', () => seen(file).some((s) => s.ids.includes('l4')));
    const firstSuccess = seen(file).flatMap((s) => s.ids);
    expect(firstSuccess.filter((id) => id === 'l1').length).toBeGreaterThanOrEqual(1);
  });
});
