/**
 * A corpus of stacks wired the ways people commonly wire Kinesis, DynamoDB,
 * SQS and Lambda (written for this project, test/integration/corpus/apps/):
 * each is synthesized with the real CDK (cached per content), deployed on
 * the embedded cloud with the in-process deploy API, exercised with records,
 * and its AWS-correct outcome asserted. The functions use default SDK
 * clients and leave the SDK v3 to the runtime, as CDK's NodejsFunction does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import {
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import {
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  DynamoDBDocumentClient,
  DeleteCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployLocal } from '../../../localcloud/deploy/deploy-local';
import { startLocalCloud, type LocalCloud } from '../../../localcloud/start-local-cloud';
import { PROJECT_ROOT } from '../../support/synth-cache';
import { corpusAssemblies } from './corpus-assembly';

/** How long an outcome may take to show: event-source polling is about a second per hop, retries back off. */
const OUTCOME_MS = 60_000;

let cloud: LocalCloud;
let assemblies: string;
let stateDir: string;
const lines: string[] = [];
let clients: {
  kinesis: KinesisClient;
  db: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  sqs: SQSClient;
  lambda: LambdaClient;
};

beforeAll(async () => {
  assemblies = await corpusAssemblies();
  cloud = await startLocalCloud({
    port: 0,
    log: (source, line) => lines.push(`[${source}] ${line}`),
  });
  stateDir = mkdtempSync(join(tmpdir(), 'corpus-'));
  const o = {
    endpoint: cloud.endpoint,
    region: cloud.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  const db = new DynamoDBClient(o);
  clients = {
    kinesis: new KinesisClient(o),
    db,
    doc: DynamoDBDocumentClient.from(db),
    sqs: new SQSClient(o),
    lambda: new LambdaClient(o),
  };
}, 600_000);
afterAll(async () => {
  if (clients) for (const c of Object.values(clients)) c.destroy();
  await cloud?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

async function deploy(name: string) {
  const log: string[] = [];
  const r = await deployLocal({
    endpoint: cloud.endpoint,
    cdkOut: join(assemblies, name),
    synth: false,
    projectRoot: PROJECT_ROOT,
    stateDir,
    log: (l) => log.push(l),
  });
  return { outputs: r.stacks[0]!.outputs as Record<string, string>, log };
}

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + OUTCOME_MS;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function putRecords(stream: string, bodies: unknown[]) {
  await clients.kinesis.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: bodies.map((b, i) => ({
        PartitionKey: `pk-${i}`,
        Data: Buffer.from(typeof b === 'string' ? b : JSON.stringify(b)),
      })),
    }),
  );
}

async function ids(table: string): Promise<string[]> {
  const r = await clients.db.send(new ScanCommand({ TableName: table }));
  return (r.Items ?? []).map((i) => i.id!.S!).sort();
}

async function drain(queueUrl: string, want: number): Promise<string[]> {
  const got: string[] = [];
  await eventually(`${want} messages`, async () => {
    const r = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    got.push(...(r.Messages ?? []).map((m) => m.Body!));
    return got.length >= want;
  });
  return got;
}

const invoke = async (name: string, payload: unknown) => {
  const out = await clients.lambda.send(
    new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)) }),
  );
  const body = JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8')) as Record<
    string,
    unknown
  >;
  expect(out.FunctionError, JSON.stringify(body)).toBeUndefined();
  return body;
};

describe('corpus: Kinesis → Lambda', () => {
  it('KinesisEventSource into a table: every record written once, by a function using the runtime SDK', async () => {
    const { outputs } = await deploy('CorpusKinesisToTable');
    const want = Array.from({ length: 30 }, (_, i) => `k-${String(i).padStart(2, '0')}`);
    await putRecords(
      outputs.StreamName!,
      want.map((id) => ({ id })),
    );
    await eventually('30 items', async () => (await ids(outputs.TableName!)).length >= 30);
    expect(await ids(outputs.TableName!)).toEqual(want);
  });

  it('KinesisConsumerEventSource (enhanced fan-out consumer): records pushed to the function', async () => {
    const { outputs } = await deploy('CorpusKinesisFanOut');
    expect(outputs.ConsumerArn).toMatch(
      /^arn:aws:kinesis:us-east-1:000000000000:stream\/.+\/consumer\/corpus-efo:\d+$/,
    );
    await putRecords(outputs.StreamName!, [{ id: 'efo-1' }, { id: 'efo-2' }]);
    await eventually('both items', async () => (await ids(outputs.TableName!)).length >= 2);
    expect(await ids(outputs.TableName!)).toEqual(['efo-1', 'efo-2']);
  });

  it('FilterCriteria: only matching records reach the function (OR of two filters, numeric range, non-JSON dropped)', async () => {
    const { outputs } = await deploy('CorpusKinesisFilters');
    const records = [
      { kind: 'order', total: 50, n: 1 },
      { kind: 'order', total: 500, n: 2 },
      { kind: 'refund', n: 3 },
      { kind: 'ping', n: 4 },
      'not json',
      { kind: 'order', total: 10, n: 5 },
    ];
    await putRecords(outputs.StreamName!, records);
    // FilterRule.between(10, 100) is {"numeric": [">", 10, "<=", 100]}: a total of 10 is out.
    const got = await drain(outputs.QueueUrl!, 2);
    expect(got.map((b) => (JSON.parse(b) as { n: number }).n).sort()).toEqual([1, 3]);
  });

  it('bisect + partial-batch responses + SQS on-failure destination: the poison record alone is given up on', async () => {
    const { outputs } = await deploy('CorpusKinesisBisectDlq');
    const records = Array.from({ length: 10 }, (_, i) =>
      i === 5 ? { id: 'p-05', poison: true } : { id: `p-0${i}` },
    );
    await putRecords(outputs.StreamName!, records);
    const [failure] = await drain(outputs.FailuresUrl!, 1);
    const record = JSON.parse(failure!) as {
      requestContext: { condition: string };
      KinesisBatchInfo: { batchSize: number };
    };
    expect(record.requestContext.condition).toBe('RetryAttemptsExhausted');
    expect(record.KinesisBatchInfo.batchSize).toBe(1);
    await eventually(
      'the nine good records',
      async () => (await ids(outputs.TableName!)).length >= 9,
    );
    expect(await ids(outputs.TableName!)).toEqual(
      records
        .filter((r) => !('poison' in r))
        .map((r) => r.id)
        .sort(),
    );
  });
});

