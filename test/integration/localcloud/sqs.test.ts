/**
 * SQS through the edge with the SDK v3 client (AWS JSON 1.0): create, send,
 * receive with visibility timeout, delete, attributes, purge, and the query
 * protocol's XML for the same queue.
 */
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqsClient } from '../../../functions/aws/clients';
import { MetricStore } from '../../../localcloud/cloudwatch/metric-store';
import { startCoreCloud, type CoreCloud } from '../../../localcloud/core-cloud';
import { SqsService } from '../../../localcloud/sqs/sqs-service';

let cloud: CoreCloud;
let sqs: SQSClient;

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  cloud = await startCoreCloud({ port: 0, log: () => {} });
  sqs = sqsClient({ endpoint: cloud.endpoint, region: 'us-east-1', maxAttempts: 1 });
});
afterAll(async () => {
  sqs?.destroy();
  await cloud?.stop();
});

const count = async (url: string) => {
  const a = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
  );
  return {
    visible: Number(a.Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(a.Attributes?.ApproximateNumberOfMessagesNotVisible),
    arn: a.Attributes?.QueueArn,
  };
};

describe('sqs through the edge', () => {
  it('sends, receives (invisible while in flight), deletes', async () => {
    const { QueueUrl: url } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'failures', Attributes: { VisibilityTimeout: '2' } }),
    );
    expect(url).toBe(`${cloud.endpoint}/000000000000/failures`);
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'failures' }))).QueueUrl).toBe(url);
    expect((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'fail' }))).QueueUrls).toEqual([
      url,
    ]);

    await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: '{"batch":1}',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'failure' } },
      }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{"batch":2}' }));
    expect(await count(url!)).toEqual({
      visible: 2,
      inFlight: 0,
      arn: 'arn:aws:sqs:us-east-1:000000000000:failures',
    });

    const got = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    expect(got.Messages?.map((m) => m.Body)).toEqual(['{"batch":1}', '{"batch":2}']);
    expect(got.Messages?.[0]?.MessageAttributes?.kind?.StringValue).toBe('failure');
    expect(got.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(await count(url!)).toMatchObject({ visible: 0, inFlight: 2 });
    // in flight: nothing to receive, even waiting a little
    expect(
      (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 0 }))).Messages,
    ).toBeUndefined();

    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got.Messages![0]!.ReceiptHandle }),
    );
    // the undeleted one comes back after its 2 s visibility timeout (long poll picks it up)
    const again = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        WaitTimeSeconds: 10,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    expect(again.Messages?.map((m) => m.Body)).toEqual(['{"batch":2}']);
    expect(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');

    // AWS/SQS counters per QueueName
    const since = new Date(Date.now() - 60_000);
    const sum = (name: string, stat = 'Sum') =>
      cloud.metrics
        .query({
          namespace: 'AWS/SQS',
          name,
          dimensions: { QueueName: 'failures' },
          start: since,
          end: new Date(Date.now() + 1000),
          periodSeconds: 3600,
          stat,
        })
        .reduce((a, p) => a + p.value, 0);
    expect(sum('NumberOfMessagesSent')).toBe(2);
    expect(sum('NumberOfMessagesReceived')).toBe(3);
    expect(sum('NumberOfMessagesDeleted')).toBe(1);
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect(await count(url!)).toMatchObject({ visible: 0, inFlight: 0 });
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'failures' }))).rejects.toMatchObject(
      { name: 'QueueDoesNotExist' },
    );
  });

  it('publishes the AWS/SQS depth gauges the failure-queue alarm watches', async () => {
    const metrics = new MetricStore();
    const service = new SqsService({
      endpoint: 'http://127.0.0.1:1',
      region: 'us-east-1',
      metrics,
      log: () => {},
    });
    try {
      const q = service.store.create('dlq', {}, Date.now());
      service.store.send(q, 'a', Date.now());
      service.store.send(q, 'b', Date.now());
      service.store.receive(q, { max: 1 }, Date.now());
      service.publishGauges();
      const max = (name: string) =>
        metrics.query({
          namespace: 'AWS/SQS',
          name,
          dimensions: { QueueName: 'dlq' },
          start: new Date(Date.now() - 60_000),
          end: new Date(Date.now() + 1000),
          periodSeconds: 60,
          stat: 'Maximum',
        })[0]?.value;
      expect(max('ApproximateNumberOfMessagesVisible')).toBe(1);
      expect(max('ApproximateNumberOfMessagesNotVisible')).toBe(1);
    } finally {
      await service.close();
    }
  });

  it('speaks the query protocol for the same queues', async () => {
    const post = async (params: Record<string, string>) => {
      const r = await fetch(cloud.endpoint + '/', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization:
            'AWS4-HMAC-SHA256 Credential=t/20250101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0',
        },
        body: new URLSearchParams({ Version: '2012-11-05', ...params }).toString(),
      });
      return r.text();
    };
    const created = await post({
      Action: 'CreateQueue',
      QueueName: 'q-query',
      'Attribute.1.Name': 'VisibilityTimeout',
      'Attribute.1.Value': '5',
    });
    const url = /<QueueUrl>([^<]+)<\/QueueUrl>/.exec(created)?.[1];
    expect(url).toBe(`${cloud.endpoint}/000000000000/q-query`);
    expect(await post({ Action: 'SendMessage', QueueUrl: url!, MessageBody: 'hello' })).toContain(
      '<MD5OfMessageBody>5d41402abc4b2a76b9719d911017c592</MD5OfMessageBody>',
    );
    const attrs = await post({
      Action: 'GetQueueAttributes',
      QueueUrl: url!,
      'AttributeName.1': 'All',
    });
    expect(attrs).toContain(
      '<Attribute><Name>VisibilityTimeout</Name><Value>5</Value></Attribute>',
    );
    expect(attrs).toContain(
      '<Attribute><Name>ApproximateNumberOfMessages</Name><Value>1</Value></Attribute>',
    );
    const received = await post({ Action: 'ReceiveMessage', QueueUrl: url! });
    expect(received).toMatch(
      /<Message><MessageId>[^<]+<\/MessageId><ReceiptHandle>[^<]+<\/ReceiptHandle><MD5OfBody>5d41402abc4b2a76b9719d911017c592<\/MD5OfBody><Body>hello<\/Body><\/Message>/,
    );
  });
});
