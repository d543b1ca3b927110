/**
 * Every AWS SDK v3 client with its defaults (no custom request handler)
 * works against the edge: the Kinesis client speaks cleartext HTTP/2 with
 * prior knowledge on an http:// endpoint, the others HTTP/1.1, all on the
 * one port. A raw HTTP/2 stream gets the same routing and answers as
 * HTTP/1.1.
 */
import { connect } from 'node:http2';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeStreamCommand as DescribeTableStreamCommand,
  DynamoDBStreamsClient,
  ListStreamsCommand as ListTableStreamsCommand,
} from '@aws-sdk/client-dynamodb-streams';
import {
  CloudWatchClient,
  ListMetricsCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, ListRulesCommand, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  PutRecordsCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../../localcloud/start-local-cloud';

let cloud: LocalCloud;
let config: {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
};

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, log: () => {} });
  config = {
    endpoint: cloud.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
});
afterAll(async () => {
  await cloud?.stop();
});

describe('default-config SDK v3 clients', () => {
  it('Kinesis (HTTP/2): create, put 500 records, read them back', async () => {
    const kinesis = new KinesisClient(config);
    try {
      await kinesis.send(new CreateStreamCommand({ StreamName: 'h2', ShardCount: 1 }));
      await waitUntilStreamExists(
        { client: kinesis, maxWaitTime: 10, minDelay: 0.05 as number },
        { StreamName: 'h2' },
      );
      const Records = Array.from({ length: 500 }, (_, i) => ({
        PartitionKey: `k${i}`,
        Data: Buffer.from(`record ${i}`),
      }));
      const put = await kinesis.send(new PutRecordsCommand({ StreamName: 'h2', Records }));
      expect(put.FailedRecordCount).toBe(0);
      const it = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: 'h2',
          ShardId: 'shardId-000000000000',
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      const got = await kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
      expect(got.Records?.map((r) => Buffer.from(r.Data!).toString())).toEqual(
        Records.map((r) => r.Data.toString()),
      );
    } finally {
      kinesis.destroy();
    }
  });

  it('DynamoDB, CloudWatch, SQS, Lambda and EventBridge', async () => {
    const ddb = new DynamoDBClient(config);
    const cw = new CloudWatchClient(config);
    const sqs = new SQSClient(config);
    const lambda = new LambdaClient(config);
    const events = new EventBridgeClient(config);
    try {
      expect((await ddb.send(new ListTablesCommand({}))).TableNames).toEqual([]);
      // over 10 KiB: the SDK gzips the body
      const MetricData = Array.from({ length: 200 }, (_, i) => ({
        MetricName: `m${i % 3}`,
        Value: i,
        Dimensions: [{ Name: 'Padding', Value: 'p'.repeat(40) }],
      }));
      await cw.send(new PutMetricDataCommand({ Namespace: 'Default', MetricData }));
      const metrics = await cw.send(new ListMetricsCommand({ Namespace: 'Default' }));
      expect(metrics.Metrics?.map((m) => m.MetricName).sort()).toEqual(['m0', 'm1', 'm2']);
      const q = await sqs.send(new CreateQueueCommand({ QueueName: 'defaults' }));
      expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls).toEqual([q.QueueUrl]);
      expect((await lambda.send(new ListFunctionsCommand({}))).Functions).toEqual([]);
      await events.send(new PutRuleCommand({ Name: 'tick', ScheduleExpression: 'rate(1 hour)' }));
      expect((await events.send(new ListRulesCommand({}))).Rules?.map((r) => r.Name)).toEqual([
        'tick',
      ]);
    } finally {
      for (const c of [ddb, cw, sqs, lambda, events]) c.destroy();
    }
  });

  it('S3, STS and SSM', async () => {
    const s3 = new S3Client(config);
    const sts = new STSClient(config);
    const ssm = new SSMClient(config);
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'defaults' }));
      await s3.send(new PutObjectCommand({ Bucket: 'defaults', Key: 'k', Body: 'hello' }));
      const got = await s3.send(new GetObjectCommand({ Bucket: 'defaults', Key: 'k' }));
      expect(await got.Body?.transformToString()).toBe('hello');
      expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toMatch(/^\d{12}$/);
      await ssm.send(new PutParameterCommand({ Name: '/d/p', Value: 'v', Type: 'String' }));
      expect((await ssm.send(new GetParameterCommand({ Name: '/d/p' }))).Parameter?.Value).toBe(
        'v',
      );
    } finally {
      for (const c of [s3, sts, ssm]) c.destroy();
    }
  });
  it('CloudFormation, CloudWatch Logs and DynamoDB Streams', async () => {
    const cfn = new CloudFormationClient(config);
    const logs = new CloudWatchLogsClient(config);
    const ddb = new DynamoDBClient(config);
    const streams = new DynamoDBStreamsClient(config);
    try {
      const TemplateBody = JSON.stringify({
        Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'from-stack' } } },
      });
      await cfn.send(new CreateStackCommand({ StackName: 'defaults', TemplateBody }));
      const status = async () =>
        (await cfn.send(new DescribeStacksCommand({ StackName: 'defaults' }))).Stacks?.[0]
          ?.StackStatus;
      for (let i = 0; i < 100 && (await status())?.endsWith('_IN_PROGRESS'); i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(await status()).toBe('CREATE_COMPLETE');

      await logs.send(new CreateLogGroupCommand({ logGroupName: '/defaults/group' }));
      const groups = await logs.send(
        new DescribeLogGroupsCommand({ logGroupNamePrefix: '/defaults' }),
      );
      expect(groups.logGroups?.map((g) => g.logGroupName)).toEqual(['/defaults/group']);

      await ddb.send(
        new CreateTableCommand({
          TableName: 'streamed',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
          StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
        }),
      );
      const listed = await streams.send(new ListTableStreamsCommand({ TableName: 'streamed' }));
      const arn = listed.Streams?.[0]?.StreamArn;
      expect(arn).toBeDefined();
      const described = await streams.send(new DescribeTableStreamCommand({ StreamArn: arn }));
      expect(described.StreamDescription?.TableName).toBe('streamed');
    } finally {
      for (const c of [cfn, logs, ddb, streams]) c.destroy();
    }
  });
});

describe('HTTP/2 on the edge port', () => {
  it('routes and answers a raw HTTP/2 request as it does HTTP/1.1', async () => {
    const session = connect(cloud.endpoint);
    try {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const stream = session.request({
          ':method': 'POST',
          ':path': '/',
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'Kinesis_20131202.ListStreams',
          'x-amz-date': '20250101T000000Z',
          authorization:
            'AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0',
        });
        let status = 0;
        let body = '';
        stream.on('response', (h) => (status = Number(h[':status'])));
        stream.on('data', (c: Buffer) => (body += c.toString()));
        stream.on('end', () => resolve({ status, body }));
        stream.on('error', reject);
        stream.end('{}');
      });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ StreamNames: ['h2'] });
    } finally {
      session.close();
    }
  });
});
