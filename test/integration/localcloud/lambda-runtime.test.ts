/**
 * What the embedded Lambda runtime provides, as AWS's Node.js runtime does:
 * the AWS SDK v3 for bundles that leave it out (ESM and CommonJS), default
 * clients reaching the cloud (AWS_ENDPOINT_URL for SDK v3; AWS's public
 * endpoints sent to the edge for a bundle carrying SDK v2), callback-style
 * handlers; runtimes AWS refuses are refused with AWS's message; tracing and
 * logging settings reported as configured; a timed-out invocation's Duration
 * not above its timeout.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoClient } from '../../../functions/aws/clients';
import { runtimeVersionNote } from '../../../localcloud/lambda/runtime/runtimes';
import { FIXTURES, ROLE, startLambdaCloud, type LambdaTestCloud } from './lambda-helpers';

let cloud: LambdaTestCloud;
let outside: string;
let db: ReturnType<typeof dynamoClient>;
const TABLE = 'runtime-items';

beforeAll(async () => {
  cloud = await startLambdaCloud();
  // Outside the repository: node_modules up the tree must not be what resolves the SDK.
  outside = mkdtempSync(join(tmpdir(), 'lambda-runtime-'));
  db = dynamoClient({ endpoint: cloud.core.endpoint, region: 'us-east-1' });
  await db.send(
    new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
});
afterAll(async () => {
  db?.destroy();
  await cloud?.stop();
  rmSync(outside, { recursive: true, force: true });
});

const decode = (p: Uint8Array | undefined) =>
  JSON.parse(Buffer.from(p ?? new Uint8Array()).toString('utf8')) as Record<string, unknown>;

function copyOut(fixture: string): string {
  const dir = join(outside, fixture);
  cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  return dir;
}

async function create(name: string, dir: string, extra: Record<string, unknown> = {}) {
  return cloud.clients.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs22.x',
      Role: ROLE,
      Handler: 'index.handler',
      Timeout: 10,
      Code: { S3Bucket: 'hot-reload', S3Key: dir },
      ...extra,
    }),
  );
}

async function invoke(name: string, payload: unknown, tail = false) {
  return cloud.clients.lambda.send(
    new InvokeCommand({
      FunctionName: name,
      Payload: Buffer.from(JSON.stringify(payload)),
      ...(tail ? { LogType: 'Tail' as const } : {}),
    }),
  );
}

async function item(id: string) {
  return (await db.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: id } } }))).Item;
}

describe('the runtime provides the AWS SDK v3', () => {
  it('to an ESM bundle that leaves it out, with default clients reaching the cloud', async () => {
    await create('sdk-esm', copyOut('sdk-from-runtime'), {
      Environment: { Variables: { TABLE } },
    });
    const out = await invoke('sdk-esm', { id: 'esm-1' });
    expect(out.FunctionError, Buffer.from(out.Payload!).toString()).toBeUndefined();
    expect(decode(out.Payload)).toMatchObject({ executionEnv: 'AWS_Lambda_nodejs22.x' });
    expect(await item('esm-1')).toMatchObject({ via: { S: 'esm' } });
  });

  it('names what it provides when a bundle imports an SDK package it does not have', async () => {
    const out = await invoke('sdk-esm', { id: 'x', missing: '@aws-sdk/client-not-a-service' });
    expect(out.FunctionError).toBe('Unhandled');
    const err = decode(out.Payload);
    expect(err.errorMessage).toMatch(/@aws-sdk\/client-not-a-service/);
    expect(err.errorMessage).toMatch(
      /provides only the AWS SDK v3 packages it has installed \(.*@aws-sdk\/client-dynamodb/,
    );
  });

  it('to a CommonJS bundle with a callback-style handler', async () => {
    const sqs = cloud.clients.sqs;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'runtime-cjs' }));
    await create('sdk-cjs', copyOut('sdk-from-runtime-cjs'), {
      Environment: { Variables: { QUEUE_URL: QueueUrl! } },
    });
    const out = await invoke('sdk-cjs', { body: 'from a callback handler' });
    expect(out.FunctionError, Buffer.from(out.Payload!).toString()).toBeUndefined();
    expect(decode(out.Payload).messageId).toEqual(expect.any(String));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: QueueUrl! }));
    expect(got.Messages?.map((m) => m.Body)).toEqual(['from a callback handler']);
  });
});

describe('a bundle carrying the AWS SDK v2', () => {
  it('reaches the cloud: requests for *.amazonaws.com go to the edge', async () => {
    const dir = join(outside, 'sdk-v2');
    await build({
      entryPoints: [join(FIXTURES, 'sdk-v2', 'handler.js')],
      outfile: join(dir, 'index.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      minify: true,
      logLevel: 'silent',
    });
    await create('sdk-v2', dir, { Environment: { Variables: { TABLE } } });
    const out = await invoke('sdk-v2', { id: 'v2-1' });
    expect(out.FunctionError, Buffer.from(out.Payload!).toString()).toBeUndefined();
    expect(decode(out.Payload)).toEqual({ id: 'v2-1', via: 'sdk-v2' });
    expect(await item('v2-1')).toMatchObject({ via: { S: 'sdk-v2' } });
  });
});

describe('runtimes and reported settings', () => {
  it("refuses runtimes AWS no longer creates with AWS's message, and non-Node runtimes by name", async () => {
    const dir = join(FIXTURES, 'echo');
    await expect(create('old-node', dir, { Runtime: 'nodejs14.x' })).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message:
        'The runtime parameter of nodejs14.x is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (nodejs24.x) while creating or updating functions.',
    });
    await expect(create('py', dir, { Runtime: 'python3.12' })).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: expect.stringMatching(/python3\.12 cannot run on the embedded local cloud/),
    });
  });

  it('states once when the declared Node.js is not the one the function runs on', async () => {
    await create('declared', join(FIXTURES, 'echo'));
    await cloud.clients.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'declared', Timeout: 9 }),
    );
    const expected = runtimeVersionNote('declared', 'nodejs22.x', process.version);
    const notes = cloud.logs.filter((l) => l.line.startsWith('declared declares'));
    expect(notes.map((l) => l.line)).toEqual(expected ? [expected] : []);
  });

  it('reports TracingConfig and LoggingConfig as configured', async () => {
    await create('traced', join(FIXTURES, 'echo'), {
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'Text', LogGroup: '/custom/traced' },
    });
    const cfg = await cloud.clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: 'traced' }),
    );
    expect(cfg.TracingConfig).toEqual({ Mode: 'Active' });
    expect(cfg.LoggingConfig).toMatchObject({ LogGroup: '/custom/traced' });
    const out = decode((await invoke('traced', {})).Payload);
    expect(out.context).toMatchObject({ logGroupName: '/custom/traced' });
  });

  it("reports a timed-out invocation's Duration at most its timeout", async () => {
    await create('slow', join(FIXTURES, 'echo'), { Timeout: 1 });
    const out = await invoke('slow', { sleepMs: 3000 }, true);
    expect(decode(out.Payload).errorType).toBe('Sandbox.Timedout');
    const report = Buffer.from(out.LogResult!, 'base64').toString('utf8');
    const duration = Number(/Duration: ([\d.]+) ms/.exec(report)?.[1]);
    expect(duration).toBeGreaterThan(0);
    expect(duration).toBeLessThanOrEqual(1000);
  });
});
