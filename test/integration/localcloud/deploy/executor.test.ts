/**
 * The deploy executor over the wire against the embedded core cloud (edge +
 * kinesalite + dynalite + CloudWatch) on a free loopback port: a first
 * deploy creates, a second with the same template changes nothing, and
 * template changes are applied in place (UpdateShardCount, a new GSI, a new
 * dashboard body) without duplicating anything; CDK's TableV2 is made as a
 * table in the stack's region.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeAlarmsCommand,
  GetDashboardCommand,
  ListDashboardsCommand,
} from '@aws-sdk/client-cloudwatch';
import { DescribeTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListShardsCommand, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { AttributeType, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoreCloud, type CoreCloud } from '../../../../localcloud/core-cloud';
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

let cloud: CoreCloud;
let stateDir: string;

beforeAll(async () => {
  cloud = await startCoreCloud({ port: 0, log: () => {} });
  stateDir = mkdtempSync(join(tmpdir(), 'deploy-exec-'));
});
afterAll(async () => {
  await cloud?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

function template(shards: number, widgetTitle: string, indexes = ['byKind']): CfnTemplate {
  return {
    Resources: {
      Stream: {
        Type: 'AWS::Kinesis::Stream',
        Properties: {
          Name: 'exec-events',
          ShardCount: shards,
          StreamEncryption: { EncryptionType: 'KMS' },
        },
      },
      Table: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          TableName: 'exec-windows',
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
            { AttributeName: 'gsiPk', AttributeType: 'S' },
            { AttributeName: 'gsiSk', AttributeType: 'N' },
          ],
          GlobalSecondaryIndexes: indexes.map((IndexName) => ({
            IndexName,
            KeySchema: [
              { AttributeName: 'gsiPk', KeyType: 'HASH' },
              { AttributeName: 'gsiSk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          })),
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        },
      },
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
      Dashboard: {
        Type: 'AWS::CloudWatch::Dashboard',
        Properties: {
          DashboardName: 'exec',
          DashboardBody: {
            'Fn::Join': [
              '',
              [
                '{"widgets":[{"type":"text","x":0,"y":0,"width":6,"height":2,"properties":{"markdown":"',
                widgetTitle,
                ' ',
                { Ref: 'Stream' },
                '"}}]}',
              ],
            ],
          },
        },
      },
      Alarm: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          AlarmName: { 'Fn::Sub': '${Stream}-throttled' },
          Namespace: 'AWS/Kinesis',
          MetricName: 'WriteProvisionedThroughputExceeded',
          Dimensions: [{ Name: 'StreamName', Value: { Ref: 'Stream' } }],
          Statistic: 'Sum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'notBreaching',
        },
      },
    },
    Outputs: {
      StreamArn: { Value: { 'Fn::GetAtt': ['Stream', 'Arn'] } },
      TableArn: { Value: { 'Fn::GetAtt': ['Table', 'Arn'] } },
      RoleArn: { Value: { 'Fn::GetAtt': ['Role', 'Arn'] } },
    },
  };
}

let applied: Record<string, RecordedResource> | undefined;

async function deploy(t: CfnTemplate): Promise<StackResult> {
  const planner = new Planner({
    template: t,
    cdkOut: stateDir,
    stackName: 'Exec',
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

describe('deploy executor on the core cloud', () => {
  it('creates, then leaves unchanged, then updates in place', async () => {
    const first = await deploy(template(1, 'v1'));
    expect(actions(first)).toEqual({
      Stream: 'created',
      Table: 'created',
      Role: 'accepted',
      Dashboard: 'created',
      Alarm: 'created',
    });
    expect(first.acceptedTypes).toEqual({ 'AWS::IAM::Role': 1 });
    // Outputs carry the live ARNs (kinesalite's account id is 000000000000, as the plan predicts).
    expect(first.outputs.StreamArn).toBe(
      'arn:aws:kinesis:us-east-1:000000000000:stream/exec-events',
    );
    expect(String(first.outputs.TableArn)).toMatch(/:table\/exec-windows$/);
    expect(String(first.outputs.RoleArn)).toMatch(/^arn:aws:iam::000000000000:role\/Exec-Role-/);

    const c = deployClients(cloud.endpoint, 'us-east-1');
    const shards = async () =>
      (
        (await c.kinesis.send(new ListShardsCommand({ StreamName: 'exec-events' }))).Shards ?? []
      ).filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber).length;
    expect(await shards()).toBe(1);
    expect(
      (
        await c.cloudwatch.send(
          new DescribeAlarmsCommand({ AlarmNames: ['exec-events-throttled'] }),
        )
      ).MetricAlarms,
    ).toHaveLength(1);

    const second = await deploy(template(1, 'v1'));
    expect(actions(second)).toEqual({
      Stream: 'unchanged',
      Table: 'unchanged',
      Role: 'accepted',
      Dashboard: 'unchanged',
      Alarm: 'unchanged',
    });

    const third = await deploy(template(2, 'v2'));
    expect(actions(third)).toEqual({
      Stream: 'updated',
      Table: 'unchanged',
      Role: 'accepted',
      Dashboard: 'updated',
      Alarm: 'unchanged',
    });
    expect(third.resources.find((r) => r.logicalId === 'Stream')!.detail).toMatch(
      /ShardCount 1 -> 2/,
    );
    expect(await shards()).toBe(2);
    const table = (await c.dynamodb.send(new DescribeTableCommand({ TableName: 'exec-windows' })))
      .Table!;
    expect((table.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName)).toEqual(['byKind']);
    const body = (await c.cloudwatch.send(new GetDashboardCommand({ DashboardName: 'exec' })))
      .DashboardBody!;
    expect(JSON.parse(body).widgets[0].properties.markdown).toBe('v2 exec-events');

    // Nothing duplicated.
    expect((await c.kinesis.send(new ListStreamsCommand({}))).StreamNames).toEqual(['exec-events']);
    expect((await c.dynamodb.send(new ListTablesCommand({}))).TableNames).toEqual(['exec-windows']);
    expect(
      (await c.cloudwatch.send(new ListDashboardsCommand({}))).DashboardEntries!.map(
        (d) => d.DashboardName,
      ),
    ).toEqual(['exec']);
    c.kinesis.destroy();
    c.dynamodb.destroy();
    c.cloudwatch.destroy();
    c.lambda.destroy();
    c.sqs.destroy();
  });

  it('says plainly when the local DynamoDB cannot add an index in place', async () => {
    await expect(deploy(template(2, 'v2', ['byKind', 'second']))).rejects.toThrow(
      /cannot add index second to the existing table exec-windows; restart the local cloud/,
    );
  });

  it('gives an attribute of a resource it does not emulate a placeholder and a warning, never an abort', async () => {
    const t: CfnTemplate = {
      Resources: {
        Lookup: { Type: 'AWS::AppSync::GraphQLApi', Properties: { Name: 'lookup' } },
        Dashboard: {
          Type: 'AWS::CloudWatch::Dashboard',
          Properties: {
            DashboardName: 'lookup',
            DashboardBody: {
              'Fn::Join': [
                '',
                [
                  '{"widgets":[{"type":"text","properties":{"markdown":"',
                  { 'Fn::GetAtt': ['Lookup', 'Body'] },
                  '"}}]}',
                ],
              ],
            },
          },
        },
      },
      Outputs: { Found: { Value: { 'Fn::GetAtt': ['Lookup', 'Body'] } } },
    };
    const r = await deploy(t);
    expect(r.outputs.Found).toBe('placeholder-Lookup-Body');
    expect(r.warnings).toEqual([
      'Dashboard refers to Lookup.Body; Lookup (AWS::AppSync::GraphQLApi) is not emulated, so it gets the placeholder "placeholder-Lookup-Body"',
    ]);
  });

  it('refuses a key-schema change with a message that says how to start over', async () => {
    const t = template(2, 'v2');
    (t.Resources.Table!.Properties!.KeySchema as unknown[]).pop();
    await expect(deploy(t)).rejects.toThrow(
      /Table \(AWS::DynamoDB::Table\): table exec-windows .*keys cannot change in place — restart the local cloud/,
    );
  });
});

describe("CDK's TableV2 (AWS::DynamoDB::GlobalTable)", () => {
  /** The template CDK itself synthesizes for a TableV2 with an index, a stream and a replica elsewhere. */
  function tableV2Template(): CfnTemplate {
    const app = new App();
    const stack = new Stack(app, 'Global', {
      env: { account: '000000000000', region: 'us-east-1' },
    });
    const table = new TableV2(stack, 'Orders', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.NUMBER },
      globalSecondaryIndexes: [
        { indexName: 'byCustomer', partitionKey: { name: 'customer', type: AttributeType.STRING } },
      ],
      dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
      replicas: [{ region: 'eu-west-1' }],
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    });
    new CfnOutput(stack, 'Name', { value: table.tableName });
    new CfnOutput(stack, 'Arn', { value: table.tableArn });
    new CfnOutput(stack, 'StreamArn', { value: table.tableStreamArn! });
    new CfnOutput(stack, 'Id', { value: table.tableId! });
    return app.synth().getStackByName('Global').template as CfnTemplate;
  }

  async function deployGlobal(previous?: Record<string, RecordedResource>) {
    const planner = new Planner({
      template: tableV2Template(),
      cdkOut: stateDir,
      stackName: 'Global',
      endpoint: cloud.endpoint,
    });
    const clients = deployClients(cloud.endpoint, 'us-east-1');
    try {
      return await executePlan({ planner, clients, previous });
    } finally {
      destroyClients(clients);
    }
  }

  it('is made as a table in this region with its keys, index and stream; replicas elsewhere are named as not made', async () => {
    const first = await deployGlobal();
    const orders = first.resources.find((r) => r.type === 'AWS::DynamoDB::GlobalTable')!;
    expect(orders.action).toBe('created');
    expect(orders.detail).toMatch(/replicas in eu-west-1 not made \(one region here\)/);
    expect(first.acceptedTypes).not.toHaveProperty(['AWS::DynamoDB::GlobalTable']);

    const name = String(first.outputs.Name);
    expect(name).toBe(orders.physicalId);
    const c = deployClients(cloud.endpoint, 'us-east-1');
    try {
      const t = (await c.dynamodb.send(new DescribeTableCommand({ TableName: name }))).Table!;
      expect(t.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      expect(t.GlobalSecondaryIndexes!.map((g) => g.IndexName)).toEqual(['byCustomer']);
      expect(t.StreamSpecification).toEqual({
        StreamEnabled: true,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      });
      expect(first.outputs.Arn).toBe(t.TableArn);
      expect(first.outputs.StreamArn).toBe(t.LatestStreamArn);
      expect(String(first.outputs.Id)).toMatch(/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/);
    } finally {
      destroyClients(c);
    }

    const again = await deployGlobal(first.record);
    expect(again.resources.find((r) => r.type === 'AWS::DynamoDB::GlobalTable')!.action).toBe(
      'unchanged',
    );
    expect(again.outputs).toEqual(first.outputs);
  });
});
