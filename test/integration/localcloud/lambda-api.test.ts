/**
 * The Lambda API of the embedded cloud through @aws-sdk/client-lambda:
 * functions from a hot-reload directory and from a ZipFile, Invoke with the
 * environment and context Lambda gives, handler errors and timeouts in AWS's
 * shapes, code/config updates replacing warm workers, reserved concurrency
 * throttling, EMF lines becoming metrics, AWS/Lambda metrics, schedules.
 */
import { deflateRawSync, crc32 } from 'node:zlib';
import { join } from 'node:path';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionUrlConfigCommand,
  InvokeCommand,
  ListFunctionsCommand,
  PutFunctionConcurrencyCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventsApi } from '../../../localcloud/deploy/events-api';
import {
  FIXTURES,
  ROLE,
  eventually,
  startLambdaCloud,
  type LambdaTestCloud,
} from './lambda-helpers';

let cloud: LambdaTestCloud;
beforeAll(async () => {
  cloud = await startLambdaCloud({}, 60);
});
afterAll(async () => cloud?.stop());

const decode = (p: Uint8Array | undefined) =>
  JSON.parse(Buffer.from(p ?? new Uint8Array()).toString('utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads arbitrary JSON

async function create(name: string, dir: string, extra: Record<string, unknown> = {}) {
  return cloud.clients.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs22.x',
      Role: ROLE,
      Handler: 'index.handler',
      Code: { S3Bucket: 'hot-reload', S3Key: join(FIXTURES, dir) },
      ...extra,
    }),
  );
}

async function invoke(name: string, payload: unknown, logTail = false) {
  return cloud.clients.lambda.send(
    new InvokeCommand({
      FunctionName: name,
      Payload: Buffer.from(JSON.stringify(payload)),
      ...(logTail ? { LogType: 'Tail' as const } : {}),
    }),
  );
}

/** A one-file ZIP archive (deflated), as `zip` makes it. */
function zipOf(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const packed = deflateRawSync(data);
  const crc = crc32(data);
  const nameBuf = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(packed.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBuf.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(packed.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBuf.length, 28);
  central.writeUInt32LE(0, 42);
  const cdOffset = local.length + nameBuf.length + packed.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBuf.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, nameBuf, packed, central, nameBuf, end]);
}

