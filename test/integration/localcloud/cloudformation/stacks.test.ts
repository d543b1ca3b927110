/**
 * CloudFormation on the embedded cloud over the wire (query protocol, the
 * SDK v3 client): a stack's whole life — create with outputs and exports,
 * events as cdk's progress display reads them, resources, templates, change
 * sets (including "no changes"), update, a failed create that rolls back to
 * ROLLBACK_COMPLETE with the failing resource's reason, a failed update that
 * returns to the previous template, and a delete that removes everything.
 */
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStackResourceCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  GetTemplateSummaryCommand,
  ListExportsCommand,
  ListStackResourcesCommand,
  ListStacksCommand,
  UpdateStackCommand,
  ValidateTemplateCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../../../localcloud/start-local-cloud';
import {
  internalKinesisClient,
  internalLambdaClient,
  internalSqsClient,
} from '../../../../localcloud/internal-clients';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let cloud: LocalCloud;
let cfn: CloudFormationClient;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, log: () => {} });
  cfn = new CloudFormationClient({ endpoint: cloud.endpoint, region: 'us-east-1', credentials });
});
afterAll(async () => {
  cfn?.destroy();
  await cloud?.stop();
});

/** Poll DescribeStacks until the stack leaves *_IN_PROGRESS (bounded; the engine works in the background). */
async function settle(name: string): Promise<Stack> {
  for (let i = 0; i < 600; i++) {
    const s = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks![0]!;
    if (!/_IN_PROGRESS$/.test(s.StackStatus!)) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`stack ${name} did not settle`);
}

const HANDLER = 'exports.handler = async () => ({ ok: true });';

function template(opts: { queueDelay?: number; extraQueue?: boolean; badMapping?: boolean } = {}) {
  return JSON.stringify({
    Description: 'cfn test stack',
    Parameters: {
      Shards: { Type: 'Number', Default: '1' },
      Version: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/test/version' },
    },
    Resources: {
      Stream: { Type: 'AWS::Kinesis::Stream', Properties: { ShardCount: { Ref: 'Shards' } } },
      Queue: { Type: 'AWS::SQS::Queue', Properties: { DelaySeconds: opts.queueDelay ?? 0 } },
      ...(opts.extraQueue ? { Extra: { Type: 'AWS::SQS::Queue', Properties: {} } } : {}),
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] } },
      },
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
          Code: { ZipFile: HANDLER },
          Environment: { Variables: { QUEUE: { Ref: 'Queue' }, VERSION: { Ref: 'Version' } } },
        },
      },
      Mapping: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          FunctionName: { Ref: 'Fn' },
          EventSourceArn: opts.badMapping
            ? 'arn:aws:kinesis:us-east-1:000000000000:stream/does-not-exist'
            : { 'Fn::GetAtt': ['Stream', 'Arn'] },
          StartingPosition: 'TRIM_HORIZON',
        },
      },
    },
    Outputs: {
      StreamName: {
        Value: { Ref: 'Stream' },
        Export: { Name: { 'Fn::Sub': '${AWS::StackName}-stream' } },
      },
      FunctionName: { Value: { Ref: 'Fn' } },
    },
  });
}

