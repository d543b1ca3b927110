/**
 * deploy:local's pure planner on a small hand-written template that uses
 * each intrinsic the planner claims to support: ordering, resolution,
 * conditions, assets, names, and the update diff.
 */
import { describe, expect, it } from 'vitest';
import { changedProperties } from '../../../../localcloud/deploy/diff';
import { TemplateError, UnknownValueError } from '../../../../localcloud/deploy/intrinsics';
import { Planner, planDeployment, type PlanInput } from '../../../../localcloud/deploy/plan';
import type { CfnTemplate } from '../../../../localcloud/deploy/template';

const ENDPOINT = 'http://127.0.0.1:4566';

function template(): CfnTemplate {
  return {
    Parameters: {
      Prefix: { Type: 'String', Default: 'demo' },
      Shards: { Type: 'Number', Default: 2 },
    },
    Conditions: {
      IsUsEast1: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
      WithAlarm: {
        'Fn::And': [
          { Condition: 'IsUsEast1' },
          { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Prefix' }, 'noalarm'] }] },
        ],
      },
      Never: { 'Fn::Or': [{ 'Fn::Equals': ['a', 'b'] }, { 'Fn::Equals': [1, 2] }] },
    },
    Mappings: { Sizes: { small: { mb: 128 } } },
    // Listed out of order on purpose: the mapping and function come before what they need.
    Resources: {
      Mapping: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          EventSourceArn: { 'Fn::GetAtt': ['Stream', 'Arn'] },
          FunctionName: { Ref: 'Fn' },
          BatchSize: 100,
          StartingPosition: 'TRIM_HORIZON',
          DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['Dlq', 'Arn'] } } },
        },
      },
      Fn: {
        Type: 'AWS::Lambda::Function',
        DependsOn: ['RoleDefaultPolicy'],
        Properties: {
          FunctionName: { 'Fn::Sub': '${Prefix}-consumer' },
          Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
          Handler: 'index.handler',
          Runtime: 'nodejs22.x',
          MemorySize: { 'Fn::FindInMap': ['Sizes', 'small', 'mb'] },
          Code: {
            S3Bucket: { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' },
            S3Key: 'abc123.zip',
          },
          Environment: {
            Variables: {
              TABLE: { Ref: 'Table' },
              QUEUE_URL: { Ref: 'Dlq' },
              STREAM_TAIL: {
                'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::GetAtt': ['Stream', 'Arn'] }] }],
              },
              MAYBE: { 'Fn::If': ['Never', 'yes', { Ref: 'AWS::NoValue' }] },
              ESCAPED: { 'Fn::Sub': ['${!Literal}-${Name}', { Name: { Ref: 'AWS::StackName' } }] },
            },
          },
        },
      },
      Stream: {
        Type: 'AWS::Kinesis::Stream',
        Properties: {
          Name: { 'Fn::Join': ['-', [{ Ref: 'Prefix' }, 'events']] },
          ShardCount: { Ref: 'Shards' },
        },
      },
      Table: {
        Type: 'AWS::DynamoDB::Table',
        Properties: { KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] },
      },
      Dlq: { Type: 'AWS::SQS::Queue', Properties: {} },
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
      RoleDefaultPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'p',
          Roles: [{ Ref: 'Role' }],
          PolicyDocument: { Resource: { 'Fn::GetAtt': ['Stream', 'Arn'] } },
        },
      },
      Alarm: {
        Type: 'AWS::CloudWatch::Alarm',
        Condition: 'WithAlarm',
        Properties: {
          AlarmName: { 'Fn::Sub': '${Fn}-errors' },
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'Fn' } }],
        },
      },
      NeverCreated: { Type: 'AWS::SQS::Queue', Condition: 'Never', Properties: {} },
    },
    Outputs: {
      StreamArn: { Value: { 'Fn::GetAtt': ['Stream', 'Arn'] } },
      MappingId: { Value: { Ref: 'Mapping' } },
      Hidden: { Value: 'x', Condition: 'Never' },
    },
  };
}

