/**
 * deploy:local's in-place updates of what the core-only test cannot reach:
 * a function's code and configuration (UpdateFunctionCode /
 * UpdateFunctionConfiguration, checked by invoking it over the wire), its
 * event source mapping (UpdateEventSourceMapping), a schedule rule and its
 * targets, async invoke settings and queue attributes — on the full embedded
 * cloud. Also: a ParallelizationFactor changed at run time (as the scaler
 * does) survives a redeploy of an unchanged template, as on CloudFormation.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetEventSourceMappingCommand,
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../../../localcloud/start-local-cloud';
import { deployClients, destroyClients } from '../../../../localcloud/deploy/deploy-clients';
import {
  executePlan,
  type RecordedResource,
  type StackResult,
} from '../../../../localcloud/deploy/execute';
import { Planner } from '../../../../localcloud/deploy/plan';
import type { CfnTemplate } from '../../../../localcloud/deploy/template';

process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';

let cloud: LocalCloud;
let dir: string;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, log: () => {} });
  dir = mkdtempSync(join(tmpdir(), 'deploy-updates-'));
});
afterAll(async () => {
  await cloud?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A bundle directory whose handler answers with `answer` and an environment variable. */
function bundle(name: string, answer: string): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(
    join(d, 'index.mjs'),
    `export const handler = async () => ({ answer: ${JSON.stringify(answer)}, greeting: process.env.GREETING });\n`,
  );
  return d;
}

interface Version {
  codeDir: string;
  timeout: number;
  greeting: string;
  batchSize: number;
  schedule: string;
  retries: number;
  visibility: number;
}

function template(v: Version): CfnTemplate {
  return {
    Resources: {
      Stream: { Type: 'AWS::Kinesis::Stream', Properties: { Name: 'upd-events', ShardCount: 1 } },
      Queue: {
        Type: 'AWS::SQS::Queue',
        Properties: { QueueName: 'upd-failures', VisibilityTimeout: v.visibility },
      },
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          FunctionName: 'upd-fn',
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Role: 'arn:aws:iam::000000000000:role/upd',
          Timeout: v.timeout,
          MemorySize: 128,
          Code: { S3Bucket: 'hot-reload', S3Key: v.codeDir },
          Environment: { Variables: { GREETING: v.greeting, QUEUE: { Ref: 'Queue' } } },
        },
      },
      Mapping: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          FunctionName: { Ref: 'Fn' },
          EventSourceArn: { 'Fn::GetAtt': ['Stream', 'Arn'] },
          StartingPosition: 'TRIM_HORIZON',
          BatchSize: v.batchSize,
          ParallelizationFactor: 1,
          DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['Queue', 'Arn'] } } },
        },
      },
      AsyncConfig: {
        Type: 'AWS::Lambda::EventInvokeConfig',
        Properties: {
          FunctionName: { Ref: 'Fn' },
          Qualifier: '$LATEST',
          MaximumRetryAttempts: v.retries,
          MaximumEventAgeInSeconds: 60,
        },
      },
      Rule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          Name: 'upd-schedule',
          ScheduleExpression: v.schedule,
          State: 'ENABLED',
          Targets: [{ Id: 'Target0', Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] } }],
        },
      },
    },
  };
}

let applied: Record<string, RecordedResource> | undefined;

async function deploy(v: Version): Promise<StackResult> {
  const planner = new Planner({
    template: template(v),
    cdkOut: dir,
    stackName: 'Upd',
    endpoint: cloud.endpoint,
  });
  const clients = deployClients(cloud.endpoint, 'us-east-1');
  try {
    const r = await executePlan({ planner, clients, previous: applied });
    // What the last deploy applied, as the CloudFormation engine keeps it between deploys.
    applied = { ...applied, ...r.record };
    return r;
  } finally {
    destroyClients(clients);
  }
}

const actions = (r: StackResult) =>
  Object.fromEntries(r.resources.map((x) => [x.logicalId, x.action]));
