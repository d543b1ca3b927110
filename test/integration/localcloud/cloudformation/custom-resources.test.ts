/**
 * Lambda-backed custom resources by CloudFormation's protocol, over the wire:
 * the function gets Create / Update (with the old properties) / Delete and a
 * ResponseURL, answers with a PUT the way cfn-response and CDK's handlers do
 * (node's https.request, hostname and path, no port), and the stack takes the
 * physical id as Ref and Data as Fn::GetAtt; FAILED rolls the stack back with
 * the function's Reason. Each request the function got is logged to a bucket.
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ListStacksCommand,
  UpdateStackCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import {
  GetBucketTaggingCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../../../localcloud/start-local-cloud';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let cloud: LocalCloud;
let cfn: CloudFormationClient;
let s3: S3Client;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, log: () => {} });
  const c = { endpoint: cloud.endpoint, region: 'us-east-1', credentials };
  cfn = new CloudFormationClient(c);
  s3 = new S3Client({ ...c, forcePathStyle: true });
});
afterAll(async () => {
  cfn?.destroy();
  s3?.destroy();
  await cloud?.stop();
});

const LOG_BUCKET = 'custom-resource-requests';

/** A provider written as people write them: SDK v3 from the runtime, the response by https.request. */
const HANDLER = `
const https = require('https');
const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');
const s3 = new S3Client({});
let n = 0;
exports.handler = async (event) => {
  const p = event.ResourceProperties;
  await s3.send(new PutObjectCommand({
    Bucket: p.LogBucket, Key: String(Date.now() * 100 + n++).padStart(20, '0'), Body: JSON.stringify(event),
  }));
  const fail = p.Fail === 'true' && event.RequestType !== 'Delete';
  const body = JSON.stringify({
    Status: fail ? 'FAILED' : 'SUCCESS',
    Reason: fail ? 'the template asked for FAILED' : 'done',
    PhysicalResourceId: 'greeting-' + p.Name,
    StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId,
    Data: { Greeting: 'hello ' + p.Name, CountType: typeof p.Count },
  });
  const url = new URL(event.ResponseURL);
  await new Promise((resolve, reject) => {
    const req = https.request(
      { hostname: url.hostname, path: url.pathname + url.search, method: 'PUT',
        headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
      (res) => { res.resume(); res.on('end', resolve); },
    );
    req.on('error', reject);
    req.end(body);
  });
};
`;

function template(props: { name: string; fail?: boolean }) {
  return JSON.stringify({
    Resources: {
      Log: {
        Type: 'AWS::S3::Bucket',
        DeletionPolicy: 'Retain',
        Properties: {
          BucketName: LOG_BUCKET,
          // CDK's autoDeleteObjects handler empties only a bucket carrying this tag.
          Tags: [{ Key: 'aws-cdk:auto-delete-objects', Value: 'true' }],
        },
      },
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] } },
      },
      Provider: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Timeout: 30,
          Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
          Code: { ZipFile: HANDLER },
        },
      },
      Greeting: {
        Type: 'Custom::Greeting',
        Properties: {
          ServiceToken: { 'Fn::GetAtt': ['Provider', 'Arn'] },
          Name: props.name,
          Count: 3,
          Fail: props.fail ?? false,
          LogBucket: { Ref: 'Log' },
        },
      },
    },
    Outputs: {
      Id: { Value: { Ref: 'Greeting' } },
      Greeting: { Value: { 'Fn::GetAtt': ['Greeting', 'Greeting'] } },
      CountType: { Value: { 'Fn::GetAtt': ['Greeting', 'CountType'] } },
    },
  });
}

async function settle(name: string): Promise<Stack> {
  for (let i = 0; i < 1200; i++) {
    const s = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks![0]!;
    if (!/_IN_PROGRESS$/.test(s.StackStatus!)) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`stack ${name} did not settle`);
}

/** UpdateStack with the template for `props`, settled. */
async function updateStack(props: Parameters<typeof template>[0]): Promise<Stack> {
  await cfn.send(
    new UpdateStackCommand({
      StackName: 'greet',
      TemplateBody: template(props),
      Capabilities: ['CAPABILITY_IAM'],
    }),
  );
  return settle('greet');
}

