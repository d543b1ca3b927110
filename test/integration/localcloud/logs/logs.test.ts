/**
 * CloudWatch Logs on the embedded cloud, over the wire: a function's output
 * lands in /aws/lambda/<function> with START / END / REPORT lines as in
 * AWS; groups, streams, GetLogEvents, FilterLogEvents with a filter pattern
 * (what `aws logs tail` polls), retention, delete; and a stack's log group
 * and Custom::LogRetention deployed through CloudFormation.
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CloudWatchLogsClient,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipFiles } from '../../../../localcloud/deploy/zip-directory';
import { startLocalCloud, type LocalCloud } from '../../../../localcloud/start-local-cloud';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let cloud: LocalCloud;
let logs: CloudWatchLogsClient;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, log: () => {} });
  logs = new CloudWatchLogsClient({ endpoint: cloud.endpoint, region: 'us-east-1', credentials });
});
afterAll(async () => {
  logs?.destroy();
  await cloud?.stop();
});

/** Poll until the function's output has reached its log stream (worker output arrives asynchronously). */
async function eventsOf(group: string, want: (messages: string[]) => boolean): Promise<string[]> {
  for (let i = 0; i < 200; i++) {
    const streams =
      (await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }))).logStreams ?? [];
    const messages: string[] = [];
    for (const s of streams) {
      const r = await logs.send(
        new GetLogEventsCommand({
          logGroupName: group,
          logStreamName: s.logStreamName,
          startFromHead: true,
        }),
      );
      messages.push(...(r.events ?? []).map((e) => e.message ?? ''));
    }
    if (want(messages)) return messages;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`log group ${group} never showed the expected lines`);
}

describe('CloudWatch Logs', () => {
  it('keeps every invocation of a function in /aws/lambda/<function>, as AWS does', async () => {
    const lambda = new LambdaClient({ endpoint: cloud.endpoint, region: 'us-east-1', credentials });
    const code =
      "exports.handler = async (e) => { console.log('handling', e.n); console.error('WARN slow', e.n); return e.n; };";
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'talker',
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Role: 'arn:aws:iam::000000000000:role/r',
        Code: { ZipFile: zipFiles([{ name: 'index.js', data: Buffer.from(code) }]) },
      }),
    );
    for (const n of [1, 2])
      await lambda.send(
        new InvokeCommand({ FunctionName: 'talker', Payload: JSON.stringify({ n }) }),
      );
    lambda.destroy();

    const messages = await eventsOf(
      '/aws/lambda/talker',
      (m) => m.filter((x) => x.startsWith('REPORT')).length === 2,
    );
    expect(messages.filter((m) => m.startsWith('START RequestId: '))).toHaveLength(2);
    expect(messages.filter((m) => m.startsWith('END RequestId: '))).toHaveLength(2);
    expect(messages.find((m) => m.startsWith('REPORT'))).toMatch(
      /Duration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB/,
    );
    expect(messages.some((m) => /\tINFO\thandling 1$/.test(m))).toBe(true);
    // START comes before the function's own line, and END before REPORT.
    const start = messages.findIndex((m) => m.startsWith('START'));
    expect(messages.findIndex((m) => m.endsWith('handling 1'))).toBeGreaterThan(start);

    const groups = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/' }),
    );
    expect(groups.logGroups?.map((g) => g.logGroupName)).toEqual(['/aws/lambda/talker']);
    const streams = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/talker' }),
    );
    expect(streams.logStreams?.[0]?.logStreamName).toMatch(
      /^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/,
    );

    const warned = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: '/aws/lambda/talker',
        filterPattern: 'WARN slow',
      }),
    );
    expect(warned.events?.map((e) => e.message?.split('\t').at(-1))).toEqual([
      'WARN slow 1',
      'WARN slow 2',
    ]);

    await logs.send(
      new PutRetentionPolicyCommand({ logGroupName: '/aws/lambda/talker', retentionInDays: 7 }),
    );
    await expect(
      logs.send(
        new PutRetentionPolicyCommand({ logGroupName: '/aws/lambda/talker', retentionInDays: 8 }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    expect(
      (await logs.send(new DescribeLogGroupsCommand({}))).logGroups?.[0]?.retentionInDays,
    ).toBe(7);
    await logs.send(new DeleteLogGroupCommand({ logGroupName: '/aws/lambda/talker' }));
    expect((await logs.send(new DescribeLogGroupsCommand({}))).logGroups).toEqual([]);
  });

  it('deploys log groups, Custom::LogRetention and references to a group attribute', async () => {
    const cfn = new CloudFormationClient({
      endpoint: cloud.endpoint,
      region: 'us-east-1',
      credentials,
    });
    await cfn.send(
      new CreateStackCommand({
        StackName: 'logging',
        TemplateBody: JSON.stringify({
          Resources: {
            Group: {
              Type: 'AWS::Logs::LogGroup',
              Properties: { LogGroupName: '/app/events', RetentionInDays: 14 },
            },
            Retention: {
              Type: 'Custom::LogRetention',
              Properties: {
                ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:lr',
                LogGroupName: '/aws/lambda/other',
                RetentionInDays: 3,
              },
            },
          },
          Outputs: {
            GroupArn: { Value: { 'Fn::GetAtt': ['Group', 'Arn'] } },
            Retained: { Value: { Ref: 'Retention' } },
          },
        }),
      }),
    );
    let stack;
    for (let i = 0; i < 200; i++) {
      stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'logging' }))).Stacks![0]!;
      if (!stack.StackStatus!.endsWith('_IN_PROGRESS')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
    const out = Object.fromEntries(stack!.Outputs!.map((o) => [o.OutputKey, o.OutputValue]));
    expect(out).toEqual({
      GroupArn: 'arn:aws:logs:us-east-1:000000000000:log-group:/app/events:*',
      Retained: '/aws/lambda/other',
    });
    const groups = (await logs.send(new DescribeLogGroupsCommand({}))).logGroups ?? [];
    expect(groups.map((g) => [g.logGroupName, g.retentionInDays])).toEqual([
      ['/app/events', 14],
      ['/aws/lambda/other', 3],
    ]);
    cfn.destroy();
  });
});