const detail = (r: StackResult, id: string) =>
  r.resources.find((x) => x.logicalId === id)!.detail ?? '';

describe('deploy:local updates in place on the full local cloud', () => {
  it('updates code, configuration, mapping, rule, async config and queue; keeps a run-time ParallelizationFactor', async () => {
    const c = deployClients(cloud.endpoint, 'us-east-1');
    const invoke = async () =>
      JSON.parse(
        Buffer.from(
          (await c.lambda.send(new InvokeCommand({ FunctionName: 'upd-fn' }))).Payload!,
        ).toString(),
      ) as Record<string, string>;
    try {
      const v1: Version = {
        codeDir: bundle('v1', 'one'),
        timeout: 10,
        greeting: 'hello',
        batchSize: 100,
        schedule: 'rate(5 minutes)',
        retries: 0,
        visibility: 30,
      };
      const first = await deploy(v1);
      expect(actions(first)).toEqual({
        Stream: 'created',
        Queue: 'created',
        Fn: 'created',
        Mapping: 'created',
        AsyncConfig: 'created',
        Rule: 'created',
      });
      expect(await invoke()).toEqual({ answer: 'one', greeting: 'hello' });
      const uuid = first.resources.find((r) => r.logicalId === 'Mapping')!.physicalId;

      // The scaler raises ParallelizationFactor at run time; an unchanged template keeps it.
      await c.lambda.send(
        new UpdateEventSourceMappingCommand({ UUID: uuid, ParallelizationFactor: 4 }),
      );
      const same = await deploy(v1);
      expect(Object.values(actions(same)).every((a) => a === 'unchanged')).toBe(true);
      expect(
        (await c.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid })))
          .ParallelizationFactor,
      ).toBe(4);

      const v2: Version = {
        codeDir: bundle('v2', 'two'),
        timeout: 20,
        greeting: 'bonjour',
        batchSize: 250,
        schedule: 'rate(1 minute)',
        retries: 1,
        visibility: 45,
      };
      const second = await deploy(v2);
      expect(actions(second)).toEqual({
        Stream: 'unchanged',
        Queue: 'updated',
        Fn: 'updated',
        Mapping: 'updated',
        AsyncConfig: 'updated',
        Rule: 'updated',
      });
      expect(detail(second, 'Fn')).toBe('code, Environment, Timeout');
      expect(detail(second, 'Mapping')).toBe('BatchSize');

      expect(await invoke()).toEqual({ answer: 'two', greeting: 'bonjour' });
      const cfg = await c.lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: 'upd-fn' }),
      );
      expect(cfg.Timeout).toBe(20);
      const mapping = await c.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
      expect(mapping.BatchSize).toBe(250);
      expect(mapping.ParallelizationFactor).toBe(4);
      expect(
        (await c.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'upd-fn' })))
          .EventSourceMappings,
      ).toHaveLength(1);
      expect(
        (await c.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'upd-fn' })))
          .MaximumRetryAttempts,
      ).toBe(1);
      const rule = await c.events.call<{ ScheduleExpression?: string }>('DescribeRule', {
        Name: 'upd-schedule',
      });
      expect(rule.ScheduleExpression).toBe('rate(1 minute)');
      const targets = await c.events.call<{ Targets: Array<{ Id: string; Arn: string }> }>(
        'ListTargetsByRule',
        { Rule: 'upd-schedule' },
      );
      expect(targets.Targets).toEqual([
        expect.objectContaining({
          Id: 'Target0',
          Arn: 'arn:aws:lambda:us-east-1:000000000000:function:upd-fn',
        }),
      ]);
      const queueUrl = second.resources.find((r) => r.logicalId === 'Queue')!.physicalId;
      const attrs = await c.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['VisibilityTimeout'],
        }),
      );
      expect(attrs.Attributes?.VisibilityTimeout).toBe('45');
    } finally {
      for (const x of [c.kinesis, c.dynamodb, c.sqs, c.lambda, c.cloudwatch]) x.destroy();
    }
  });
});
