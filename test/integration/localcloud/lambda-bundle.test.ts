/**
 * A bundle built the way `cdk synth` builds the stack's functions (esbuild,
 * ESM .mjs with the createRequire banner, the AWS SDK bundled in) runs on the
 * embedded Lambda as a Kinesis consumer and writes to DynamoDB through the
 * edge, found by the SDK from AWS_ENDPOINT_URL alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { CreateEventSourceMappingCommand, CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dynamoClient } from '../../../functions/aws/clients';
import { ESM_REQUIRE_BANNER } from '../../../infra/pipeline-function';
import {
  FIXTURES,
  ROLE,
  createStream,
  eventually,
  startLambdaCloud,
  type LambdaTestCloud,
} from './lambda-helpers';

let cloud: LambdaTestCloud;
let outDir: string;
beforeAll(async () => {
  cloud = await startLambdaCloud();
  outDir = mkdtempSync(join(tmpdir(), 'cloud-lambda-bundle-'));
});
afterAll(async () => {
  await cloud?.stop();
  rmSync(outDir, { recursive: true, force: true });
});

it('runs an ESM bundle with the AWS SDK inside, writing to DynamoDB through the edge', async () => {
  await build({
    entryPoints: [join(FIXTURES, 'ddb-writer', 'handler.ts')],
    outfile: join(outDir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    logLevel: 'silent',
  });
  const db = dynamoClient({ endpoint: cloud.core.endpoint, region: 'us-east-1' });
  try {
    await db.send(
      new CreateTableCommand({
        TableName: 'bundle-items',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      }),
    );
    const arn = await createStream(cloud.clients.kinesis, 'bundle-events', 2);
    await cloud.clients.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'bundle-consumer',
        Runtime: 'nodejs22.x',
        Role: ROLE,
        Handler: 'index.handler',
        Timeout: 30,
        MemorySize: 256,
        Code: { S3Bucket: 'hot-reload', S3Key: outDir },
        Environment: { Variables: { TABLE_NAME: 'bundle-items' } },
      }),
    );
    await cloud.clients.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'bundle-consumer',
        EventSourceArn: arn,
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 20,
      }),
    );
    const sent = Array.from({ length: 40 }, (_, i) => `{"event_id":"e${i}"}`);
    await cloud.clients.kinesis.send(
      new PutRecordsCommand({
        StreamName: 'bundle-events',
        Records: sent.map((d, i) => ({ PartitionKey: `user_${i}`, Data: Buffer.from(d) })),
      }),
    );
    const items = await eventually(
      'items in DynamoDB',
      async () => {
        const r = await db.send(new ScanCommand({ TableName: 'bundle-items' }));
        return (r.Items?.length ?? 0) === sent.length ? r.Items : undefined;
      },
      30_000,
      200,
    );
    expect(new Set(items!.map((i) => i.data!.S))).toEqual(new Set(sent));
    expect(new Set(items!.map((i) => i.shard!.S)).size).toBe(2);
  } finally {
    db.destroy();
  }
});