describe('CloudFormation stacks', () => {
  it('creates a stack with SSM parameters, outputs, exports, events and resources', async () => {
    const ssm = new SSMClient({ endpoint: cloud.endpoint, region: 'us-east-1', credentials });
    await ssm.send(new PutParameterCommand({ Name: '/test/version', Value: '7', Type: 'String' }));
    ssm.destroy();
    await expect(
      cfn.send(new CreateStackCommand({ StackName: 'app', TemplateBody: template() })),
    ).rejects.toMatchObject({ name: 'InsufficientCapabilitiesException' });
    await cfn.send(
      new CreateStackCommand({
        StackName: 'app',
        TemplateBody: template(),
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    const s = await settle('app');
    expect(s.StackStatus).toBe('CREATE_COMPLETE');
    expect(s.Parameters?.find((p) => p.ParameterKey === 'Version')?.ResolvedValue).toBe('7');
    const outputs = Object.fromEntries(s.Outputs!.map((o) => [o.OutputKey, o.OutputValue]));
    expect(outputs.StreamName).toMatch(/^app-Stream-/);
    const exports = await cfn.send(new ListExportsCommand({}));
    expect(exports.Exports?.map((e) => e.Name)).toEqual(['app-stream']);

    const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: 'app' })))
      .StackEvents!;
    expect(events[0]).toMatchObject({
      LogicalResourceId: 'app',
      ResourceStatus: 'CREATE_COMPLETE',
    });
    expect(events.at(-1)).toMatchObject({
      LogicalResourceId: 'app',
      ResourceStatus: 'REVIEW_IN_PROGRESS',
    });
    const fnDone = events.find(
      (e) => e.LogicalResourceId === 'Fn' && e.ResourceStatus === 'CREATE_COMPLETE',
    );
    expect(fnDone?.PhysicalResourceId).toBe(outputs.FunctionName);

    const listed = await cfn.send(new ListStackResourcesCommand({ StackName: 'app' }));
    expect(listed.StackResourceSummaries?.map((r) => r.LogicalResourceId).sort()).toEqual([
      'Fn',
      'Mapping',
      'Queue',
      'Role',
      'Stream',
    ]);
    const one = await cfn.send(
      new DescribeStackResourceCommand({ StackName: 'app', LogicalResourceId: 'Queue' }),
    );
    expect(one.StackResourceDetail?.PhysicalResourceId).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/000000000000\/app-Queue-/,
    );
    const body = (await cfn.send(new GetTemplateCommand({ StackName: 'app' }))).TemplateBody;
    expect(body).toBe(template());
    const summary = await cfn.send(new GetTemplateSummaryCommand({ StackName: 'app' }));
    expect(summary.Capabilities).toEqual(['CAPABILITY_IAM']);
    const valid = await cfn.send(new ValidateTemplateCommand({ TemplateBody: template() }));
    expect(valid.Parameters?.map((p) => p.ParameterKey)).toEqual(['Shards', 'Version']);
  });

  it('answers a change set with no changes as CloudFormation does, and applies one with changes', async () => {
    await cfn.send(
      new CreateChangeSetCommand({
        StackName: 'app',
        ChangeSetName: 'same',
        TemplateBody: template(),
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    const same = await cfn.send(
      new DescribeChangeSetCommand({ StackName: 'app', ChangeSetName: 'same' }),
    );
    expect(same.Status).toBe('FAILED');
    expect(same.StatusReason).toMatch(/^The submitted information didn't contain changes/);
    await cfn.send(new DeleteChangeSetCommand({ StackName: 'app', ChangeSetName: 'same' }));
    // Deleting a change set that is not there succeeds while the stack exists (cdk deploy relies on it).
    await cfn.send(new DeleteChangeSetCommand({ StackName: 'app', ChangeSetName: 'same' }));

    await cfn.send(
      new CreateChangeSetCommand({
        StackName: 'app',
        ChangeSetName: 'more',
        TemplateBody: template({ queueDelay: 5, extraQueue: true }),
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    const more = await cfn.send(
      new DescribeChangeSetCommand({ StackName: 'app', ChangeSetName: 'more' }),
    );
    expect(more.Status).toBe('CREATE_COMPLETE');
    expect(
      more.Changes?.map((c) => [c.ResourceChange?.Action, c.ResourceChange?.LogicalResourceId]),
    ).toEqual([
      ['Modify', 'Queue'],
      ['Add', 'Extra'],
    ]);
    await cfn.send(new ExecuteChangeSetCommand({ StackName: 'app', ChangeSetName: 'more' }));
    expect((await settle('app')).StackStatus).toBe('UPDATE_COMPLETE');
    const sqs = internalSqsClient({ endpoint: cloud.endpoint, region: 'us-east-1' });
    expect(
      (await sqs.send(new ListQueuesCommand({}))).QueueUrls?.filter((u) => u.includes('app-')),
    ).toHaveLength(2);

    await cfn.send(
      new UpdateStackCommand({
        StackName: 'app',
        TemplateBody: template(),
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    expect((await settle('app')).StackStatus).toBe('UPDATE_COMPLETE');
    expect(
      (await sqs.send(new ListQueuesCommand({}))).QueueUrls?.filter((u) => u.includes('app-')),
    ).toHaveLength(1);
    await expect(
      cfn.send(
        new UpdateStackCommand({
          StackName: 'app',
          TemplateBody: template(),
          Capabilities: ['CAPABILITY_IAM'],
        }),
      ),
    ).rejects.toThrow('No updates are to be performed.');
    sqs.destroy();
  });

  it('rolls back a failed update to the previous template', async () => {
    await cfn.send(
      new UpdateStackCommand({
        StackName: 'app',
        TemplateBody: template({ extraQueue: true, badMapping: true }),
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    const s = await settle('app');
    expect(s.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: 'app' })))
      .StackEvents!;
    expect(events.find((e) => e.ResourceStatus === 'UPDATE_FAILED')?.LogicalResourceId).toBe(
      'Mapping',
    );
    expect((await cfn.send(new GetTemplateCommand({ StackName: 'app' }))).TemplateBody).toBe(
      template(),
    );
    const sqs = internalSqsClient({ endpoint: cloud.endpoint, region: 'us-east-1' });
    expect(
      ((await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).filter((u) =>
        u.includes('app-Extra'),
      ),
    ).toEqual([]);
    sqs.destroy();
  });

  it('rolls back a failed create, naming the failing resource', async () => {
    await cfn.send(
      new CreateStackCommand({
        StackName: 'broken',
        TemplateBody: template({ badMapping: true }),
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    const s = await settle('broken');
    expect(s.StackStatus).toBe('ROLLBACK_COMPLETE');
    expect(s.StackStatusReason).toBeUndefined();
    const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: 'broken' })))
      .StackEvents!;
    const failed = events.find((e) => e.ResourceStatus === 'CREATE_FAILED');
    expect(failed?.LogicalResourceId).toBe('Mapping');
    expect(failed?.ResourceStatusReason).toBeTruthy();
    expect(
      events.find((e) => e.ResourceStatus === 'ROLLBACK_IN_PROGRESS')?.ResourceStatusReason,
    ).toMatch(/failed to create: \[Mapping\]/);
    const lambda = internalLambdaClient({ endpoint: cloud.endpoint, region: 'us-east-1' });
    const fns = (await lambda.send(new ListFunctionsCommand({}))).Functions ?? [];
    expect(fns.filter((f) => f.FunctionName?.startsWith('broken-'))).toEqual([]);
    lambda.destroy();
    await cfn.send(new DeleteStackCommand({ StackName: 'broken' }));
    await expect(cfn.send(new DescribeStacksCommand({ StackName: 'broken' }))).rejects.toThrow(
      'Stack with id broken does not exist',
    );
  });

  it('deletes every resource it created', async () => {
    await cfn.send(new DeleteStackCommand({ StackName: 'app' }));
    const deleted = await cfn.send(
      new ListStacksCommand({ StackStatusFilter: ['DELETE_COMPLETE'] }),
    );
    expect(deleted.StackSummaries?.map((s) => s.StackName)).toContain('broken');
    for (let i = 0; i < 600; i++) {
      const live = await cfn.send(
        new ListStacksCommand({ StackStatusFilter: ['DELETE_IN_PROGRESS'] }),
      );
      if ((live.StackSummaries ?? []).length === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await expect(cfn.send(new DescribeStacksCommand({ StackName: 'app' }))).rejects.toThrow(
      'does not exist',
    );
    const kinesis = internalKinesisClient({ endpoint: cloud.endpoint, region: 'us-east-1' });
    expect(
      (await kinesis.send(new ListStreamsCommand({}))).StreamNames?.filter((n) =>
        n.startsWith('app-'),
      ),
    ).toEqual([]);
    kinesis.destroy();
    const lambda = internalLambdaClient({ endpoint: cloud.endpoint, region: 'us-east-1' });
    expect(((await lambda.send(new ListFunctionsCommand({}))).Functions ?? []).length).toBe(0);
    lambda.destroy();
    expect((await cfn.send(new ListExportsCommand({}))).Exports ?? []).toEqual([]);
  });
});
