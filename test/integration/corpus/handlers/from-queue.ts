// SQS consumer: writes each message to a table; a body "bad" is reported as
// a batch item failure (so it returns, and reaches the queue's DLQ).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const m of event.Records) {
    if (m.body === 'bad') {
      batchItemFailures.push({ itemIdentifier: m.messageId });
      continue;
    }
    await doc.send(
      new PutCommand({ TableName: process.env.TABLE, Item: { id: m.body, via: 'sqs' } }),
    );
  }
  return { batchItemFailures };
};