const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  template: template(),
  assets: {
    files: {
      abc123: {
        source: { path: 'asset.abc123', packaging: 'zip' },
        destinations: {
          d: {
            bucketName: 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}',
            objectKey: 'abc123.zip',
          },
        },
      },
    },
  },
  cdkOut: '/proj/cdk.out',
  stackName: 'Demo',
  endpoint: ENDPOINT,
  ...over,
});

describe('deploy planner', () => {
  it('orders every resource after what it references or DependsOn, keeping template order otherwise', () => {
    const plan = planDeployment(input());
    const order = plan.resources.map((r) => r.logicalId);
    const before = (a: string, b: string) =>
      expect(order.indexOf(a)).toBeLessThan(order.indexOf(b));
    before('Stream', 'Mapping');
    before('Fn', 'Mapping');
    before('Dlq', 'Mapping');
    before('RoleDefaultPolicy', 'Fn'); // explicit DependsOn
    before('Role', 'RoleDefaultPolicy');
    before('Table', 'Fn');
    before('Fn', 'Alarm');
    expect(order).toEqual([
      'Stream',
      'Table',
      'Dlq',
      'Role',
      'RoleDefaultPolicy',
      'Fn',
      'Mapping',
      'Alarm',
    ]);
    expect(plan.resources.find((r) => r.logicalId === 'Mapping')!.dependsOn).toEqual([
      'Stream',
      'Dlq',
      'Fn',
    ]);
  });

  it('resolves Ref, GetAtt, Join, Sub, Select, Split, FindInMap, If/NoValue and pseudo parameters', () => {
    const plan = planDeployment(input());
    const byId = Object.fromEntries(plan.resources.map((r) => [r.logicalId, r]));
    expect(byId.Stream!.properties).toEqual({ Name: 'demo-events', ShardCount: 2 });
    expect(byId.Stream!.physicalName).toBe('demo-events');
    const fn = byId.Fn!.properties;
    expect(fn.FunctionName).toBe('demo-consumer');
    expect(fn.MemorySize).toBe(128);
    expect(fn.Role).toMatch(/^arn:aws:iam::000000000000:role\/Demo-Role-[0-9A-F]{12}$/);
    const vars = (fn.Environment as { Variables: Record<string, string> }).Variables;
    expect(vars.TABLE).toBe(byId.Table!.physicalName);
    expect(vars.TABLE).toMatch(/^Demo-Table-[0-9A-F]{12}$/);
    expect(vars.QUEUE_URL).toBe(`${ENDPOINT}/000000000000/${byId.Dlq!.physicalName}`);
    expect(vars.STREAM_TAIL).toBe('demo-events');
    expect('MAYBE' in vars).toBe(false);
    expect(vars.ESCAPED).toBe('${Literal}-Demo');
    expect(byId.Mapping!.properties.EventSourceArn).toBe(
      'arn:aws:kinesis:us-east-1:000000000000:stream/demo-events',
    );
    expect(byId.Mapping!.properties.DestinationConfig).toEqual({
      OnFailure: { Destination: `arn:aws:sqs:us-east-1:000000000000:${byId.Dlq!.physicalName}` },
    });
    expect(byId.Alarm!.properties.AlarmName).toBe('demo-consumer-errors');
  });

  it('points function code at the bundled asset directory (hot-reload convention)', () => {
    const plan = planDeployment(input());
    const fn = plan.resources.find((r) => r.logicalId === 'Fn')!;
    expect(fn.properties.Code).toEqual({
      S3Bucket: 'hot-reload',
      S3Key: '/proj/cdk.out/asset.abc123',
    });
    expect(() => planDeployment(input({ assets: { files: {} } }))).toThrow(/no local asset/);
  });

  it('honours conditions for resources and outputs, and parameters over defaults', () => {
    const plan = planDeployment(input());
    expect(plan.skipped).toEqual([
      { logicalId: 'NeverCreated', type: 'AWS::SQS::Queue', condition: 'Never' },
    ]);
    expect(Object.keys(plan.outputs)).toEqual(['StreamArn', 'MappingId']);
    // A service-assigned value shows as a placeholder in the plan.
    expect(plan.outputs.MappingId).toBe('<Mapping.Ref>');

    const noAlarm = planDeployment(input({ parameters: { Prefix: 'noalarm', Shards: 4 } }));
    expect(noAlarm.resources.map((r) => r.logicalId)).not.toContain('Alarm');
    expect(noAlarm.resources.find((r) => r.logicalId === 'Stream')!.properties.ShardCount).toBe(4);
    const elsewhere = planDeployment(input({ region: 'eu-west-1' }));
    expect(elsewhere.resources.map((r) => r.logicalId)).not.toContain('Alarm');
    expect(() => planDeployment(input({ parameters: { Nope: 1 } }))).toThrow(/no parameter "Nope"/);
  });

  it('marks types it creates as emulated and the rest as accepted', () => {
    const plan = planDeployment(input());
    const handling = Object.fromEntries(plan.resources.map((r) => [r.logicalId, r.handling]));
    expect(handling).toMatchObject({
      Stream: 'emulated',
      Fn: 'emulated',
      Mapping: 'emulated',
      Role: 'accepted',
      RoleDefaultPolicy: 'accepted',
    });
  });

  it('generates stable, length-limited names for unnamed resources', () => {
    const a = planDeployment(input()).resources.find((r) => r.logicalId === 'Dlq')!.physicalName;
    const b = planDeployment(input()).resources.find((r) => r.logicalId === 'Dlq')!.physicalName;
    expect(a).toBe(b);
    const long = planDeployment(input({ stackName: 'S'.repeat(100) })).resources.find(
      (r) => r.logicalId === 'Role',
    )!;
    expect(long.physicalName.length).toBeLessThanOrEqual(64);
  });

  it('resolves strictly with live values, failing on what is not known yet', () => {
    const planner = new Planner(input());
    const values = new Map();
    expect(() => planner.resolveOutputs(values, false)).toThrow(UnknownValueError);
    values.set('Stream', { attrs: { Arn: 'arn:live' } });
    values.set('Mapping', { ref: 'uuid-1', attrs: {} });
    expect(planner.resolveOutputs(values, false)).toEqual({
      StreamArn: 'arn:live',
      MappingId: 'uuid-1',
    });
  });

  it('rejects cycles, unknown references and unsupported functions with a clear message', () => {
    const cyclic: CfnTemplate = {
      Resources: {
        A: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { Ref: 'B' } } },
        B: {
          Type: 'AWS::SQS::Queue',
          Properties: { QueueName: { 'Fn::GetAtt': ['A', 'QueueName'] } },
        },
      },
    };
    expect(() => planDeployment(input({ template: cyclic }))).toThrow(
      /circular dependency between A, B/,
    );
    const unknown: CfnTemplate = {
      Resources: { A: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { Ref: 'Missing' } } } },
    };
    expect(() => planDeployment(input({ template: unknown }))).toThrow(TemplateError);
    const imported: CfnTemplate = {
      Resources: {
        A: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::ImportValue': 'x' } } },
      },
    };
    expect(() => planDeployment(input({ template: imported }))).toThrow(/Fn::ImportValue/);
  });
});

describe('update diff', () => {
  it('reports only top-level properties whose values changed, ignoring key order', () => {
    const before = {
      Timeout: 60,
      Environment: { Variables: { A: '1', B: '2' } },
      Handler: 'index.handler',
    };
    expect(
      changedProperties(before, {
        Handler: 'index.handler',
        Environment: { Variables: { B: '2', A: '1' } },
        Timeout: 60,
      }),
    ).toEqual([]);
    expect(changedProperties(before, { ...before, Timeout: 90, MemorySize: 256 })).toEqual([
      'MemorySize',
      'Timeout',
    ]);
    expect(changedProperties(before, { Timeout: 60, Handler: 'index.handler' })).toEqual([
      'Environment',
    ]);
  });
});
