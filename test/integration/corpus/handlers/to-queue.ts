// Forwards each record it gets (Kinesis data or DynamoDB stream change) to a
// queue with a default SQSClient.
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { DynamoDBStreamEvent, KinesisStreamEvent } from 'aws-lambda';

const sqs = new SQSClient({});

export const handler = async (event: KinesisStreamEvent | DynamoDBStreamEvent): Promise<void> => {
  for (const r of event.Records) {
    const body =
      'kinesis' in r
        ? Buffer.from(r.kinesis.data, 'base64').toString('utf8')
        : JSON.stringify({
            eventName: r.eventName,
            keys: r.dynamodb?.Keys,
            new: r.dynamodb?.NewImage,
            old: r.dynamodb?.OldImage,
          });
    await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: body }));
  }
};