describe('corpus: DynamoDB Streams and SQS → Lambda', () => {
  it('DynamoEventSource with a filter: INSERT and MODIFY with both images, REMOVE filtered out', async () => {
    const { outputs } = await deploy('CorpusDynamoStream');
    const t = outputs.TableName!;
    await clients.doc.send(new PutCommand({ TableName: t, Item: { id: 'o1', amount: 10 } }));
    await clients.doc.send(
      new UpdateCommand({
        TableName: t,
        Key: { id: 'o1' },
        UpdateExpression: 'SET amount = :t',
        ExpressionAttributeValues: { ':t': 12 },
      }),
    );
    await clients.doc.send(new DeleteCommand({ TableName: t, Key: { id: 'o1' } }));
    await clients.doc.send(new PutCommand({ TableName: t, Item: { id: 'o2', amount: 5 } }));
    const got = (await drain(outputs.QueueUrl!, 3)).map(
      (b) => JSON.parse(b) as { eventName: string; old?: unknown; new?: unknown },
    );
    expect(got.map((g) => g.eventName)).toEqual(['INSERT', 'MODIFY', 'INSERT']);
    expect(got[1]).toMatchObject({ old: { amount: { N: '10' } }, new: { amount: { N: '12' } } });
  });

  it('SqsEventSource with partial-batch responses: good messages done once, the bad one in the DLQ after maxReceiveCount', async () => {
    const { outputs } = await deploy('CorpusSqsSource');
    const bodies = ['j1', 'j2', 'bad', 'j3', 'j4', 'j5'];
    await clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: outputs.QueueUrl!,
        Entries: bodies.map((b, i) => ({ Id: String(i), MessageBody: b })),
      }),
    );
    expect(await drain(outputs.DeadUrl!, 1)).toEqual(['bad']);
    expect(await ids(outputs.TableName!)).toEqual(['j1', 'j2', 'j3', 'j4', 'j5']);
  });
});

describe('corpus: what such stacks also carry', () => {
  it('log groups with retention and Active tracing: deployed, reported as configured, functions run', async () => {
    const { outputs } = await deploy('CorpusLogGroups');
    const cfg = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: outputs.WithGroupName! }),
    );
    expect(cfg.TracingConfig).toEqual({ Mode: 'Active' });
    expect(cfg.LoggingConfig?.LogGroup).toBe(outputs.LogGroupName);
    expect(await invoke(outputs.WithGroupName!, {})).toMatchObject({
      logGroup: outputs.LogGroupName,
    });
    const defaultGroup = `/aws/lambda/${outputs.WithRetentionName}`;
    expect(await invoke(outputs.WithRetentionName!, {})).toMatchObject({ logGroup: defaultGroup });
    const logs = new CloudWatchLogsClient({ endpoint: cloud.endpoint, region: cloud.region });
    try {
      const retention = async (name: string) =>
        (
          await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }))
        ).logGroups?.find((g) => g.logGroupName === name)?.retentionInDays;
      expect(await retention(outputs.LogGroupName!)).toBe(7);
      expect(await retention(defaultGroup)).toBe(1);
      // Each function's output lands in the group it is configured with.
      for (const [group, fn] of [
        [outputs.LogGroupName!, outputs.WithGroupName!],
        [defaultGroup, outputs.WithRetentionName!],
      ])
        await eventually(`${fn}'s line in ${group}`, async () => {
          const r = await logs.send(
            new FilterLogEventsCommand({
              logGroupName: group,
              filterPattern: `"hello from ${fn}"`,
            }),
          );
          return (r.events?.length ?? 0) > 0;
        });
    } finally {
      logs.destroy();
    }
  });

  it('a stack output naming an unsupported resource: a named warning and a placeholder, never an abort', async () => {
    const { outputs, log } = await deploy('CorpusUnsupportedOutput');
    expect(log.join('\n')).toMatch(/AWS::ApiGatewayV2::Api is not emulated/);
    expect(outputs.ApiUrl).toEqual(expect.any(String));
    expect(await invoke(outputs.FunctionName!, {})).toMatchObject({
      function: outputs.FunctionName,
    });
  });

  it('a function carrying the AWS SDK v2 reaches the cloud unchanged', async () => {
    const { outputs } = await deploy('CorpusSdkV2');
    expect(await invoke(outputs.FunctionName!, { id: 'legacy-1' })).toEqual({
      id: 'legacy-1',
      via: 'sdk-v2',
    });
    expect(await ids(outputs.TableName!)).toEqual(['legacy-1']);
  });

  it('a Python function is refused up front, naming the runtime, and nothing is created', async () => {
    await expect(deploy('CorpusPython')).rejects.toThrow(
      /CorpusPython cannot be deployed here, nothing was created:[\s\S]*python3\.12/,
    );
    await expect(
      clients.sqs.send(new GetQueueUrlCommand({ QueueName: 'corpus-python-inbox' })),
    ).rejects.toMatchObject({
      name: expect.stringMatching(/QueueDoesNotExist|NonExistentQueue/),
    });
  });
});
