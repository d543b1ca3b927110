/**
 * The project's own synthesized stack on the full embedded cloud: deploy it
 * with deploy:local, deploy it again (updated in place, nothing duplicated),
 * put valid events on its stream, and find the consumer's partials in the
 * windows table and its metrics (Streamscale RecordsProcessed, AWS/Lambda
 * Invocations) through GetMetricData.
 *
 * cdk synth is slow, so the assembly comes from test/support/synth-cache.ts:
 * the one the synth test checks, synthesized once per content of infra/ and
 * functions/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { PutRecordsCommand, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ListEventSourceMappingsCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, resourceNames } from '../../../../functions/config';
import type { ActivityEvent } from '../../../../functions/core/event';
import { PIPELINE_DIMENSION, Metric } from '../../../../functions/core/metric-names';
import {
  cloudWatchClient,
  dynamoClient,
  kinesisClient,
  lambdaClient,
  sqsClient,
} from '../../../../functions/aws/clients';
import { startLocalCloud, type LocalCloud } from '../../../../localcloud/start-local-cloud';
import { deployLocal, type DeployLocalResult } from '../../../../localcloud/deploy/deploy-local';
import {
  DEFAULT_STACK_SETTINGS,
  PROJECT_ROOT,
  synthesizedAssembly,
} from '../../../support/synth-cache';

process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
process.env.AWS_REGION ??= 'us-east-1';

const config = resolveConfig({ prefix: DEFAULT_STACK_SETTINGS.STREAMSCALE_PREFIX });
const names = resourceNames(config.prefix);
const RECORDS = 60;

let cdkOut: string;
let cloud: LocalCloud;
let stateDir: string;
const logs: string[] = [];

beforeAll(async () => {
  cdkOut = await synthesizedAssembly(DEFAULT_STACK_SETTINGS);
  cloud = await startLocalCloud({
    port: 0,
    speedup: 12,
    log: (source, line) => logs.push(`${source} | ${line}`),
  });
  stateDir = mkdtempSync(join(tmpdir(), 'deploy-local-stack-'));
}, 240_000);

afterAll(async () => {
  await cloud?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

function deploy(): Promise<DeployLocalResult> {
  return deployLocal({
    endpoint: cloud.endpoint,
    cdkOut,
    synth: false,
    projectRoot: PROJECT_ROOT,
    stateDir,
    log: () => {},
  });
}

function event(i: number, nowMs: number): ActivityEvent {
  const user = `user_${i % 7}`;
  return {
    event_id: `deploy-local-${i}`,
    timestamp: (nowMs - 1_000) / 1000,
    user_id: user,
    student_name: `Student ${i % 7}`,
    course: i % 2 === 0 ? 'CS-315' : 'CS-101',
    activity: 'debugging',
    lines_of_code: 10 + i,
    cpu_usage_pct: 20 + (i % 50),
    severity: i % 3 === 0 ? 'High' : 'Low',
    content: i % 3 === 0 ? 'Segmentation fault: app CRASH in parser' : 'compiled fine',
  };
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}; last cloud log lines:\n${logs.slice(-20).join('\n')}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('deploy:local with the project stack', () => {
  it('deploys, redeploys in place, and the deployed consumer processes records', async () => {
    const opts = { endpoint: cloud.endpoint };
    const kinesis = kinesisClient(opts);
    const dynamo = dynamoClient(opts);
    const cw = cloudWatchClient(opts);
    const lambda = lambdaClient(opts);
    const sqs = sqsClient(opts);
    try {
      const first = await deploy();
      const stack = first.stacks[0]!;
      const byType = (type: string) => stack.resources.filter((r) => r.type === type);
      expect(byType('AWS::Kinesis::Stream').map((r) => [r.physicalId, r.action])).toEqual([
        [names.stream, 'created'],
      ]);
      expect(
        byType('AWS::DynamoDB::Table')
          .map((r) => r.physicalId)
          .sort(),
      ).toEqual([names.controlTable, names.rejectsTable, names.windowsTable].sort());
      expect(
        byType('AWS::Lambda::Function')
          .map((r) => r.physicalId)
          .sort(),
      ).toEqual([names.closerFunction, names.consumerFunction, names.scalerFunction].sort());
      expect(byType('AWS::Lambda::EventSourceMapping')).toHaveLength(1);
      expect(
        stack.resources.filter((r) => r.action !== 'accepted').every((r) => r.action === 'created'),
      ).toBe(true);
      expect(Object.keys(stack.acceptedTypes)).toContain('AWS::IAM::Role');
      // Outputs resolved with live values: the mapping's UUID is the one the service assigned.
      const mapping = byType('AWS::Lambda::EventSourceMapping')[0]!;
      expect(stack.outputs.EventSourceMappingId).toBe(mapping.physicalId);
      expect(stack.outputs.StreamName).toBe(names.stream);

      const second = await deploy();
      const again = second.stacks[0]!.resources;
      expect(again.filter((r) => r.action === 'created')).toEqual([]);
      expect(again.map((r) => r.physicalId)).toEqual(stack.resources.map((r) => r.physicalId));
      expect((await kinesis.send(new ListStreamsCommand({}))).StreamNames).toEqual([names.stream]);
      const fns = (await lambda.send(new ListFunctionsCommand({}))).Functions ?? [];
      expect(fns.map((f) => f.FunctionName).sort()).toEqual(
        [names.closerFunction, names.consumerFunction, names.scalerFunction].sort(),
      );
      expect(
        (await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings,
      ).toHaveLength(1);
      expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls).toHaveLength(1);

      const now = Date.now();
      const events = Array.from({ length: RECORDS }, (_, i) => event(i, now));
      const put = await kinesis.send(
        new PutRecordsCommand({
          StreamName: names.stream,
          Records: events.map((e) => ({
            Data: Buffer.from(JSON.stringify(e)),
            PartitionKey: e.user_id,
          })),
        }),
      );
      expect(put.FailedRecordCount ?? 0).toBe(0);

      const partialRecords = await until(
        `the consumer's partials in ${names.windowsTable}`,
        async () => {
          const items = (
            (await dynamo.send(new ScanCommand({ TableName: names.windowsTable }))).Items ?? []
          ).map((i) => unmarshall(i));
          const total = items
            .filter((i) => String(i.sk).startsWith('P#'))
            .reduce((n, i) => n + Number(i.records ?? 0), 0);
          return total >= RECORDS ? total : undefined;
        },
        45_000,
      );
      expect(partialRecords).toBe(RECORDS);

      const metric = async (
        namespace: string,
        name: string,
        dimensions: Record<string, string>,
      ) => {
        const r = await cw.send(
          new GetMetricDataCommand({
            StartTime: new Date(now - 5 * 60_000),
            EndTime: new Date(Date.now() + 60_000),
            MetricDataQueries: [
              {
                Id: 'm',
                MetricStat: {
                  Metric: {
                    Namespace: namespace,
                    MetricName: name,
                    Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({
                      Name,
                      Value,
                    })),
                  },
                  Period: 60,
                  Stat: 'Sum',
                },
              },
            ],
          }),
        );
        return (r.MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0);
      };
      const processed = await until(
        'Streamscale RecordsProcessed',
        async () => {
          const v = await metric(config.metricsNamespace, Metric.RecordsProcessed, {
            [PIPELINE_DIMENSION]: config.prefix,
          });
          return v >= RECORDS ? v : undefined;
        },
        20_000,
      );
      // At least: a retried invocation (at-least-once delivery) may count its batch again.
      expect(processed).toBeGreaterThanOrEqual(RECORDS);
      const invocations = await until(
        'AWS/Lambda Invocations of the consumer',
        async () => {
          const v = await metric('AWS/Lambda', 'Invocations', {
            FunctionName: names.consumerFunction,
          });
          return v >= 1 ? v : undefined;
        },
        20_000,
      );
      expect(invocations).toBeGreaterThanOrEqual(1);
    } finally {
      for (const c of [kinesis, dynamo, cw, lambda, sqs]) c.destroy();
    }
  }, 180_000);
});