describe('Lambda API on the embedded cloud', () => {
  it('runs a hot-reload bundle with Lambda environment and context, and reports it in Get/List', async () => {
    const created = await create('echo', 'echo', {
      Environment: { Variables: { GREETING: 'hi' } },
      MemorySize: 256,
      Timeout: 7,
    });
    expect(created.State).toBe('Active');
    const out = await invoke('echo', { hello: 'world' }, true);
    expect(out.FunctionError).toBeUndefined();
    const body = decode(out.Payload);
    expect(body.event).toEqual({ hello: 'world' });
    expect(body.env).toMatchObject({
      AWS_ENDPOINT_URL: cloud.core.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: 'echo',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      _HANDLER: 'index.handler',
      LAMBDA_TASK_ROOT: join(FIXTURES, 'echo'),
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_ACCESS_KEY_ID: 'test',
      GREETING: 'hi',
    });
    expect(body.context.functionName).toBe('echo');
    expect(body.context.invokedFunctionArn).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:echo',
    );
    expect(body.context.memoryLimitInMB).toBe('256');
    expect(body.context.logGroupName).toBe('/aws/lambda/echo');
    expect(body.context.remaining).toBeGreaterThan(0);
    expect(body.context.remaining).toBeLessThanOrEqual(7000);
    expect(Buffer.from(out.LogResult!, 'base64').toString()).toContain('echo {"hello":"world"}');
    // console output lands in the cloud log under the function's name, with Lambda's prefix
    expect(
      cloud.logs.some(
        (l) => l.source === 'echo' && /\tINFO\techo \{"hello":"world"\}/.test(l.line),
      ),
    ).toBe(true);

    const got = await cloud.clients.lambda.send(
      new GetFunctionCommand({
        FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:echo',
      }),
    );
    expect(got.Configuration?.Timeout).toBe(7);
    expect(got.Configuration?.Environment?.Variables).toEqual({ GREETING: 'hi' });
    const list = await cloud.clients.lambda.send(new ListFunctionsCommand({}));
    expect(list.Functions?.map((f) => f.FunctionName)).toContain('echo');
  });

  it('returns handler errors as FunctionError Unhandled with errorType and errorMessage', async () => {
    const out = await invoke('echo', { throw: 'boom' });
    expect(out.FunctionError).toBe('Unhandled');
    expect(decode(out.Payload)).toMatchObject({ errorType: 'PlannedError', errorMessage: 'boom' });
  });

  it('enforces the timeout: the worker is terminated and the error names the limit', async () => {
    await create('slow', 'echo', { Timeout: 1 });
    const out = await invoke('slow', { sleepMs: 5000 });
    expect(out.FunctionError).toBe('Unhandled');
    expect(decode(out.Payload).errorMessage).toMatch(/Task timed out after 1\.00 seconds/);
    // The next invocation gets a fresh environment and works.
    const again = await invoke('slow', { quick: true });
    expect(again.FunctionError).toBeUndefined();
  });

  it('UpdateFunctionCode and UpdateFunctionConfiguration replace warm workers', async () => {
    const zip = zipOf(
      'index.mjs',
      "export const handler = async () => ({ version: 'zip-v1', greeting: process.env.GREETING ?? null });",
    );
    await cloud.clients.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'zipped',
        Runtime: 'nodejs22.x',
        Role: ROLE,
        Handler: 'index.handler',
        Code: { ZipFile: zip },
      }),
    );
    expect(decode((await invoke('zipped', {})).Payload)).toEqual({
      version: 'zip-v1',
      greeting: null,
    });
    const zip2 = zipOf(
      'index.mjs',
      "export const handler = async () => ({ version: 'zip-v2', greeting: process.env.GREETING ?? null });",
    );
    await cloud.clients.lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'zipped', ZipFile: zip2 }),
    );
    expect(decode((await invoke('zipped', {})).Payload)).toEqual({
      version: 'zip-v2',
      greeting: null,
    });
    await cloud.clients.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'zipped',
        Environment: { Variables: { GREETING: 'new' } },
      }),
    );
    expect(decode((await invoke('zipped', {})).Payload)).toEqual({
      version: 'zip-v2',
      greeting: 'new',
    });
  });

  it('names missing functions and unsupported code the AWS way', async () => {
    await expect(invoke('nope', {})).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(create('bad-code', 'does-not-exist')).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
    await expect(
      cloud.clients.lambda.send(
        new CreateFunctionCommand({
          FunctionName: 's3code',
          Runtime: 'nodejs22.x',
          Role: ROLE,
          Handler: 'index.handler',
          Code: { S3Bucket: 'real-bucket', S3Key: 'x.zip' },
        }),
      ),
    ).rejects.toThrow(/hot-reload/);
    await expect(create('echo', 'echo')).rejects.toMatchObject({
      name: 'ResourceConflictException',
    });
    await expect(
      cloud.clients.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'echo' })),
    ).rejects.toThrow(/does not implement lambda:GET \/2021-10-31\/functions\/echo\/url/);
  });

  it('reserved concurrency 0 throttles Invoke with TooManyRequestsException and counts Throttles', async () => {
    await create('reserved', 'echo');
    await cloud.clients.lambda.send(
      new PutFunctionConcurrencyCommand({
        FunctionName: 'reserved',
        ReservedConcurrentExecutions: 0,
      }),
    );
    expect(
      (
        await cloud.clients.lambda.send(
          new GetFunctionConcurrencyCommand({ FunctionName: 'reserved' }),
        )
      ).ReservedConcurrentExecutions,
    ).toBe(0);
    await expect(invoke('reserved', {})).rejects.toMatchObject({
      name: 'TooManyRequestsException',
    });
    const data = await metricSum('AWS/Lambda', 'Throttles', { FunctionName: 'reserved' });
    expect(data).toBe(1);
    // An async invoke is accepted and waits for an environment that never comes; stopping the cloud (afterAll) ends it.
    const queued = await cloud.clients.lambda.send(
      new InvokeCommand({
        FunctionName: 'reserved',
        InvocationType: 'Event',
        Payload: Buffer.from('{}'),
      }),
    );
    expect(queued.StatusCode).toBe(202);
    await cloud.clients.lambda.send(new DeleteFunctionCommand({ FunctionName: 'reserved' }));
  });

  it('turns stdout lines in Embedded Metric Format into metrics, and publishes AWS/Lambda metrics', async () => {
    await create('emf', 'emf');
    for (const count of [3, 4])
      expect((await invoke('emf', { count })).FunctionError).toBeUndefined();
    await eventually(
      'EMF metric',
      async () => (await metricSum('FixtureApp', 'RecordsSeen', { Pipeline: 'fixture' })) === 7,
    );
    expect(await metricSum('AWS/Lambda', 'Invocations', { FunctionName: 'emf' })).toBe(2);
    expect(await metricSum('AWS/Lambda', 'Errors', { FunctionName: 'emf' })).toBe(0);
    expect(await metricSum('AWS/Lambda', 'Duration', { FunctionName: 'emf' })).toBeGreaterThan(0);
  });

  it('fires a rate schedule with the speed-up and delivers the scheduled event to the Lambda target', async () => {
    const api = new EventsApi({
      endpoint: cloud.core.endpoint,
      region: 'us-east-1',
      accessKeyId: 'test',
      secretAccessKey: 'test',
    });
    await create('ticker', 'emf');
    // speed-up 60: rate(1 minute) fires every second
    await api.call('PutRule', { Name: 'tick', ScheduleExpression: 'rate(1 minute)' });
    await api.call('PutTargets', {
      Rule: 'tick',
      Targets: [
        {
          Id: 't',
          Arn: 'arn:aws:lambda:us-east-1:000000000000:function:ticker',
          Input: '{"count":10}',
        },
      ],
    });
    expect(await api.call('DescribeRule', { Name: 'tick' })).toMatchObject({
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
    });
    await eventually(
      'two firings',
      async () => (await metricSum('AWS/Lambda', 'Invocations', { FunctionName: 'ticker' })) >= 2,
      10_000,
    );
    expect(
      await metricSum('FixtureApp', 'RecordsSeen', { Pipeline: 'fixture' }),
    ).toBeGreaterThanOrEqual(7 + 20);
    await api.call('DisableRule', { Name: 'tick' });
    const fired = cloud.events.firings('tick');
    await new Promise((r) => setTimeout(r, 1500));
    expect(cloud.events.firings('tick')).toBe(fired);
    await expect(
      api.call('PutRule', { Name: 'bad', ScheduleExpression: 'rate(1 minutes)' }),
    ).rejects.toMatchObject({ code: 'ValidationException' });
  });
});

async function metricSum(
  namespace: string,
  name: string,
  dims: Record<string, string>,
): Promise<number> {
  const now = Date.now();
  const r = await cloud.clients.cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(now - 600_000),
      EndTime: new Date(now + 60_000),
      MetricDataQueries: [
        {
          Id: 'm',
          MetricStat: {
            Metric: {
              Namespace: namespace,
              MetricName: name,
              Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })),
            },
            Period: 60,
            Stat: 'Sum',
          },
        },
      ],
    }),
  );
  return (r.MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0);
}