const outputs = (s: Stack) =>
  Object.fromEntries((s.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));

/** The requests the provider received, oldest first. */
async function requests(): Promise<Array<Record<string, unknown>>> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: LOG_BUCKET }));
  const keys = (listed.Contents ?? []).map((o) => o.Key!).sort();
  return Promise.all(
    keys.map(async (Key) =>
      JSON.parse(
        await (
          await s3.send(new GetObjectCommand({ Bucket: LOG_BUCKET, Key }))
        ).Body!.transformToString(),
      ),
    ),
  );
}

describe('Lambda-backed custom resources', () => {
  it('Create: the function is asked, its physical id is the Ref and its Data the attributes', async () => {
    await cfn.send(
      new CreateStackCommand({
        StackName: 'greet',
        TemplateBody: template({ name: 'world' }),
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    const s = await settle('greet');
    expect(s.StackStatus).toBe('CREATE_COMPLETE');
    expect(outputs(s)).toEqual({
      Id: 'greeting-world',
      Greeting: 'hello world',
      CountType: 'string',
    });
    const [create] = await requests();
    expect(create).toMatchObject({
      RequestType: 'Create',
      LogicalResourceId: 'Greeting',
      ResourceType: 'Custom::Greeting',
      StackId: s.StackId,
      // CloudFormation hands properties over as strings.
      ResourceProperties: { Name: 'world', Count: '3', Fail: 'false' },
    });
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket: LOG_BUCKET }))).TagSet).toEqual([
      { Key: 'aws-cdk:auto-delete-objects', Value: 'true' },
    ]);
    expect(String(create!.ResponseURL)).toMatch(
      /^https:\/\/cloudformation-custom-resource-response-useast1\.s3\.amazonaws\.com\//,
    );
  });

  it('Update: the old properties and physical id go with it, and the new answer replaces the old', async () => {
    const s = await updateStack({ name: 'there' });
    expect(s.StackStatus).toBe('UPDATE_COMPLETE');
    expect(outputs(s)).toMatchObject({ Id: 'greeting-there', Greeting: 'hello there' });
    const update = (await requests()).at(-1)!;
    expect(update).toMatchObject({
      RequestType: 'Update',
      PhysicalResourceId: 'greeting-world',
      OldResourceProperties: { Name: 'world' },
      ResourceProperties: { Name: 'there' },
    });
  });

  it("FAILED: the update rolls back, and the stack names the function's reason", async () => {
    const s = await updateStack({ name: 'again', fail: true });
    expect(s.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: 'greet' })))
      .StackEvents!;
    const failed = events.find((e) => e.ResourceStatus === 'UPDATE_FAILED');
    expect(failed?.LogicalResourceId).toBe('Greeting');
    expect(failed?.ResourceStatusReason).toMatch(/the template asked for FAILED/);
    expect(outputs(s)).toMatchObject({ Id: 'greeting-there', Greeting: 'hello there' });
    const [failing, rollback] = (await requests()).slice(-2);
    expect(failing).toMatchObject({ RequestType: 'Update', ResourceProperties: { Name: 'again' } });
    // The rollback asks the function to go back to the properties the stack had.
    expect(rollback).toMatchObject({
      RequestType: 'Update',
      ResourceProperties: { Name: 'there' },
      OldResourceProperties: { Name: 'again' },
    });
  });

  it('Delete: the function is asked to delete what it made', async () => {
    await cfn.send(new DeleteStackCommand({ StackName: 'greet' }));
    for (let i = 0; i < 1200; i++) {
      const live = await cfn.send(
        new ListStacksCommand({ StackStatusFilter: ['DELETE_IN_PROGRESS'] }),
      );
      if ((live.StackSummaries ?? []).length === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const gone = await cfn.send(new ListStacksCommand({ StackStatusFilter: ['DELETE_COMPLETE'] }));
    expect(gone.StackSummaries?.map((x) => x.StackName)).toContain('greet');
    const last = (await requests()).at(-1)!;
    expect(last).toMatchObject({ RequestType: 'Delete', PhysicalResourceId: 'greeting-there' });
  });
});
