/**
 * Shared set-up of the Lambda tests: the core cloud on a free loopback port
 * with the Lambda and EventBridge planes added, SDK clients, fixture paths.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { CreateFunctionCommand, GetEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import {
  cloudWatchClient,
  kinesisClient,
  lambdaClient,
  sqsClient,
} from '../../../functions/aws/clients';
import { startCoreCloud, type CoreCloud } from '../../../localcloud/core-cloud';
import { createEventsService, type EventsService } from '../../../localcloud/events/index';
import {
  createLambdaService,
  type LambdaService,
  type LambdaServiceOptions,
} from '../../../localcloud/lambda/index';

export const FIXTURES = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'fixtures',
  'functions',
);
export const ROLE = 'arn:aws:iam::000000000000:role/fixture';

export interface LambdaTestCloud {
  core: CoreCloud;
  lambda: LambdaService;
  events: EventsService;
  clients: {
    lambda: ReturnType<typeof lambdaClient>;
    kinesis: KinesisClient;
    cloudwatch: ReturnType<typeof cloudWatchClient>;
    sqs: ReturnType<typeof sqsClient>;
  };
  logs: Array<{ source: string; line: string }>;
  stop(): Promise<void>;
}

export async function startLambdaCloud(
  opts: LambdaServiceOptions = {},
  speedup = 1,
): Promise<LambdaTestCloud> {
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  const logs: Array<{ source: string; line: string }> = [];
  const core = await startCoreCloud({
    port: 0,
    log: (source, line) => logs.push({ source, line }),
  });
  const lambda = createLambdaService(core.ctx, {
    // Fast loops so each test takes seconds; the behaviour is the same as with the defaults.
    idlePollMs: 100,
    activePollMs: 20,
    shardDiscoveryMs: 200,
    retryBaseMs: 50,
    retryMaxMs: 200,
    stateTransitionMs: 20,
    ...opts,
  });
  core.addService(lambda);
  const events = createEventsService(core.ctx, {
    speedup,
    invoke: (arn, payload) => lambda.invoke(arn, payload),
  });
  core.addService(events);
  const o = { endpoint: core.endpoint, region: 'us-east-1', maxAttempts: 1 };
  const clients = {
    lambda: lambdaClient(o),
    kinesis: kinesisClient(o),
    cloudwatch: cloudWatchClient(o),
    sqs: sqsClient(o),
  };
  return {
    core,
    lambda,
    events,
    clients,
    logs,
    async stop() {
      for (const c of Object.values(clients)) c.destroy();
      await core.stop();
    },
  };
}

export async function createStream(
  kinesis: KinesisClient,
  name: string,
  shards: number,
): Promise<string> {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  for (let i = 0; i < 400; i++) {
    const s = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (s.StreamDescriptionSummary?.StreamStatus === 'ACTIVE')
      return s.StreamDescriptionSummary.StreamARN!;
    await sleep(25);
  }
  throw new Error(`${name} did not become ACTIVE`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll until `check` returns a value (not undefined/false), at most `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** One invocation as the recorder fixture writes it (JSON line per invocation). */
export interface RecordedInvocation {
  requestId: string;
  first: string;
  seqs: string[];
  pks: string[];
  data: string[];
  shard: string;
  failed: boolean;
}

/**
 * Creates a function from a fixture folder (test/fixtures/lambda/<fixture>) as a hot-reload bundle,
 * the way every local Lambda test makes its functions; `timeout` in seconds (AWS's default 3 s
 * when absent).
 */
export async function createFixtureFunction(
  cloud: LambdaTestCloud,
  name: string,
  fixture: string,
  env: Record<string, string>,
  timeout?: number,
): Promise<void> {
  await cloud.clients.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs22.x',
      Role: ROLE,
      Handler: 'index.handler',
      Timeout: timeout,
      Code: { S3Bucket: 'hot-reload', S3Key: join(FIXTURES, fixture) },
      Environment: { Variables: env },
    }),
  );
}

/** Creates a recorder function writing into `file`; extra environment configures its failures. */
export async function createRecorder(
  cloud: LambdaTestCloud,
  name: string,
  file: string,
  env: Record<string, string> = {},
): Promise<void> {
  await createFixtureFunction(cloud, name, 'recorder', { RECORD_FILE: file, ...env }, 10);
}

export function recorded(file: string): RecordedInvocation[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RecordedInvocation);
}

/** Waits until the mapping reports Enabled. */
export async function mappingEnabled(cloud: LambdaTestCloud, uuid: string): Promise<void> {
  await eventually(
    'mapping Enabled',
    async () =>
      (await cloud.clients.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State ===
      'Enabled',
  );
}
